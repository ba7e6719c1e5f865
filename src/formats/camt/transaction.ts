/**
 * Reads one `TxDtls` (or the entry-level parts shared with it: bank transaction code, charges) into a plain
 * object. Version differences handled here: `Dbtr/Nm` (v02-v06) vs `Dbtr/Pty/Nm` (v08+), `TxDtls/Amt` (v04+)
 * vs `AmtDtls/TxAmt` only (v02), `BIC` vs `BICFI`, `DscntApldAmt` as an amount (v02) or with `Amt` (v04+).
 */
import type { Counterparty } from '../model.js';
import { type Amount, formatScaled, SCALE } from './amount.js';
import {
  type ReaderContext,
  readAccountId,
  readAmount,
  readIndicator,
  readOptionalAmount,
} from './fields.js';
import { at, child, childrenNamed, textAt, textOf, type XNode } from './xml-node.js';

export interface RemittanceDocument {
  number: string | null;
  type: string | null;
  date: string | null;
  reference: string | null;
  amount_due: string | null;
  discount: string | null;
  credit_note: string | null;
  tax: string | null;
  remitted: string | null;
  adjustments?: { amount: string; credit_debit: string | null; reason: string | null }[];
}

export interface Charges {
  total: string | null;
  records: {
    amount: string;
    currency: string | null;
    credit_debit: string | null;
    type: string | null;
    included: boolean | null;
  }[];
}

export interface TransactionInfo {
  readonly path: string;
  readonly amount: Amount | null;
  readonly credit: boolean | null;
  readonly accountServicerRef: string | null;
  readonly endToEndId: string | null;
  readonly instrId: string | null;
  readonly txId: string | null;
  readonly mandateId: string | null;
  readonly uetr: string | null;
  readonly msgId: string | null;
  readonly pmtInfId: string | null;
  readonly chequeNumber: string | null;
  readonly bankTxCode: BankTxCode | null;
  readonly debtor: Counterparty | null;
  readonly creditor: Counterparty | null;
  readonly ultimateDebtor: string | null;
  readonly ultimateCreditor: string | null;
  readonly references: string[];
  readonly text: string | null;
  readonly documents: RemittanceDocument[];
  readonly additionalRemittance: string | null;
  readonly returnReason: string | null;
  readonly returnInfo: string | null;
  readonly charges: Charges | null;
  readonly info: string | null;
  readonly purpose: string | null;
}

export interface BankTxCode {
  /** "PMNT-RCDT-ESCT" from `Domn`, else the proprietary code. */
  code: string;
  /** `Prtry/Cd` when `Domn` is also given. */
  proprietary: string | null;
}

export function readBankTxCode(node: XNode | undefined): BankTxCode | null {
  if (node === undefined) return null;
  const domain = child(node, 'Domn');
  const proprietary = textAt(node, 'Prtry', 'Cd');
  const domainCode = textOf(child(domain, 'Cd'));
  const family = child(domain, 'Fmly');
  if (domainCode !== null) {
    const parts = [domainCode, textOf(child(family, 'Cd')), textOf(child(family, 'SubFmlyCd'))];
    return { code: parts.filter((p): p is string => p !== null).join('-'), proprietary };
  }
  return proprietary === null ? null : { code: proprietary, proprietary: null };
}

/** `Chrgs`: v02 repeats `Chrgs` with `Amt` directly; v04+ has one `Chrgs` with `TtlChrgsAndTaxAmt` and `Rcrd*`. */
export function readCharges(
  ctx: ReaderContext,
  parent: XNode,
  path: string,
  currency: string | null,
): Charges | null {
  const blocks = childrenNamed(parent, 'Chrgs');
  if (blocks.length === 0) return null;
  let total: string | null = null;
  const records: Charges['records'] = [];
  blocks.forEach((block, b) => {
    const blockPath = `${path}/Chrgs${blocks.length > 1 ? `[${b + 1}]` : ''}`;
    const totalAmount = readOptionalAmount(
      ctx,
      child(block, 'TtlChrgsAndTaxAmt'),
      `${blockPath}/TtlChrgsAndTaxAmt`,
      currency,
    );
    if (totalAmount !== null && total === null) total = totalAmount.text;
    const recordNodes = child(block, 'Amt') ? [block] : childrenNamed(block, 'Rcrd');
    recordNodes.forEach((record, r) => {
      const recordPath = record === block ? blockPath : `${blockPath}/Rcrd[${r + 1}]`;
      const amount = readAmount(ctx, child(record, 'Amt'), `${recordPath}/Amt`, currency);
      const credit = readIndicator(ctx, child(record, 'CdtDbtInd'), `${recordPath}/CdtDbtInd`);
      const included = textOf(child(record, 'ChrgInclInd'));
      records.push({
        amount: amount.text,
        currency: amount.currency,
        credit_debit: credit === null ? null : credit ? 'CRDT' : 'DBIT',
        type:
          textAt(record, 'Tp', 'Cd') ?? textAt(record, 'Tp', 'Prtry', 'Id') ?? textOf(child(record, 'Tp')),
        included: included === null ? null : included === 'true' || included === '1',
      });
    });
  });
  return { total, records };
}

export function readTransaction(
  ctx: ReaderContext,
  tx: XNode,
  path: string,
  entryCurrency: string | null,
): TransactionInfo {
  const refs = child(tx, 'Refs');
  const parties = child(tx, 'RltdPties');
  const agents = child(tx, 'RltdAgts');
  const remittance = readRemittance(ctx, child(tx, 'RmtInf'), `${path}/RmtInf`, entryCurrency);
  const returnInfo = child(tx, 'RtrInf');
  return {
    path,
    amount: readTransactionAmount(ctx, tx, path, entryCurrency),
    credit: readIndicator(ctx, child(tx, 'CdtDbtInd'), `${path}/CdtDbtInd`),
    accountServicerRef: textOf(child(refs, 'AcctSvcrRef')),
    endToEndId: textOf(child(refs, 'EndToEndId')),
    instrId: textOf(child(refs, 'InstrId')),
    txId: textOf(child(refs, 'TxId')),
    mandateId: textOf(child(refs, 'MndtId')),
    uetr: textOf(child(refs, 'UETR')),
    msgId: textOf(child(refs, 'MsgId')),
    pmtInfId: textOf(child(refs, 'PmtInfId')),
    chequeNumber: textOf(child(refs, 'ChqNb')),
    bankTxCode: readBankTxCode(child(tx, 'BkTxCd')),
    debtor: readParty(parties, agents, 'Dbtr'),
    creditor: readParty(parties, agents, 'Cdtr'),
    ultimateDebtor: partyName(child(parties, 'UltmtDbtr')),
    ultimateCreditor: partyName(child(parties, 'UltmtCdtr')),
    ...remittance,
    returnReason: textAt(returnInfo, 'Rsn', 'Cd') ?? textAt(returnInfo, 'Rsn', 'Prtry'),
    returnInfo: joinTexts(childrenNamed(returnInfo, 'AddtlInf')),
    charges: readCharges(ctx, tx, path, entryCurrency),
    info: textOf(child(tx, 'AddtlTxInf')),
    purpose: textAt(tx, 'Purp', 'Cd') ?? textAt(tx, 'Purp', 'Prtry'),
  };
}

/** `TxDtls/Amt` (v04+), else `AmtDtls/TxAmt/Amt`, else `AmtDtls/InstdAmt/Amt`. */
function readTransactionAmount(
  ctx: ReaderContext,
  tx: XNode,
  path: string,
  currency: string | null,
): Amount | null {
  const direct = child(tx, 'Amt');
  if (direct) return readAmount(ctx, direct, `${path}/Amt`, currency);
  const details = child(tx, 'AmtDtls');
  const txAmount = at(details, 'TxAmt', 'Amt');
  if (txAmount) return readAmount(ctx, txAmount, `${path}/AmtDtls/TxAmt/Amt`, currency);
  const instructed = at(details, 'InstdAmt', 'Amt');
  if (instructed) return readAmount(ctx, instructed, `${path}/AmtDtls/InstdAmt/Amt`, currency);
  return null;
}

/** v02-v06: `Dbtr/Nm`; v08+: `Dbtr/Pty/Nm` (or `Dbtr/Agt` for a financial institution). */
function partyName(node: XNode | undefined): string | null {
  if (node === undefined) return null;
  return (
    textOf(child(node, 'Nm')) ??
    textAt(node, 'Pty', 'Nm') ??
    textAt(node, 'Agt', 'FinInstnId', 'Nm') ??
    textAt(node, 'Agt', 'FinInstnId', 'BICFI')
  );
}

function readParty(
  parties: XNode | undefined,
  agents: XNode | undefined,
  role: 'Dbtr' | 'Cdtr',
): Counterparty | null {
  const party = child(parties, role);
  const name = partyName(party);
  const account = readAccountId(child(parties, `${role}Acct`));
  const institution = at(agents, `${role}Agt`, 'FinInstnId') ?? at(party, 'Agt', 'FinInstnId');
  const bank = textOf(child(institution, 'BICFI')) ?? textOf(child(institution, 'BIC'));
  if (name === null && account === null && bank === null) return null;
  return { name, account, bank };
}

function joinTexts(nodes: XNode[]): string | null {
  const parts: string[] = [];
  for (const node of nodes) {
    const text = textOf(node);
    if (text !== null) parts.push(text);
  }
  return parts.length === 0 ? null : parts.join(' ');
}

interface RemittanceInfo {
  references: string[];
  text: string | null;
  documents: RemittanceDocument[];
  additionalRemittance: string | null;
}

function readRemittance(
  ctx: ReaderContext,
  node: XNode | undefined,
  path: string,
  currency: string | null,
): RemittanceInfo {
  if (node === undefined) return { references: [], text: null, documents: [], additionalRemittance: null };
  const references: string[] = [];
  const documents: RemittanceDocument[] = [];
  const additional: XNode[] = [];
  const structured = childrenNamed(node, 'Strd');
  structured.forEach((strd, s) => {
    const strdPath = `${path}/Strd${structured.length > 1 ? `[${s + 1}]` : ''}`;
    const docs = childrenNamed(strd, 'RfrdDocInf');
    for (const doc of docs) pushUnique(references, textOf(child(doc, 'Nb')));
    const creditorRef = textAt(strd, 'CdtrRefInf', 'Ref');
    pushUnique(references, creditorRef);
    additional.push(...childrenNamed(strd, 'AddtlRmtInf'));
    const amounts = child(strd, 'RfrdDocAmt');
    if (docs.length > 0 || amounts !== undefined) {
      const figures = readDocumentAmounts(ctx, amounts, `${strdPath}/RfrdDocAmt`, currency);
      for (const doc of docs.length > 0 ? docs : [undefined]) {
        documents.push({
          number: textOf(child(doc, 'Nb')),
          type: textAt(doc, 'Tp', 'CdOrPrtry', 'Cd') ?? textAt(doc, 'Tp', 'CdOrPrtry', 'Prtry'),
          date: textOf(child(doc, 'RltdDt')),
          reference: creditorRef,
          ...figures,
        });
      }
    }
  });
  return {
    references,
    text: joinTexts(childrenNamed(node, 'Ustrd')),
    documents,
    additionalRemittance: joinTexts(additional),
  };
}

function pushUnique(list: string[], value: string | null): void {
  if (value !== null && !list.includes(value)) list.push(value);
}

type DocumentAmounts = Pick<
  RemittanceDocument,
  'amount_due' | 'discount' | 'credit_note' | 'tax' | 'remitted' | 'adjustments'
>;

function readDocumentAmounts(
  ctx: ReaderContext,
  node: XNode | undefined,
  path: string,
  currency: string | null,
): DocumentAmounts {
  const figures: DocumentAmounts = {
    amount_due:
      readOptionalAmount(ctx, child(node, 'DuePyblAmt'), `${path}/DuePyblAmt`, currency)?.text ?? null,
    discount: sumRepeated(ctx, node, 'DscntApldAmt', path, currency),
    credit_note:
      readOptionalAmount(ctx, child(node, 'CdtNoteAmt'), `${path}/CdtNoteAmt`, currency)?.text ?? null,
    tax: sumRepeated(ctx, node, 'TaxAmt', path, currency),
    remitted: readOptionalAmount(ctx, child(node, 'RmtdAmt'), `${path}/RmtdAmt`, currency)?.text ?? null,
  };
  const adjustments = childrenNamed(node, 'AdjstmntAmtAndRsn');
  if (adjustments.length > 0) {
    figures.adjustments = adjustments.map((adjustment, i) => {
      const adjustmentPath = `${path}/AdjstmntAmtAndRsn[${i + 1}]`;
      const credit = readIndicator(ctx, child(adjustment, 'CdtDbtInd'), `${adjustmentPath}/CdtDbtInd`);
      return {
        amount: readAmount(ctx, child(adjustment, 'Amt'), `${adjustmentPath}/Amt`, currency).text,
        credit_debit: credit === null ? null : credit ? 'CRDT' : 'DBIT',
        reason: textOf(child(adjustment, 'Rsn')),
      };
    });
  }
  return figures;
}

/** v02: `<DscntApldAmt Ccy="EUR">1.00</DscntApldAmt>`; v04+: repeated `<DscntApldAmt><Tp/><Amt/></DscntApldAmt>`. */
function sumRepeated(
  ctx: ReaderContext,
  node: XNode | undefined,
  name: string,
  path: string,
  currency: string | null,
): string | null {
  const items = childrenNamed(node, name);
  if (items.length === 0) return null;
  let total = 0n;
  let single: string | null = null;
  items.forEach((item, i) => {
    const itemPath = `${path}/${name}${items.length > 1 ? `[${i + 1}]` : ''}`;
    const inner = child(item, 'Amt');
    const amount = inner
      ? readAmount(ctx, inner, `${itemPath}/Amt`, currency)
      : readAmount(ctx, item, itemPath, currency);
    total += amount.scaled;
    single = amount.text;
  });
  return items.length === 1 ? single : formatScaled(total, Math.min(2, SCALE));
}
