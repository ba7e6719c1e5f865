import { allocateLargestRemainder, assertSafeMinor } from '../../money/index.js';
import { DisputeError } from './errors.js';

export type Outcome = 'valid' | 'invalid' | 'partial';
export const OUTCOMES: readonly Outcome[] = ['valid', 'invalid', 'partial'];

export const CASE_STATUSES = [
  'open',
  'waiting_on_customer',
  'waiting_on_internal',
  'resolved',
  'closed',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** Statuses a person may set by hand (resolved and closed come from resolve and close). */
export const WORKING_STATUSES: readonly CaseStatus[] = ['open', 'waiting_on_customer', 'waiting_on_internal'];
export const isLive = (s: string): boolean => s !== 'resolved' && s !== 'closed';

export interface PlannedResolution {
  outcome: Outcome;
  creditMinor: number;
  collectMinor: number;
  /** Credit per case line, in line order (largest remainder over the disputed amounts). */
  lineCredits: number[];
}

/**
 * What an outcome means in money. Valid: the whole disputed amount is credited. Invalid: nothing
 * is credited, the whole amount is collected back. Partial: the agreed credit (more than nothing,
 * less than the whole), the rest collected back. The credit is spread over the documents in
 * proportion to their disputed amounts (largest remainder, so it adds up exactly).
 */
export function planResolution(
  outcome: Outcome,
  lineAmounts: readonly number[],
  agreedCreditMinor: number | null,
): PlannedResolution {
  if (lineAmounts.length === 0) throw new DisputeError('no-lines', 'the case has no documents');
  for (const a of lineAmounts) assertSafeMinor(a, 'disputed amount');
  const total = assertSafeMinor(
    lineAmounts.reduce((s, a) => s + a, 0),
    'disputed total',
  );
  let credit: number;
  if (outcome === 'valid') {
    credit = agreedCreditMinor ?? total;
    if (credit !== total)
      throw new DisputeError(
        'outcome-mismatch',
        `a valid dispute credits the whole ${total}; for ${credit} use --outcome partial`,
      );
  } else if (outcome === 'invalid') {
    credit = agreedCreditMinor ?? 0;
    if (credit !== 0)
      throw new DisputeError('outcome-mismatch', 'an invalid dispute credits nothing; use --outcome partial');
  } else {
    if (agreedCreditMinor === null)
      throw new DisputeError('credit-missing', 'a partial outcome needs the agreed credit amount');
    credit = assertSafeMinor(agreedCreditMinor, 'credit');
    if (credit <= 0 || credit >= total)
      throw new DisputeError(
        'outcome-mismatch',
        `a partial credit must be more than 0 and less than the disputed ${total}, got ${credit}`,
      );
  }
  const lineCredits = credit === 0 ? lineAmounts.map(() => 0) : allocateLargestRemainder(credit, lineAmounts);
  return { outcome, creditMinor: credit, collectMinor: total - credit, lineCredits };
}

/** A credit above the company's threshold (in base currency) needs a second person's approval. */
export const needsApproval = (creditBaseMinor: number, thresholdMinor: number): boolean =>
  creditBaseMinor > thresholdMinor;

/** Base-currency value of part of a document, at the document's own booking ratio, half-even. */
export function baseShareOf(partMinor: number, amountMinor: number, baseAmountMinor: number): number {
  if (amountMinor <= 0) return 0;
  if (partMinor === amountMinor) return baseAmountMinor;
  const num = BigInt(partMinor) * BigInt(baseAmountMinor);
  const den = BigInt(amountMinor);
  let q = num / den;
  const r = num % den;
  if (r * 2n > den || (r * 2n === den && q % 2n === 1n)) q += 1n;
  return Number(q);
}

/** An e-mail address in `owner` ("a@b.c" or "Name <a@b.c>"), or null when it names no mailbox. */
export function mailboxOf(person: string): string | null {
  const angle = /<([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>/.exec(person);
  if (angle) return angle[1]!;
  const bare = person.trim();
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(bare) ? bare : null;
}
