import type { Book } from './book.js';
import { isOneTypoApart, lastGroupKey, numericGroupsKey, referenceKey } from './normalize.js';
import { type Candidate, candidatesFromText } from './tokens.js';
import type { AdviceLineInput, ReceiptInput } from './types.js';

export type HitKind = 'exact' | 'digits' | 'groups' | 'po' | 'sequence' | 'typo' | 'truncated' | 'amount';

/** How sure a kind of reference match is that it names the document (before amounts agree). */
export const HIT_QUALITY: Record<HitKind, number> = {
  exact: 0.99,
  digits: 0.97,
  groups: 0.96,
  po: 0.9,
  sequence: 0.9,
  typo: 0.85,
  truncated: 0.82,
  /** An advice line whose number fits nothing: the one family document open for its amount. */
  amount: 0.8,
};

export interface DocumentHit {
  document: number;
  kind: HitKind;
  quality: number;
  /** The text in the remittance that named it. */
  token: string;
  structured: boolean;
  /** The remittance-advice line that named it, with its amounts, if any. */
  line: AdviceLineInput | null;
}

export interface ReferenceCandidates {
  /** Advice lines with a document number: the strongest, with amounts. */
  lines: { candidate: Candidate; line: AdviceLineInput }[];
  /** Everything else that might be a reference. */
  loose: Candidate[];
}

export function referenceCandidates(receipt: ReceiptInput): ReferenceCandidates {
  const lines: ReferenceCandidates['lines'] = [];
  for (const advice of receipt.advices) {
    for (const line of advice.lines) {
      if (line.documentNumber)
        lines.push({ candidate: { text: line.documentNumber, structured: true }, line });
    }
  }
  const loose = [
    ...(receipt.reference ? [{ text: receipt.reference, structured: true }] : []),
    ...candidatesFromText(receipt.remittanceText),
    ...receipt.advices.flatMap((a) => candidatesFromText(a.text)),
  ];
  if (lines.length === 0) return { lines, loose };
  const taken = new Set(lines.map((l) => referenceKey(l.candidate.text)));
  return { lines, loose: loose.filter((c) => !taken.has(referenceKey(c.text))) };
}

/** Documents a candidate names anywhere in the book: exact number, digits, numeric groups, PO. */
export function globalHits(
  book: Book,
  candidate: Candidate,
  usable: (doc: number) => boolean,
): DocumentHit[] {
  // Strongest kind first, and each looked up only when the stronger ones found nothing usable.
  return (
    usableHits(book.byExactReference(candidate.text), 'exact', candidate, usable) ??
    usableHits(book.byDigitsOf(candidate.text), 'digits', candidate, usable) ??
    usableHits(book.byNumericGroups(candidate.text), 'groups', candidate, usable) ??
    usableHits(book.byPurchaseOrder(candidate.text), 'po', candidate, usable) ??
    []
  );
}

function usableHits(
  docs: number[],
  kind: HitKind,
  candidate: Candidate,
  usable: (doc: number) => boolean,
): DocumentHit[] | null {
  let found: DocumentHit[] | null = null;
  for (const document of docs) {
    if (!usable(document)) continue;
    found ??= [];
    found.push(hit(document, kind, candidate));
  }
  return found;
}

/**
 * Looser matches, only among one family's documents: the sequence number quoted alone, one
 * character wrong or two swapped, a number cut short. A candidate that fits two documents
 * this loosely names neither.
 */
export function familyHits(
  book: Book,
  candidate: Candidate,
  documents: readonly number[],
  fits?: (doc: number) => boolean,
): DocumentHit[] {
  const key = referenceKey(candidate.text);
  if (key.length < 4) return [];
  const onlyDigits = /^\d+$/.test(candidate.text.trim());
  const sequence = onlyDigits ? numericGroupsKey(candidate.text) : null;
  const found: DocumentHit[] = [];
  for (const doc of documents) {
    const number = book.documentNumber[doc]!;
    const docKey = book.documentKey[doc]!;
    let kind: HitKind | null = null;
    if (sequence !== null && sequence.length >= 3 && lastGroupKey(number) === sequence) kind = 'sequence';
    else if (key.length >= 5 && isOneTypoApart(key, docKey)) kind = 'typo';
    else if (
      key.length >= 6 &&
      docKey.length - key.length <= 3 &&
      (docKey.startsWith(key) || docKey.endsWith(key))
    )
      kind = 'truncated';
    if (kind !== null) found.push(hit(doc, kind, candidate));
  }
  if (found.length === 1) return found;
  // Dense numbering puts several documents one typo from a number; the advice line's amount may
  // tell them apart (the only one whose open balance is what the line says was settled).
  const fitting = fits ? found.filter((h) => fits(h.document)) : [];
  return fitting.length === 1 ? fitting : [];
}

export function hit(document: number, kind: HitKind, candidate: Candidate): DocumentHit {
  const quality = HIT_QUALITY[kind] * (candidate.structured ? 1 : 0.99);
  return { document, kind, quality, token: candidate.text, structured: candidate.structured, line: null };
}
