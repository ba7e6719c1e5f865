/**
 * Dates in remittance text: `2024-03-15`, `03/15/2024`, `15.03.2024`, `March 15, 2024`, `15th March 2024`,
 * `15-Mar-24`. The day/month order of `05/03/2024` is decided once per document: a date that proves it
 * (a part above 12) decides for all; otherwise the locale hint (decimal comma or a non-US currency means
 * day first) decides, and the caller is told the date was read by the hint.
 */
import { DATE_NEEDS_ORDER, DateReader, type DayMonthOrder } from '../formats/csv/dates.js';

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';

/** Date-shaped substrings, longest forms first. */
export const DATE_IN_TEXT = new RegExp(
  [
    '\\b\\d{4}-\\d{1,2}-\\d{1,2}\\b',
    '\\b\\d{1,2}[./-]\\d{1,2}[./-](?:\\d{4}|\\d{2})\\b',
    `\\b\\d{1,2}(?:st|nd|rd|th)?(?:\\s+of)?[\\s-]+${MONTH}[\\s,-]+\\d{4}\\b`,
    `\\b\\d{1,2}-${MONTH}-\\d{2}\\b`,
    `\\b${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b`,
  ].join('|'),
  'gi',
);

export interface FoundDate {
  index: number;
  end: number;
  text: string;
  /** YYYY-MM-DD, or null when the text is not a valid date. */
  date: string | null;
  /** True when the day/month order came from the hint, not from the document. */
  guessed: boolean;
}

/** Reads every date of one document with a shared day/month order. */
export class DocumentDates {
  private readonly reader = new DateReader();
  constructor(private readonly hint: DayMonthOrder) {}

  /** Learns the order from every date in `text` (call once with the whole document before `read`). */
  learn(text: string): void {
    for (const match of text.matchAll(DATE_IN_TEXT)) this.reader.read(clean(match[0]), null);
  }

  find(text: string): FoundDate[] {
    return [...text.matchAll(DATE_IN_TEXT)].map((m) => ({
      index: m.index ?? 0,
      end: (m.index ?? 0) + m[0].length,
      text: m[0],
      ...this.read(m[0]),
    }));
  }

  /** One date cell or label value; null when it is not a date. */
  read(text: string): { date: string | null; guessed: boolean } {
    const cleaned = clean(text);
    const first = this.reader.read(cleaned, null);
    if (typeof first === 'string') return { date: first, guessed: false };
    if (first !== DATE_NEEDS_ORDER) return { date: null, guessed: false };
    const probe = new DateReader();
    probe.order = this.hint;
    const second = probe.read(cleaned, null);
    return typeof second === 'string' ? { date: second, guessed: true } : { date: null, guessed: false };
  }
}

function clean(text: string): string {
  return text
    .trim()
    .replace(/(\d)(?:st|nd|rd|th)\b/gi, '$1')
    .replace(/\s+of\s+/i, ' ')
    .replace(/\s+/g, ' ');
}

/** Day first unless the document looks American (decimal point and dollars or no currency). */
export function orderHint(decimal: ',' | '.', currency: string | null): DayMonthOrder {
  if (decimal === ',') return 'DM';
  return currency === null || currency === 'USD' ? 'MD' : 'DM';
}
