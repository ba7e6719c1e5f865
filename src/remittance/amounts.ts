/**
 * Money as people write it in remittance emails and PDFs: `$12,345.67`, `1.234,56 €`, `USD 1,200`,
 * `(150.00)`, `150.00-`, `250.00 CR`. The numeric part is read by the bank-CSV amount reader
 * (src/formats/csv/amount.ts); this layer finds currencies and decides, once per document, whether a
 * lone separator (`1,234` / `1.234`) groups thousands or marks decimals.
 */
import { type DecimalSeparator, decimalEvidence, parseAmount } from '../formats/csv/amount.js';

export type { DecimalSeparator };

/** An amount read from text: `value` is an exact signed decimal string ("-150.00"). */
export interface Money {
  value: string;
  /** ISO code when the text says which currency; '$' alone is resolved by the caller's dollar currency. */
  currency: string | null;
  /** The text carried a plain `$` (no country prefix). */
  dollar: boolean;
  /** Written with a currency, or with a decimal part: certainly an amount, not a count or a number. */
  explicit: boolean;
}

/** ISO 4217 codes accepted next to an amount. A closed list, so "INV 1043" or "ACH 500" are not currencies. */
export const CURRENCY_CODES: ReadonlySet<string> = new Set(
  (
    'USD EUR GBP CAD AUD NZD CHF JPY CNY HKD SGD SEK NOK DKK PLN CZK HUF RON BGN ISK TRY ILS AED SAR QAR ' +
    'KWD BHD OMR JOD EGP ZAR NGN KES MAD INR PKR LKR BDT IDR MYR THB PHP VND KRW TWD MXN BRL ARS CLP COP PEN UYU'
  ).split(' '),
);

const SYMBOLS: ReadonlyArray<readonly [string, string | null]> = [
  ['US$', 'USD'],
  ['CA$', 'CAD'],
  ['C$', 'CAD'],
  ['AU$', 'AUD'],
  ['A$', 'AUD'],
  ['NZ$', 'NZD'],
  ['HK$', 'HKD'],
  ['S$', 'SGD'],
  ['R$', 'BRL'],
  ['MX$', 'MXN'],
  ['$', null],
  ['€', 'EUR'],
  ['£', 'GBP'],
  ['₹', 'INR'],
  ['¥', 'JPY'],
  ['₩', 'KRW'],
  ['zł', 'PLN'],
];

const SYMBOL_PATTERN = SYMBOLS.map(([s]) => s.replace(/\$/g, '\\$')).join('|');
const CODE_PATTERN = [...CURRENCY_CODES].join('|');
const CURRENCY_PATTERN = `(?:${SYMBOL_PATTERN}|${CODE_PATTERN})`;

/** Digits with optional thousands groups (`,` `.` `'` `’` no-break/narrow spaces) and decimals. */
const NUMBER_PATTERN = "\\d{1,3}(?:[,.'’\\u00a0\\u202f]\\d{3})+(?:[.,]\\d{1,3})?|\\d+(?:[.,]\\d{1,3})?";

/**
 * One amount: optional sign or opening parenthesis, currency before or after, a trailing minus, `)` or
 * CR/DR. Not glued to a word or to another number (so "INV-1043" and "03/15" are not amounts). In a
 * cell "- $1,150.00" is negative; in prose " - " is a dash, so a sign must touch the number there.
 */
function moneyPattern(signSpace: boolean): RegExp {
  const sign = signSpace ? '[-−]\\s?' : '[-−]';
  return new RegExp(
    `(?<![\\w.,/$€£¥₹-])(?<open>\\()?(?<sign>${sign})?(?<pre>${CURRENCY_PATTERN})?\\s?(?<sign2>[-−])?(?<num>${NUMBER_PATTERN})(?<close>\\))?(?<trail>-(?=[\\s.,;)]|$))?(?:\\s?(?<post>${CURRENCY_PATTERN}|CR|DR)(?![\\w])(?!\\s?[\\d(−-]))?(?![\\w/]|[.,]\\d)`,
    'gu',
  );
}

const MONEY_IN_TEXT = moneyPattern(false);
const MONEY_IN_CELL = moneyPattern(true);

/** A currency symbol or code → ISO code (null for a plain `$`); undefined when it is not a currency. */
export function currencyOf(token: string): string | null | undefined {
  const upper = token.toUpperCase();
  if (CURRENCY_CODES.has(upper)) return upper;
  for (const [symbol, code] of SYMBOLS) if (symbol.toUpperCase() === upper) return code;
  return undefined;
}

/**
 * The document's decimal separator: the majority of the amounts that say it (`1.234,56` says ",",
 * `1,234.56` and `12.50` say "."), "." when none does.
 */
export function detectDecimalSeparator(text: string): DecimalSeparator {
  let comma = 0;
  let point = 0;
  for (const match of text.matchAll(MONEY_IN_TEXT)) {
    const num = match.groups!.num!;
    if (isDateLike(text, match.index ?? 0, num)) continue;
    const evidence = decimalEvidence(num);
    if (evidence === ',') comma++;
    else if (evidence === '.') point++;
  }
  return comma > point ? ',' : '.';
}

function isDateLike(text: string, index: number, num: string): boolean {
  // "15.03.2024" matches as "15.03" followed by ".2024": the negative lookahead already refuses it;
  // this catches "2024.03" style leftovers.
  return /^\d{4}[.,]\d{2}$/.test(num) && /^\d{4}[.,]\d{2}[.,]\d/.test(text.slice(index));
}

/**
 * Reads the number part. The number's own separators decide when they can ("1.234,56", "12,50");
 * a lone separator before exactly three digits ("1,234", "1.234") groups thousands, because money is
 * written with two decimals (three-decimal currencies must write all three: "1.250" KWD is misread);
 * otherwise the document's separator decides.
 */
export function readNumber(num: string, decimal: DecimalSeparator): string | null {
  const own = decimalEvidence(num) ?? (num.includes(',') ? '.' : num.includes('.') ? ',' : decimal);
  return parseAmount(num.replace(/’/g, "'"), own)?.text ?? null;
}

/**
 * A whole table cell (or label value) as money: empty, "-", "—", "n/a", "0" read as null-or-zero by
 * the caller. Returns null for text that is not an amount.
 */
export function parseMoneyCell(cell: string, decimal: DecimalSeparator): Money | null {
  const text = cell
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/^[−]/, '-')
    .replace(/\s*\*+$/, '')
    // A cell may group thousands with plain spaces ("1 234,56"); prose may not (too many false joins).
    .replace(/(\d) (?=\d{3}(?:\D|$))/g, '$1\u00a0');
  if (text === '') return null;
  const matches = [...text.matchAll(MONEY_IN_CELL)];
  if (matches.length !== 1) return null;
  const match = matches[0]!;
  if (match.index !== 0 || match[0].length !== text.length) return null;
  return moneyFromMatch(match, decimal, true);
}

/** Every explicit amount in a piece of prose (with a currency or decimals), with where it stands. */
export function findMoney(
  text: string,
  decimal: DecimalSeparator,
): { index: number; end: number; money: Money }[] {
  const out: { index: number; end: number; money: Money }[] = [];
  for (const match of text.matchAll(MONEY_IN_TEXT)) {
    const money = moneyFromMatch(match, decimal, false);
    if (money === null || !money.explicit) continue;
    const index = match.index ?? 0;
    out.push({ index, end: index + match[0].length, money });
  }
  return out;
}

/** In a cell "(150.00)" is negative; in prose "INV-1043 ($1,200.00)" is an aside. */
function moneyFromMatch(match: RegExpMatchArray, decimal: DecimalSeparator, cell: boolean): Money | null {
  const g = match.groups!;
  if ((g.open !== undefined) !== (g.close !== undefined)) return null;
  const value = readNumber(g.num!, decimal);
  if (value === null) return null;
  const pre = g.pre === undefined ? undefined : currencyOf(g.pre);
  const postText = g.post?.toUpperCase();
  const post =
    postText === undefined || postText === 'CR' || postText === 'DR' ? undefined : currencyOf(postText);
  if (pre !== undefined && post !== undefined && pre !== post) return null;
  const currency = pre ?? post ?? null;
  const signs = [g.sign, g.sign2, g.trail, cell ? g.open : undefined].filter((s) => s !== undefined).length;
  if (signs > 1) return null;
  // CR on a remittance line is a credit taken by the customer: it reduces what is paid.
  const negative = signs === 1 || postText === 'CR';
  const hasCurrency = g.pre !== undefined || post !== undefined;
  const explicit = hasCurrency || /[.,]\d{2}$/.test(g.num!);
  return {
    value: negative ? negate(value) : value,
    currency,
    dollar: (g.pre === '$' || g.post === '$') && currency === null,
    explicit,
  };
}

export function negate(value: string): string {
  if (/^-/.test(value)) return value.slice(1);
  return /^0*(\.0*)?$/.test(value) ? value : `-${value}`;
}

export function absolute(value: string): string {
  return value.startsWith('-') ? value.slice(1) : value;
}

export function isZero(value: string): boolean {
  return /^-?0*(\.0*)?$/.test(value);
}
