import { deductionReasonIn } from './reasons.js';
import type { AdviceLineInput } from './types.js';

/**
 * Amounts per invoice written in a bank's free-text remittance ("INV-1 213.25; INV-2 PAID 319.54
 * LESS 26.09 QUANTITY SHORTAGE"). The text is cut into segments at ";", line ends and bank field
 * tags ("DACT:", "REMI:"), so an account number in one field never takes the amounts of another.
 * Within a segment, the amounts written after a reference (up to the next reference) are that
 * reference's: "INV-1 INV-2 INV-3 PAID 1502.37 LESS 49.93 FREIGHT" pays INV-3 short by a freight
 * deduction and names INV-1 and INV-2 without amounts (the matcher takes those as paid in full).
 * "LESS amount" is an adjustment (or a discount, with "DISC") with the reason words around it.
 */
const AMOUNT = /(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})(?![\d])/g;
/** A document reference: letters and digits with separators, not part of an amount. */
const REFERENCE = /(?<![\w.,/-])(?:[A-Za-z]*[-/#]?\d[\w/-]*\d|[A-Za-z]+[-/#]?\d+)(?![\w/-]|[.,]\d)/g;
/** "01/15", "3-2": a date or a count in free text, not a document. */
const DATE_LIKE = /^\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?$/;
/** A field tag of BAI2 88 records and MT940 :86: texts starts a new segment. */
const SEGMENT_BREAK = /;|\n|\s(?=[A-Z]{2,5}:)/;
const MAX_SEGMENTS = 50;
const MAX_REFERENCES_PER_SEGMENT = 100;

export function linesFromText(text: string | null, exponent: number): AdviceLineInput[] {
  if (!text || exponent !== 2 || !/\d\.\d{2}/.test(text)) return [];
  const lines: AdviceLineInput[] = [];
  for (const segment of text.split(SEGMENT_BREAK).slice(0, MAX_SEGMENTS)) {
    const references = referencesIn(segment);
    references.forEach((reference, i) => {
      const end = references[i + 1]?.index ?? segment.length;
      const line = lineOf(reference.text, segment.slice(reference.index + reference.text.length, end));
      if (line !== null) lines.push(line);
    });
  }
  // One amount for one reference is how every bank writes "paid in full": only lists are informative.
  return lines.length >= 2 || lines.some((l) => l.adjustments.length > 0 || l.discountMinor !== null)
    ? lines
    : [];
}

function referencesIn(segment: string): { text: string; index: number }[] {
  const out: { text: string; index: number }[] = [];
  for (const m of segment.matchAll(REFERENCE)) {
    if (DATE_LIKE.test(m[0])) continue;
    out.push({ text: m[0], index: m.index });
    if (out.length >= MAX_REFERENCES_PER_SEGMENT) break;
  }
  return out;
}

/** The line a reference's own text makes ("PAID 319.54 LESS 26.09 SHORTAGE"), or null without amounts. */
function lineOf(documentNumber: string, after: string): AdviceLineInput | null {
  const amounts = [...after.matchAll(AMOUNT)].map((m) => Number(`${m[1]!.replace(/,/g, '')}${m[2]}`));
  if (amounts.length === 0 || !amounts.every(Number.isSafeInteger)) return null;
  const discount = /\bDISC(OUNT)?\b/i.test(after);
  const less = /\bLESS\b|\bDEDUCT(ED|ION)?\b|\bSHORT\b/i.test(after);
  if (amounts.length === 1 && less) {
    // "INV-1 LESS DISC 0.94": the amount is what was taken off, not what was paid.
    return {
      documentNumber,
      amountPaidMinor: null,
      discountMinor: discount ? amounts[0]! : null,
      adjustments: discount
        ? []
        : [{ reasonCode: deductionReasonIn(after) ?? 'OTHER', amountMinor: amounts[0]! }],
    };
  }
  const taken = less && amounts.length >= 2 ? amounts[1]! : null;
  return {
    documentNumber,
    amountPaidMinor: amounts[0]!,
    discountMinor: taken !== null && discount ? taken : null,
    adjustments:
      taken !== null && !discount
        ? [{ reasonCode: deductionReasonIn(after) ?? 'OTHER', amountMinor: taken }]
        : [],
  };
}
