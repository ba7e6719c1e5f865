/**
 * Deduction reasons. Customers write them in words ("short paid for damaged goods", "promo
 * allowance", "freight deducted"); X12 820s send ASC X12 element 426 codes in ADX02/RMR07 ("01"
 * pricing error, "54" freight deducted). Both are mapped to one short vocabulary — the deduction
 * families cash application uses (src/cashapp/core/reasons.ts: DAMAGED, SHORTAGE, PRICING, PROMOTION,
 * FREIGHT, RETURNS, COOP, TAX, COMPLIANCE) plus CREDIT_MEMO and DISCOUNT — so a deduction reads the
 * same whichever way it arrived. src/formats/x12-820 keeps the raw ADX code and has no list of its
 * own; `reasonFromX12` is the bridge. No reason word means null, never a guess.
 */

export type ReasonCode =
  | 'DAMAGED'
  | 'SHORTAGE'
  | 'PRICING'
  | 'PROMOTION'
  | 'FREIGHT'
  | 'RETURNS'
  | 'COOP'
  | 'TAX'
  | 'COMPLIANCE'
  | 'CREDIT_MEMO'
  | 'DISCOUNT';

export interface ReasonDefinition {
  code: ReasonCode;
  description: string;
  /** The nearest ASC X12 426 adjustment reason code, where there is one. */
  x12: string | null;
  /** Words that name the reason, matched case-insensitively on word boundaries. */
  pattern: RegExp;
}

export const REASONS: readonly ReasonDefinition[] = [
  {
    code: 'COOP',
    description: 'co-operative advertising / marketing allowance',
    x12: null,
    pattern:
      /\b(?:co-?op(?:erative)?(?:\s+advertising)?|advertising|ad\s+allowance|marketing\s+(?:allowance|fund|fee)|mdf)\b/i,
  },
  {
    code: 'PROMOTION',
    description: 'promotion, trade allowance or rebate',
    x12: null,
    pattern:
      /\b(?:promo(?:tion(?:al)?|s)?|trade\s+(?:allowance|spend|deal)|rebates?|slotting|display\s+allowance)\b/i,
  },
  {
    code: 'RETURNS',
    description: 'goods returned',
    x12: null,
    pattern: /\b(?:returns?|returned|rma|return\s+authori[sz]ation)\b/i,
  },
  {
    code: 'DAMAGED',
    description: 'damaged or defective goods',
    x12: '04',
    pattern: /\b(?:damaged?|damages|broken|breakage|defective|spoiled|crushed)\b/i,
  },
  {
    code: 'SHORTAGE',
    description: 'goods short-shipped or not received',
    x12: '06',
    pattern:
      /\b(?:shortages?|short[- ]?(?:shipped|shipment|delivery|delivered|ship)|missing\s+(?:items?|goods|cases|units|cartons)|not\s+received|quantity\s+(?:short|difference|discrepancy)|qty\s+short)\b/i,
  },
  {
    code: 'PRICING',
    description: 'price difference',
    x12: '01',
    pattern:
      /\b(?:pric(?:e|ing)(?:\s+(?:difference|discrepancy|error|variance|dispute|adjustment))?|overcharged?|over-?billed|wrong\s+price)\b/i,
  },
  {
    code: 'FREIGHT',
    description: 'freight or delivery charge deducted',
    x12: '54',
    pattern: /\b(?:freight|shipping(?:\s+charges?)?|delivery\s+charges?|postage|carriage)\b/i,
  },
  {
    code: 'TAX',
    description: 'tax deducted or disputed (sales tax, VAT, GST, withholding)',
    x12: '55',
    pattern: /\b(?:tax(?:es)?|vat|gst|hst|withholding)\b/i,
  },
  {
    code: 'COMPLIANCE',
    description: 'compliance chargeback (late delivery, labelling, routing, ASN)',
    x12: null,
    pattern:
      /\b(?:compliance|charge-?backs?|penalty|penalties|late\s+delivery|otif|labell?ing|routing\s+guide|asn)\b/i,
  },
  {
    code: 'CREDIT_MEMO',
    description: 'credit memo or credit note applied',
    x12: null,
    pattern: /\b(?:credit\s+(?:memo|note)s?)\b/i,
  },
  {
    code: 'DISCOUNT',
    description: 'early-payment or terms discount',
    x12: null,
    pattern:
      /\b(?:(?:early[- ]pay(?:ment)?|cash|prompt[- ]pay(?:ment)?|terms?)\s+discount|discount\s+taken)\b/i,
  },
];

/**
 * The reason a text names: the word that comes first in the text wins ("returned damaged goods" is a
 * return), null when no reason word is there.
 */
export function reasonFromText(text: string): ReasonCode | null {
  let best: { code: ReasonCode; index: number } | null = null;
  for (const reason of REASONS) {
    const match = reason.pattern.exec(text);
    if (match !== null && (best === null || match.index < best.index))
      best = { code: reason.code, index: match.index };
  }
  return best?.code ?? null;
}

/** An X12 426 adjustment reason code (as an 820 carries it in ADX02 or RMR07) in the same vocabulary. */
export function reasonFromX12(code: string | null): ReasonCode | null {
  if (code === null) return null;
  return X12_TO_REASON[code.trim().toUpperCase()] ?? null;
}

const X12_TO_REASON: Readonly<Record<string, ReasonCode>> = {
  '01': 'PRICING',
  '04': 'DAMAGED',
  '06': 'SHORTAGE',
  '11': 'RETURNS',
  '12': 'RETURNS',
  '13': 'RETURNS',
  '14': 'RETURNS',
  '15': 'RETURNS',
  '24': 'DISCOUNT',
  '43': 'DISCOUNT',
  '54': 'FREIGHT',
  '55': 'TAX',
};

/** A reason code written as one ("DAMAGED", "co-op", "credit memo") in a reason column. */
export function reasonCodeOf(value: string): ReasonCode | null {
  const key = value
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  const aliases: Record<string, ReasonCode> = {
    CO_OP: 'COOP',
    CREDIT_MEMO: 'CREDIT_MEMO',
    CM: 'CREDIT_MEMO',
  };
  const code = aliases[key] ?? key;
  return REASONS.some((r) => r.code === code) ? (code as ReasonCode) : null;
}
