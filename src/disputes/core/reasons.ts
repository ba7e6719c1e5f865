import { type FileIssue, shown } from './errors.js';
import { readTable, type TableRow } from './table.js';

/** A company's reason code: what a dispute is about, the key of routing and root-cause reports. */
export interface Reason {
  code: string;
  name: string;
  description?: string | null;
  active?: boolean;
}

export const REASON_CODE = /^[a-z][a-z0-9_]{0,39}$/;
export const UNIDENTIFIED = 'unidentified';

/** The catalogue a company starts with (it may rename, add and deactivate codes). */
export const DEFAULT_REASONS: readonly Reason[] = [
  { code: 'pricing', name: 'Pricing', description: 'price differs from the agreed price or the PO price' },
  { code: 'shortage', name: 'Shortage', description: 'fewer goods received than billed, or not received' },
  { code: 'damage', name: 'Damage', description: 'goods arrived damaged or defective' },
  { code: 'quality', name: 'Quality', description: 'goods refused or returned for quality' },
  { code: 'returns', name: 'Returns', description: 'goods returned (authorized or not)' },
  {
    code: 'promotion',
    name: 'Promotion / trade allowance',
    description: 'promotions, co-op, markdowns, volume allowances',
  },
  { code: 'freight', name: 'Freight', description: 'freight or delivery charges disputed' },
  { code: 'tax', name: 'Tax', description: 'sales tax or VAT disputed (exemption, rate)' },
  {
    code: 'duplicate_billing',
    name: 'Duplicate billing',
    description: 'billed twice, or the invoice should not exist',
  },
  {
    code: 'missing_po',
    name: 'Missing PO / documents',
    description: 'PO number or required documents missing',
  },
  { code: 'service_complaint', name: 'Service complaint', description: 'late delivery, poor service' },
  {
    code: 'compliance',
    name: 'Compliance chargeback',
    description: "retailer's fines: labels, ASN, routing, late delivery",
  },
  {
    code: 'unearned_discount',
    name: 'Unearned discount',
    description: 'discount taken after its date or not agreed',
  },
  { code: UNIDENTIFIED, name: 'Unidentified', description: 'no reason given or none recognized yet' },
];

/**
 * X12 element 426 (Adjustment Reason Code, as ADX02 of an 820 carries it) mapped to the default
 * catalogue. Codes not listed fall to `unidentified` until the company maps them.
 */
export const DEFAULT_X12_MAP: Readonly<Record<string, string>> = {
  '01': 'pricing', // Pricing Error
  '02': 'promotion', // Allowance/Charge Error
  '03': 'pricing', // Extension Error
  '04': 'damage', // Item Not Accepted - Damaged
  '05': 'quality', // Item Not Accepted - Quality
  '06': 'shortage', // Quantity Contested
  '07': 'returns', // Incorrect Product
  '08': 'pricing', // Substitute Product
  '09': 'unearned_discount', // Terms of Sale Error
  '10': 'freight', // Pallet/Container Charge Error
  '11': 'returns', // Returns - Damage
  '12': 'returns', // Returns - Quality
  '13': 'returns', // Returns - Dating
  '14': 'returns', // Returns - Promotion
  '15': 'returns', // Returns - Recall
  '16': 'promotion', // Non-Invoice Related Allowance/Charge
  '17': 'missing_po', // Required Data Missing
  '19': 'duplicate_billing', // Duplicate Billing
  '21': 'freight', // Shipment Method of Payment Incorrect
  '22': 'freight', // Weight Error
  '23': 'pricing', // Special Charge Not Authorized
  '24': 'unearned_discount', // Incorrect Discount
  '25': 'quality', // Item Not Accepted
  '26': 'duplicate_billing', // Invoice Cancelled
  '30': 'freight', // Delivery Charge Incorrect
  '31': 'freight', // Pickup Charge Incorrect
  '41': 'service_complaint', // Item Not Accepted - Delay
  '42': 'shortage', // Item Not Accepted - Loss
  '43': 'unearned_discount', // Missing Discount
  '44': 'missing_po', // Required Documents Missing
  '46': 'freight', // Transportation Charge Incorrect
  '54': 'freight', // Freight Deducted
  '55': 'tax', // Tax Deducted
  '56': 'promotion', // Advertising Allowance Taken
  '57': 'promotion', // Volume Discount Taken
  '59': 'shortage', // Item not received
  '62': 'pricing', // Material/Item Description Error
  '71': 'promotion', // Advertising Allowance
  '72': 'returns', // Authorized Return
};

/** The words cash application reads in remittance text (src/cashapp/core/reasons.ts) → catalogue. */
export const CASHAPP_WORD_MAP: Readonly<Record<string, string>> = {
  DAMAGED: 'damage',
  SHORTAGE: 'shortage',
  PRICING: 'pricing',
  PROMOTION: 'promotion',
  FREIGHT: 'freight',
  RETURNS: 'returns',
  COOP: 'promotion',
  TAX: 'tax',
  COMPLIANCE: 'compliance',
};

/** Words in a customer's free text (a claim, an e-mail) that name a reason, tried in order. */
const TEXT_WORDS: readonly [RegExp, string][] = [
  [/\bDUPLICATE\b|\bBILLED TWICE\b|\bDOUBLE BILL/, 'duplicate_billing'],
  [/\bNO PO\b|\bMISSING PO\b|\bPO (NUMBER )?(MISSING|REQUIRED)\b|\bW-?9\b/, 'missing_po'],
  [/\bDAMAGE(D|S)?\b|\bBROKEN\b|\bDEFECT(IVE)?\b/, 'damage'],
  [/\bSHORT(AGE|[- ]?SHIP(PED|MENT)?)\b|\bNOT RECEIVED\b|\bMISSING\b/, 'shortage'],
  [/\bPRIC(E|ING)\b|\bOVERCHARGE(D)?\b/, 'pricing'],
  [/\bPROMO(TION(AL)?)?\b|\bMARKDOWN\b|\bSCAN ?BACK\b|\bCO-?OP\b|\bALLOWANCE\b/, 'promotion'],
  [/\bFREIGHT\b|\bSHIPPING\b|\bDELIVERY CHARGE\b/, 'freight'],
  [/\bRETURN(S|ED)?\b|\bRMA\b/, 'returns'],
  [/\bTAX\b|\bVAT\b|\bEXEMPT(ION)?\b/, 'tax'],
  [/\bCOMPLIANCE\b|\bCHARGEBACK\b|\bPENALTY\b|\bFINE\b|\bASN\b/, 'compliance'],
  [/\bLATE DELIVERY\b|\bSERVICE\b|\bCOMPLAINT\b/, 'service_complaint'],
  [/\bDISCOUNT\b/, 'unearned_discount'],
  [/\bQUALITY\b|\bREJECTED\b/, 'quality'],
];

/** An external code as compared: trimmed, upper case, inner blanks squeezed. */
export const normalizeExternalCode = (code: string): string => code.trim().toUpperCase().replace(/\s+/g, ' ');

export interface ReasonMaps {
  /** Active catalogue codes. */
  catalogue: ReadonlySet<string>;
  /** X12 426 codes (normalized) → reason. */
  x12: ReadonlyMap<string, string>;
  /** customer id → (customer's own code, normalized → reason). */
  customer: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export type ReasonSource = 'given' | 'customer-code' | 'x12' | 'catalogue' | 'cashapp-word' | 'text' | 'none';

export interface ResolvedReason {
  reasonCode: string;
  via: ReasonSource;
  /** Why, in words (recorded on the case's opening event). */
  explanation: string;
}

/**
 * Which catalogue reason a dispute is about. In order: a code given by a person; the customer's own
 * code mapped for that customer; an X12 426 code; a catalogue code written as is; the reason word
 * cash application found; words in the reason text; otherwise `unidentified`. A code that maps to
 * an inactive or unknown reason is passed over.
 */
export function resolveReason(
  maps: ReasonMaps,
  input: {
    customerId: string;
    externalCode?: string | null;
    reasonText?: string | null;
    given?: string | null;
  },
): ResolvedReason {
  const known = (code: string | undefined): code is string => code !== undefined && maps.catalogue.has(code);
  if (input.given) {
    const given = input.given.trim().toLowerCase();
    if (known(given)) return { reasonCode: given, via: 'given', explanation: `reason ${given} given` };
  }
  const raw = input.externalCode ? normalizeExternalCode(input.externalCode) : '';
  if (raw !== '') {
    const own = maps.customer.get(input.customerId)?.get(raw);
    if (known(own))
      return { reasonCode: own, via: 'customer-code', explanation: `customer's code ${raw} → ${own}` };
    const x12 = maps.x12.get(raw);
    if (known(x12))
      return { reasonCode: x12, via: 'x12', explanation: `X12 adjustment code ${raw} → ${x12}` };
    const asIs = raw.toLowerCase();
    if (known(asIs))
      return { reasonCode: asIs, via: 'catalogue', explanation: `code ${raw} is a catalogue reason` };
    const word = CASHAPP_WORD_MAP[raw];
    if (known(word))
      return { reasonCode: word, via: 'cashapp-word', explanation: `remittance said ${raw} → ${word}` };
  }
  if (input.reasonText) {
    const upper = input.reasonText.toUpperCase();
    for (const [pattern, code] of TEXT_WORDS) {
      if (pattern.test(upper) && known(code)) {
        const m = pattern.exec(upper)!;
        return { reasonCode: code, via: 'text', explanation: `reason text says "${m[0]}" → ${code}` };
      }
    }
  }
  const code = maps.catalogue.has(UNIDENTIFIED) ? UNIDENTIFIED : ([...maps.catalogue][0] ?? UNIDENTIFIED);
  return {
    reasonCode: code,
    via: 'none',
    explanation: raw === '' ? 'no reason code given or recognized' : `code ${raw} is not mapped: ${code}`,
  };
}

// ------------------------------------------------------------------ the reasons file

export interface ReasonMapping {
  source: 'x12' | 'customer';
  /** Customer number, for source customer. */
  customer: string | null;
  code: string;
  reason: string;
}

export interface ReasonsFile {
  reasons: Reason[];
  mappings: ReasonMapping[];
}

export const MAX_REASONS = 500;
export const MAX_MAPPINGS = 100_000;

/**
 * Reads a reasons file: JSON `{ "reasons": [{code, name, description?, active?}], "mappings":
 * [{source: "x12"|"customer", customer?, code, reason}] }`, or CSV with columns
 * `type,code,name,customer,reason,description,active` where type is `reason`, `x12` or `customer`.
 * A mapping may name a reason defined in the same file or already in the catalogue (`known`).
 */
export function parseReasonsFile(
  name: string,
  text: string,
  known: ReadonlySet<string>,
): { file: ReasonsFile; issues: FileIssue[] } {
  const issues: FileIssue[] = [];
  const file: ReasonsFile = { reasons: [], mappings: [] };
  const isJson = name.toLowerCase().endsWith('.json') || text.trimStart().startsWith('{');
  const rows: { where: (field: string) => string; row: TableRow; type: string }[] = [];
  if (isJson) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      issues.push({ where: 'file', field: '(document)', expected: 'JSON', got: (error as Error).message });
      return { file, issues };
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      issues.push({
        where: '$',
        field: '(document)',
        expected: 'an object with reasons and mappings',
        got: shown(doc),
      });
      return { file, issues };
    }
    const o = doc as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (key !== 'reasons' && key !== 'mappings')
        issues.push({
          where: `$.${key}`,
          field: key,
          expected: 'reasons or mappings',
          got: 'an unknown key',
        });
    }
    for (const [list, type] of [
      ['reasons', 'reason'],
      ['mappings', null],
    ] as const) {
      const value = o[list];
      if (value === undefined) continue;
      if (!Array.isArray(value)) {
        issues.push({ where: `$.${list}`, field: list, expected: 'an array', got: shown(value) });
        continue;
      }
      value.forEach((item, i) => {
        const path = `${list}[${i}]`;
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
          issues.push({ where: path, field: '(entry)', expected: 'an object', got: shown(item) });
          return;
        }
        const row = item as TableRow;
        rows.push({ where: (f) => `${path}.${f}`, row, type: type ?? String(row.source ?? '') });
      });
    }
  } else {
    const table = readTable(text, ['type', 'code'], ['name', 'customer', 'reason', 'description', 'active']);
    issues.push(...table.issues);
    for (const r of table.rows)
      rows.push({ where: () => `line ${r.line}`, row: r.row, type: String(r.row.type ?? '') });
  }
  const defined = new Set(known);
  for (const r of rows)
    if (r.type === 'reason' && typeof r.row.code === 'string') defined.add(r.row.code.trim());
  const seenMap = new Set<string>();
  for (const { where, row, type } of rows) {
    const str = (field: string): string | null => {
      const v = row[field];
      if (v === undefined || v === null || v === '') return null;
      if (typeof v !== 'string') {
        issues.push({ where: where(field), field, expected: 'text', got: shown(v) });
        return null;
      }
      return v.trim();
    };
    if (type === 'reason') {
      const code = str('code');
      const nameText = str('name');
      if (code === null || !REASON_CODE.test(code))
        issues.push({
          where: where('code'),
          field: 'code',
          expected: 'a reason code: a-z, 0-9, _ (up to 40, starting with a letter)',
          got: shown(row.code),
        });
      if (nameText === null || nameText.length > 200)
        issues.push({
          where: where('name'),
          field: 'name',
          expected: 'a name of 1 to 200 characters',
          got: shown(row.name),
        });
      const active = row.active;
      let isActive = true;
      if (active !== undefined && active !== null && active !== '') {
        if (active === true || active === 'true' || active === 'yes') isActive = true;
        else if (active === false || active === 'false' || active === 'no') isActive = false;
        else
          issues.push({
            where: where('active'),
            field: 'active',
            expected: 'true or false',
            got: shown(active),
          });
      }
      if (code !== null && nameText !== null)
        file.reasons.push({ code, name: nameText, description: str('description'), active: isActive });
    } else if (type === 'x12' || type === 'customer') {
      const code = str('code');
      const reason = str('reason');
      const customer = str('customer');
      if (code === null || code.length > 40)
        issues.push({
          where: where('code'),
          field: 'code',
          expected: 'the external code (1 to 40 characters)',
          got: shown(row.code),
        });
      if (type === 'x12' && code !== null && !/^[A-Z0-9]{2,3}$/i.test(code))
        issues.push({
          where: where('code'),
          field: 'code',
          expected: 'an X12 426 adjustment reason code (2 letters or digits)',
          got: shown(code),
        });
      if (reason === null || !defined.has(reason))
        issues.push({
          where: where('reason'),
          field: 'reason',
          expected: 'a reason code of the catalogue or of this file',
          got: shown(row.reason),
        });
      if (type === 'customer' && customer === null)
        issues.push({
          where: where('customer'),
          field: 'customer',
          expected: 'the customer number',
          got: shown(row.customer),
        });
      if (type === 'x12' && customer !== null)
        issues.push({
          where: where('customer'),
          field: 'customer',
          expected: 'nothing (x12 codes are for every customer)',
          got: shown(customer),
        });
      if (code !== null && reason !== null) {
        const key = `${type}|${customer ?? ''}|${normalizeExternalCode(code)}`;
        if (seenMap.has(key))
          issues.push({
            where: where('code'),
            field: 'code',
            expected: 'each code mapped once per customer',
            got: `${shown(code)} again`,
          });
        seenMap.add(key);
        file.mappings.push({ source: type, customer, code: normalizeExternalCode(code), reason });
      }
    } else {
      issues.push({
        where: where(isJson ? 'source' : 'type'),
        field: isJson ? 'source' : 'type',
        expected: isJson ? 'x12 or customer' : 'reason, x12 or customer',
        got: shown(type),
      });
    }
  }
  if (file.reasons.length > MAX_REASONS)
    issues.push({
      where: 'file',
      field: 'reasons',
      expected: `at most ${MAX_REASONS}`,
      got: String(file.reasons.length),
    });
  if (file.mappings.length > MAX_MAPPINGS)
    issues.push({
      where: 'file',
      field: 'mappings',
      expected: `at most ${MAX_MAPPINGS}`,
      got: String(file.mappings.length),
    });
  return { file, issues };
}
