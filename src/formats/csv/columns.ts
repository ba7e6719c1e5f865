/**
 * Recognizes the columns of a bank export from its header, case-, space-, punctuation- and
 * accent-insensitively, in English, German, Dutch, French and Spanish; and finds the header row below the
 * account-info lines ("preamble") that banks put on top.
 */

export type ColumnRole =
  | 'date'
  | 'valueDate'
  | 'amount'
  | 'debit'
  | 'credit'
  | 'indicator'
  | 'currency'
  | 'balance'
  | 'description'
  | 'memo'
  | 'payee'
  | 'counterpartyAccount'
  | 'counterpartyBank'
  | 'reference'
  | 'endToEndId'
  | 'remittanceReference'
  | 'account'
  | 'transactionCode'
  | 'checkNumber'
  | 'startBalance'
  | 'endBalance';

/** Header names per role, normalized (see `normalizeHeader`), best first. */
const SYNONYMS: Readonly<Record<ColumnRole, readonly string[]>> = {
  date: [
    'bookingdate',
    'buchungstag',
    'buchungsdatum',
    'boekdatum',
    'boekingsdatum',
    'transactiondate',
    'postingdate',
    'posteddate',
    'postdate',
    'date',
    'datum',
    'transactiedatum',
    'dateoperation',
    'datedoperation',
    'datecomptable',
    'fechaoperacion',
    'fechacontable',
    'fecha',
    'fechamovimiento',
    'datetime',
    'data',
    'tradedate',
    'effectivedate',
    'startdate',
    'dateposted',
    'fechadeoperacion',
    'datedeloperation',
  ],
  valueDate: [
    'valuedate',
    'valuta',
    'valutadatum',
    'wertstellung',
    'wertstellungsdatum',
    'rentedatum',
    'datevaleur',
    'datedevaleur',
    'valeur',
    'fechavalor',
    'fechadevalor',
    'valdate',
  ],
  amount: [
    'amount',
    'betrag',
    'bedrag',
    'montant',
    'importe',
    'amounttotal',
    'transactionamount',
    'umsatz',
    'monto',
    'cantidad',
    'netamount',
    'amt',
    'signedamount',
    'bookedamount',
    'buchungsbetrag',
    'transactiebedrag',
    'montantoperation',
    'importeoperacion',
  ],
  debit: [
    'debit',
    'debet',
    'debits',
    'withdrawal',
    'withdrawals',
    'withdrawalamount',
    'debitamount',
    'soll',
    'sollbetrag',
    'lastschrift',
    'ausgang',
    'ausgaben',
    'af',
    'afschrijving',
    'afschrijvingen',
    'uitgaven',
    'moneyout',
    'paidout',
    'payments',
    'debe',
    'cargo',
    'cargos',
    'debito',
    'montantdebit',
    'amountdebit',
  ],
  credit: [
    'credit',
    'credits',
    'deposit',
    'deposits',
    'depositamount',
    'creditamount',
    'haben',
    'habenbetrag',
    'gutschrift',
    'eingang',
    'einnahmen',
    'bij',
    'bijschrijving',
    'bijschrijvingen',
    'inkomsten',
    'moneyin',
    'paidin',
    'receipts',
    'haber',
    'abono',
    'abonos',
    'credito',
    'montantcredit',
    'amountcredit',
  ],
  indicator: [
    'dc',
    'cd',
    'debitcreditindicator',
    'creditdebitindicator',
    'afbij',
    'bijaf',
    'sollhaben',
    'sh',
    'crdr',
    'drcr',
    'creditdebit',
    'debitcredit',
    'sens',
    'signo',
    'indicator',
    'transactiontype',
    'type',
  ],
  currency: [
    'currency',
    'currencycode',
    'ccy',
    'cur',
    'waehrung',
    'wahrung',
    'munt',
    'devise',
    'moneda',
    'divisa',
  ],
  balance: [
    'balance',
    'runningbalance',
    'saldo',
    'solde',
    'saldonachbuchung',
    'saldonamutatie',
    'kontostand',
    'balanceafter',
    'newbalance',
    'accountbalance',
    'ledgerbalance',
    'saldonabuchung',
    'soldeapres',
  ],
  description: [
    'description',
    'verwendungszweck',
    'omschrijving',
    'libelle',
    'concepto',
    'buchungstext',
    'details',
    'narrative',
    'transactiondetails',
    'particulars',
    'purpose',
    'remittanceinformation',
    'descripcion',
    'detalle',
    'text',
    'originaldescription',
    'libelleoperation',
    'bookingtext',
    'omschrijving1',
  ],
  memo: ['memo', 'mededelingen', 'mededeling', 'note', 'notes', 'notiz', 'observaciones', 'communication'],
  payee: [
    'payee',
    'counterparty',
    'counterpartyname',
    'name',
    'naam',
    'naamomschrijving',
    'naamtegenpartij',
    'beguenstigterzahlungspflichtiger',
    'begunstigterzahlungspflichtiger',
    'auftraggeberempfaenger',
    'auftraggeberempfanger',
    'empfaenger',
    'empfanger',
    'auftraggeber',
    'zahlungsempfaenger',
    'zahlungspflichtiger',
    'nomcontrepartie',
    'beneficiaire',
    'beneficiario',
    'ordenante',
    'tegenpartij',
    'payer',
    'merchant',
    'nom',
    'nombre',
    'partner',
    'partnername',
  ],
  counterpartyAccount: [
    'counterpartyaccount',
    'counterpartyiban',
    'iban',
    'tegenrekening',
    'tegenrekeningiban',
    'ibantegenpartij',
    'kontonummeriban',
    'ibanauftraggeber',
    'ibanzahlungsbeteiligter',
    'comptecontrepartie',
    'cuentacontrapartida',
    'payeeaccount',
    'partneriban',
    'ibanbegunstigterzahlungspflichtiger',
  ],
  counterpartyBank: [
    'bic',
    'swift',
    'bictegenpartij',
    'counterpartybic',
    'bicauftraggeber',
    'blz',
    'bankcode',
  ],
  reference: [
    'reference',
    'bankreference',
    'transactionid',
    'transactionreference',
    'referenz',
    'referentie',
    'referencia',
    'ref',
    'id',
    'transactionnumber',
    'journalnumber',
    'reference1',
  ],
  endToEndId: ['endtoendid', 'endtoendreference', 'endtoendreferenz', 'kundenreferenzendtoend', 'eref'],
  remittanceReference: [
    'paymentreference',
    'betalingskenmerk',
    'kenmerk',
    'zahlungsreferenz',
    'kundenreferenz',
    'customerreference',
    'referencedepaiement',
    'structuredreference',
    'creditorreference',
    'invoicenumber',
    'rechnungsnummer',
  ],
  account: [
    'account',
    'accountnumber',
    'accountname',
    'accountno',
    'accountiban',
    'konto',
    'kontonummer',
    'auftragskonto',
    'rekening',
    'rekeningnummer',
    'ownaccount',
    'compte',
    'numerodecompte',
    'cuenta',
    'numerodecuenta',
  ],
  transactionCode: [
    'code',
    'transactioncode',
    'mutatiesoort',
    'typeoftransaction',
    'buchungsart',
    'umsatzart',
    'category',
    'typeoperation',
    'tipo',
    'gvcode',
  ],
  checkNumber: ['check', 'checknumber', 'checkno', 'chequenumber', 'cheque', 'scheck', 'schecknummer'],
  startBalance: [
    'startbalance',
    'openingbalance',
    'beginningbalance',
    'anfangssaldo',
    'startsaldo',
    'beginsaldo',
  ],
  endBalance: ['endbalance', 'closingbalance', 'endingbalance', 'endsaldo', 'schlusssaldo', 'eindsaldo'],
};

/** Indicator columns whose name alone does not prove they hold D/C values ("Type"): decided on the first row. */
export const WEAK_INDICATORS: ReadonlySet<string> = new Set([
  'transactiontype',
  'type',
  'debitcredit',
  'creditdebit',
  'indicator',
]);

interface RoleMatch {
  role: ColumnRole;
  /** Lower is better: position in the synonym list, plus 100 for a derived (prefix) match. */
  rank: number;
}

const EXACT: ReadonlyMap<string, RoleMatch> = buildExact();

function buildExact(): Map<string, RoleMatch> {
  const map = new Map<string, RoleMatch>();
  for (const [role, names] of Object.entries(SYNONYMS) as [ColumnRole, readonly string[]][]) {
    names.forEach((name, rank) => {
      if (!map.has(name)) map.set(name, { role, rank });
    });
  }
  return map;
}

/** `"Withdrawal (-)"` -> `withdrawal`, `"Währung"` -> `wahrung`, `" ID"` -> `id`, `"Af Bij"` -> `afbij`. */
export function normalizeHeader(name: string): string {
  let ascii = name;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: any non-ASCII character needs folding
  if (/[^\u0000-\u007f]/.test(name)) {
    ascii = name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/ß/g, 'ss');
  }
  return ascii.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const AMOUNT_WORDS = ['amount', 'betrag', 'bedrag', 'montant', 'importe', 'umsatz'];

/** The role a header name gives its column, or null. */
export function roleOfHeader(name: string): RoleMatch | null {
  const key = normalizeHeader(name);
  if (key.length === 0) return null;
  const exact = EXACT.get(key);
  if (exact) return exact;
  return derivedRole(key);
}

/** Names built from a known word: `Betrag (EUR)`, `Amount in USD`, `Transaction Date`, `Saldo EUR`. */
function derivedRole(key: string): RoleMatch | null {
  for (const word of AMOUNT_WORDS) {
    if (key.startsWith(word)) {
      const rest = key.slice(word.length);
      if (/^(in)?[a-z]{3}$/.test(rest) && !/^(fee|tax)$/.test(rest)) return { role: 'amount', rank: 100 };
    }
  }
  if (/^(saldo|balance|solde)[a-z]{3}$/.test(key)) return { role: 'balance', rank: 100 };
  if (/(date|datum|fecha)$/.test(key) && !/(end|due|value|valuta)/.test(key))
    return { role: 'date', rank: 100 };
  return null;
}

/** Three upper-case letters in a header such as `Betrag (EUR)`: the column's currency. */
export function currencyInHeader(name: string): string | null {
  const match = /\(([A-Z]{3})\)|\b(?:in|en)\s+([A-Z]{3})\b|\s([A-Z]{3})$/.exec(name.trim());
  if (!match) return null;
  return match[1] ?? match[2] ?? match[3] ?? null;
}

/** Column index per role, from a header row; the best-ranked column wins a role, the first on a tie. */
export function assignRoles(headers: readonly string[]): Map<ColumnRole, number> {
  const best = new Map<ColumnRole, { index: number; rank: number }>();
  headers.forEach((header, index) => {
    const match = roleOfHeader(header);
    if (!match) return;
    const current = best.get(match.role);
    if (!current || match.rank < current.rank) best.set(match.role, { index, rank: match.rank });
  });
  const roles = new Map<ColumnRole, number>();
  for (const [role, { index }] of best) roles.set(role, index);
  return roles;
}

/** A header row names a date column and an amount (or debit/credit) column, or balance periods. */
export function isHeaderRow(roles: ReadonlyMap<ColumnRole, number>): boolean {
  const dated = roles.has('date') || roles.has('valueDate');
  const amounts = roles.has('amount') || roles.has('debit') || roles.has('credit');
  return dated && (amounts || roles.has('startBalance') || roles.has('endBalance'));
}

const ACCOUNT_LABELS = new Set([
  'account',
  'accountnumber',
  'accountno',
  'accountnr',
  'konto',
  'kontonummer',
  'kontonr',
  'iban',
  'rekening',
  'rekeningnummer',
  'compte',
  'numerodecompte',
  'cuenta',
  'numerodecuenta',
  'accountiban',
  'auftragskonto',
  'bankaccount',
  'ibankonto',
]);
const CURRENCY_LABELS = new Set(['currency', 'waehrung', 'wahrung', 'munt', 'devise', 'moneda', 'divisa']);
const OPENING_LABELS = [
  'openingbalance',
  'startingbalance',
  'beginningbalance',
  'startbalance',
  'anfangssaldo',
  'startsaldo',
  'beginsaldo',
  'altersaldo',
  'soldeinitial',
  'soldedebut',
  'soldeouverture',
  'saldoinicial',
  'saldoanterior',
  'previousbalance',
  'vorsaldo',
];
const CLOSING_LABELS = [
  'closingbalance',
  'endingbalance',
  'endbalance',
  'endsaldo',
  'schlusssaldo',
  'neuersaldo',
  'eindsaldo',
  'soldefinal',
  'soldefin',
  'soldecloture',
  'saldofinal',
  'newbalance',
  'kontostand',
];
const SUMMARY_LABELS = [
  'total',
  'summe',
  'gesamt',
  'totaal',
  'saldo',
  'balance',
  'solde',
  'umsatze',
  'umsaetze',
  'subtotal',
  ...OPENING_LABELS,
  ...CLOSING_LABELS,
];

export type LabelKind = 'account' | 'currency' | 'opening' | 'closing';

/** What a preamble or footer label announces (`Konto:`, `IBAN`, `Anfangssaldo 01.03.2024`, `Currency`). */
export function labelKind(cell: string): LabelKind | null {
  const key = normalizeHeader(cell);
  if (key.length === 0) return null;
  if (ACCOUNT_LABELS.has(key)) return 'account';
  if (CURRENCY_LABELS.has(key)) return 'currency';
  if (OPENING_LABELS.some((label) => key.startsWith(label))) return 'opening';
  if (CLOSING_LABELS.some((label) => key.startsWith(label))) return 'closing';
  return null;
}

/** True for a totals/balance line at the end of an export (`Total`, `Summe`, `Endsaldo`). */
export function isSummaryLabel(cell: string): boolean {
  const key = normalizeHeader(cell);
  return key.length > 0 && SUMMARY_LABELS.some((label) => key.startsWith(label));
}

/** A labeled value on a preamble or footer line: the label's kind and the non-empty cells after it. */
export interface LabeledValue {
  kind: LabelKind;
  values: string[];
}

/** Labeled values on one line: `Label;Value` cells or one `Label: Value` cell. */
export function labeledValues(cells: readonly string[]): LabeledValue[] {
  const found: LabeledValue[] = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!.trim();
    if (cell.length === 0) continue;
    const colon = cell.indexOf(':');
    if (colon > 0 && colon < cell.length - 1) {
      const kind = labelKind(cell.slice(0, colon));
      if (kind) found.push({ kind, values: [cell.slice(colon + 1).trim()] });
      continue;
    }
    const kind = labelKind(cell);
    if (!kind) continue;
    const values = cells
      .slice(i + 1)
      .map((c) => c.trim())
      .filter((c) => c.length > 0);
    if (values.length > 0) found.push({ kind, values });
    break;
  }
  return found;
}
