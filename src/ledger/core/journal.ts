import { assertSafeMinor } from '../../money/index.js';
import type { AccountRole } from './accounts.js';
import { invariant } from './errors.js';

/** One journal line before it has an account code. Signed: debit positive, credit negative. */
export interface LineDraft {
  role: AccountRole;
  customerId: string | null;
  currency: string;
  amountMinor: number;
  baseAmountMinor: number;
}

export interface EntryDraft {
  postingDate: string;
  sourceType: string;
  sourceId: string | null;
  memo: string;
  reversesEntryId?: string | null;
  lines: LineDraft[];
}

/** Drops zero lines and asserts the entry balances in the base currency. */
export function finalizeEntry(entry: EntryDraft): EntryDraft {
  const lines = entry.lines.filter((l) => l.amountMinor !== 0 || l.baseAmountMinor !== 0);
  for (const line of lines) {
    assertSafeMinor(line.amountMinor, 'journal line amount');
    assertSafeMinor(line.baseAmountMinor, 'journal line base amount');
  }
  const total = lines.reduce((sum, l) => sum + l.baseAmountMinor, 0);
  invariant(total === 0, 'unbalanced', `journal entry "${entry.memo}" does not balance: off by ${total}`);
  invariant(lines.length >= 2, 'empty-entry', `journal entry "${entry.memo}" has fewer than two lines`);
  return { ...entry, lines };
}

export function debitTotal(entry: EntryDraft): number {
  return entry.lines.reduce((sum, l) => sum + Math.max(l.baseAmountMinor, 0), 0);
}

/** The mirror image of an entry: every line negated. */
export function reversalOf(entry: EntryDraft, postingDate: string, memo: string): EntryDraft {
  return {
    ...entry,
    postingDate,
    memo,
    lines: entry.lines.map((l) => ({
      ...l,
      amountMinor: -l.amountMinor,
      baseAmountMinor: -l.baseAmountMinor,
    })),
  };
}
