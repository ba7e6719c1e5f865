/**
 * "Label: value" pairs of remittance text: `Check No: 100234`, `Payment Amount   $1,476.00` (aligned),
 * `| Payment Date | 03/15/2024 |` (an HTML key/value table). The label decides what the value is; values
 * are read by the caller.
 */
import { splitLine } from './tables.js';

export type ReferenceKind =
  | 'check'
  | 'ach-trace'
  | 'wire'
  | 'confirmation'
  | 'payment-id'
  | 'end-to-end'
  | 'reference';

export type LabelKind =
  | 'amount'
  | 'total'
  | 'reference'
  | 'payment-date'
  | 'date'
  | 'payer'
  | 'customer-number'
  | 'vendor-number'
  | 'account-number'
  | 'currency'
  | 'method'
  | 'po'
  | 'invoice';

export interface LabeledValue {
  kind: LabelKind;
  referenceKind?: ReferenceKind;
  label: string;
  value: string;
  /** 0-based line index. */
  line: number;
}

const REFERENCE_LABELS: ReadonlyArray<readonly [ReferenceKind, RegExp]> = [
  ['check', /^(?:check|cheque|chk)(?: ?(?:no|number|num|nr|#))?$/],
  ['ach-trace', /^(?:ach )?trace(?: ?(?:no|number|num|nr|#|id))?$/],
  ['wire', /^(?:wire|wire transfer|swift|fed) ?(?:ref|reference|no|number|#|id|confirmation|imad|omad)$/],
  ['confirmation', /^(?:confirmation|conf)(?: ?(?:no|number|nr|#|code|id))?$/],
  [
    'payment-id',
    /^(?:payment|remittance|remittance advice|advice|transaction|eft|ach|transfer|bank) ?(?:ref|reference|id|no|number|nr|#|document|doc)$/,
  ],
  ['end-to-end', /^(?:end ?to ?end(?: id| reference)?|e2e(?: ?(?:id|ref))?|uetr)$/],
  ['reference', /^(?:ref|reference|our ref|our reference|your ref|payment ref)(?: ?(?:no|number|nr|#))?$/],
];

const LABELS: ReadonlyArray<readonly [LabelKind, RegExp]> = [
  [
    'amount',
    /^(?:total )?(?:payment|check|cheque|remittance|wire|ach|eft|transfer|deposit) (?:amount|total|value|amt)$|^(?:amount|amt) (?:paid|remitted|of payment|transferred|sent)$|^total (?:paid|remitted|payment|amount paid|remittance|amount remitted|payment amount)$|^net (?:payment|amount paid|paid|amount|payment amount)$|^(?:payment|paid amount|amount|remitted)$/,
  ],
  ['total', /^(?:total|totals|grand total|sub ?total)$/],
  [
    'payment-date',
    /^(?:payment|check|cheque|value|settlement|deposit|transfer|remittance|effective|issue|pay|transaction|ach|wire|eft|process|processing|processed|send|sent|initiation|initiated|release|execution) date$|^date (?:paid|of payment|of transfer|of check|of remittance)$|^paid on$|^paid$/,
  ],
  ['date', /^date$/],
  [
    'payer',
    /^(?:payer|payor|remitter|customer|customer name|company|company name|paid by|remitted by|client|client name|account name|ordering customer|debtor|payer name|from company)$/,
  ],
  [
    'customer-number',
    /^(?:customer|client|cust) ?(?:no|number|num|nr|#|id|code|account|acct)$|^(?:customer|client) account (?:no|number|#)$/,
  ],
  ['vendor-number', /^(?:vendor|supplier) ?(?:no|number|nr|#|id|code)$/],
  ['account-number', /^(?:account|acct) ?(?:no|number|nr|#)$/],
  ['currency', /^(?:currency|ccy|curr|payment currency)$/],
  ['method', /^(?:payment method|method|payment type|pay method|payment mode|mode of payment)$/],
  ['po', /^(?:po|purchase order)(?: ?(?:no|number|nr|#))?$/],
  ['invoice', /^(?:invoice|invoices|inv|bill)(?: ?(?:no|nos|number|numbers|nr|#))?$/],
];

/** The kind of a label ("Check No." → reference/check), or null when it is not one we read. */
export function classifyLabel(label: string): { kind: LabelKind; referenceKind?: ReferenceKind } | null {
  const text = label
    .toLowerCase()
    .replace(/\bp\.o\./g, 'po')
    .replace(/[.:]/g, '')
    .replace(/#/g, ' #')
    .replace(/[^a-z0-9# ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '' || text.length > 40) return null;
  for (const [kind, pattern] of REFERENCE_LABELS)
    if (pattern.test(text)) return { kind: 'reference', referenceKind: kind };
  for (const [kind, pattern] of LABELS) if (pattern.test(text)) return { kind };
  return null;
}

/** Every recognized label/value pair on the given lines (lines in `skip` are table rows). */
export function findLabels(lines: readonly string[], skip: ReadonlySet<number>): LabeledValue[] {
  const out: LabeledValue[] = [];
  lines.forEach((line, i) => {
    if (skip.has(i) || line.trim() === '') return;
    for (const [label, value] of pairsOf(line)) {
      const kind = classifyLabel(label);
      if (kind !== null && value.trim() !== '')
        out.push({ ...kind, label: label.trim(), value: value.trim(), line: i });
    }
  });
  return out;
}

function pairsOf(line: string): [string, string][] {
  const split = splitLine(line);
  const cells = split.cells.map((c) => c.text).filter((t) => t !== '');
  if (split.layout !== 'space' && cells.length === 2 && !/:./.test(cells[0]!))
    return [[cells[0]!.replace(/:\s*$/, ''), cells[1]!]];
  const pairs: [string, string][] = [];
  cells.forEach((cell, k) => {
    const colon = cell.search(/:(?!\/\/)/);
    if (colon <= 0) return;
    const value = cell.slice(colon + 1).trim();
    // "Payment Amount:     $1,476.00": aligned, the value is the next cell.
    if (value === '' && k + 1 < cells.length && !cells[k + 1]!.includes(':'))
      pairs.push([cell.slice(0, colon), cells[k + 1]!]);
    else pairs.push([cell.slice(0, colon), value]);
  });
  if (pairs.length === 0 && split.layout === 'space' && cells.length === 2)
    pairs.push([cells[0]!, cells[1]!]);
  // "Check #100234": a label glued to its value by "#".
  if (pairs.length === 0 && cells.length === 1) {
    const hash = /^([A-Za-z][A-Za-z .]{1,30}?)\s*#\s*([A-Za-z0-9][\w\-/.]*)\s*$/.exec(cells[0]!);
    if (hash) pairs.push([`${hash[1]} #`, hash[2]!]);
  }
  return pairs;
}
