/**
 * Candidate references in remittance text. Bank remittance fields are free text ("PAYMENT INV
 * 2026-1043 / 1044 THANK YOU"): a candidate is any word with enough digits, plus each word joined
 * with the one before it (a prefix split off by a space). Amounts and dates are left out.
 */

const MAX_CANDIDATES = 64;
const SEPARATORS = /[\s,;:()[\]{}<>"'|*+!?=]+/;
const AMOUNT = /^[$€£]?-?\d{1,3}([.,\s]\d{3})*[.,]\d{2}-?$/;
const DATE = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$/;

export interface Candidate {
  text: string;
  /** Where it came from: a structured field is stronger evidence than a word in prose. */
  structured: boolean;
}

export function candidatesFromText(text: string | null, structured = false): Candidate[] {
  if (!text) return [];
  const words = text
    .split(SEPARATORS)
    .map((w) => w.replace(/^[#.\-/]+|[.\-/]+$/g, ''))
    .filter((w) => w.length > 0);
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (candidate: string) => {
    if (out.length >= MAX_CANDIDATES || seen.has(candidate)) return;
    seen.add(candidate);
    out.push({ text: candidate, structured });
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const digits = digitCount(word);
    // "INV-7" is a reference; "7" or "NO" alone are not.
    const enough = digits >= 3 || (digits >= 1 && word.length >= 3 && /[A-Za-z]/.test(word));
    const looksLikeReference = enough && !AMOUNT.test(word) && !DATE.test(word);
    if (looksLikeReference) {
      add(word);
      // "INV 2026-1043", "INV# 1043": a short alphabetic prefix split off by a space.
      const before = words[i - 1];
      if (before && /^[A-Za-z]{1,5}$/.test(before)) add(`${before}${word}`);
      for (const part of slashParts(word)) add(part);
    }
  }
  return out;
}

/** "1043/1044/1045" or "INV-1043/44": several references in one word. */
function slashParts(word: string): string[] {
  if (!word.includes('/')) return [];
  const parts = word.split('/').filter((p) => p.length > 0);
  if (parts.length < 2) return [];
  const first = parts[0]!;
  const out = [first];
  for (const part of parts.slice(1)) {
    // A short tail replaces the end of the first ("INV-1043/44" → "INV-1044").
    out.push(
      /^\d+$/.test(part) && part.length < first.length
        ? first.slice(0, first.length - part.length) + part
        : part,
    );
  }
  return out;
}

function digitCount(word: string): number {
  let n = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}
