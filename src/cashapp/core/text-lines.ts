import { deductionReasonIn } from './reasons.js';
import type { AdviceLineInput } from './types.js';

/**
 * Amounts per invoice written in a bank's free-text remittance ("INV-1 213.25; INV-2 PAID 319.54
 * LESS 26.09 QUANTITY SHORTAGE"). Each segment (split at ";" or a line end) that starts with a
 * reference followed by an amount becomes a line; "LESS amount" is an adjustment with the reason
 * words around it. Segments that do not fit are ignored: the references still count, without amounts.
 */
const AMOUNT = /(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})(?![\d])/g;
const REFERENCE = /[A-Za-z]*[-/#]?\d[\w/-]*\d|[A-Za-z]+[-/#]?\d+/;
const MAX_SEGMENTS = 50;

export function linesFromText(text: string | null, exponent: number): AdviceLineInput[] {
  if (!text || exponent !== 2 || !/\d\.\d{2}/.test(text)) return [];
  const lines: AdviceLineInput[] = [];
  for (const segment of text.split(/;|\n/).slice(0, MAX_SEGMENTS)) {
    const reference = REFERENCE.exec(segment);
    if (!reference) continue;
    const after = segment.slice(reference.index + reference[0].length);
    const amounts = [...after.matchAll(AMOUNT)].map((m) => Number(`${m[1]!.replace(/,/g, '')}${m[2]}`));
    if (amounts.length === 0 || !amounts.every(Number.isSafeInteger)) continue;
    const discount = /\bDISC(OUNT)?\b/i.test(after);
    const less = /\bLESS\b|\bDEDUCT(ED|ION)?\b|\bSHORT\b/i.test(after);
    if (amounts.length === 1 && less) {
      // "INV-1 LESS DISC 0.94": the amount is what was taken off, not what was paid.
      lines.push({
        documentNumber: reference[0],
        amountPaidMinor: null,
        discountMinor: discount ? amounts[0]! : null,
        adjustments: discount
          ? []
          : [{ reasonCode: deductionReasonIn(after) ?? 'OTHER', amountMinor: amounts[0]! }],
      });
      continue;
    }
    const taken = less && amounts.length >= 2 ? amounts[1]! : null;
    lines.push({
      documentNumber: reference[0],
      amountPaidMinor: amounts[0]!,
      discountMinor: taken !== null && discount ? taken : null,
      adjustments:
        taken !== null && !discount
          ? [{ reasonCode: deductionReasonIn(after) ?? 'OTHER', amountMinor: taken }]
          : [],
    });
  }
  // One amount for one reference is how every bank writes "paid in full": only lists are informative.
  return lines.length >= 2 || lines.some((l) => l.adjustments.length > 0 || l.discountMinor !== null)
    ? lines
    : [];
}
