/**
 * How references and payer names are made comparable. Customers retype invoice numbers: they drop
 * prefixes and leading zeros, change separators, confuse O with 0 and I/L with 1, and banks cut
 * names short and upper-case them. Each function here maps such variants onto one key.
 */

const LOOKALIKE: Record<string, string> = { O: '0', Q: '0', I: '1', L: '1' };

/** Upper case, letters and digits only, look-alike letters folded onto digits. */
export function referenceKey(text: string): string {
  return referenceKeyAscii(text) ?? referenceKeyGeneral(text);
}

function referenceKeyGeneral(text: string): string {
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '')
    .replace(/[OQIL]/g, (ch) => LOOKALIKE[ch]!);
}

/**
 * The digits of a reference read as numeric groups with leading zeros dropped, joined by "."
 * ("INV-2026-0001043" → "2026.1043"). Catches a missing prefix, other separators and dropped zeros.
 * Look-alike letters count as digits only between digits ("2O26" → "2026", "INV" stays a prefix).
 */
export function numericGroupsKey(text: string): string {
  return numericGroupsKeyAscii(text) ?? numericGroupsKeyGeneral(text);
}

function numericGroupsKeyGeneral(text: string): string {
  const upper = text.toUpperCase();
  const groups: string[] = [];
  let current = '';
  for (let i = 0; i < upper.length; i++) {
    const ch = upper[i]!;
    const digit = ch >= '0' && ch <= '9' ? ch : lookalikeBetweenDigits(upper, i);
    if (digit !== null) {
      current += digit;
    } else if (current.length > 0) {
      groups.push(stripLeadingZeros(current));
      current = '';
    }
  }
  if (current.length > 0) groups.push(stripLeadingZeros(current));
  return groups.join('.');
}

function lookalikeBetweenDigits(upper: string, i: number): string | null {
  const mapped = LOOKALIKE[upper[i]!];
  if (mapped === undefined) return null;
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  return isDigit(upper[i - 1]) && isDigit(upper[i + 1]) ? mapped : null;
}

function stripLeadingZeros(digits: string): string {
  const stripped = digits.replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}

/** All the digits of a reference, leading zeros dropped ("INV-2026-0001043" → "20260001043"). */
export function digitsKey(text: string): string {
  return digitsKeyAscii(text) ?? stripLeadingZeros(text.replace(/[^0-9]/g, ''));
}

/** The last numeric group: the sequence number that customers often quote alone ("1043"). */
export function lastGroupKey(text: string): string {
  const groups = numericGroupsKey(text);
  const dot = groups.lastIndexOf('.');
  return dot < 0 ? groups : groups.slice(dot + 1);
}

/** Levenshtein distance capped at `limit + 1` (we only ever ask "is it at most one?"). */
export function editDistanceAtMost(a: string, b: string, limit: number): boolean {
  if (Math.abs(a.length - b.length) > limit) return false;
  if (limit === 0) return a === b;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return false;
    previous = current;
  }
  return previous[b.length]! <= limit;
}

/** Also counts two adjacent characters swapped as one typo (Damerau), the commonest keying slip. */
export function isOneTypoApart(a: string, b: string): boolean {
  if (a === b) return false;
  if (a.length === b.length) {
    const diffs: number[] = [];
    for (let i = 0; i < a.length && diffs.length <= 2; i++) if (a[i] !== b[i]) diffs.push(i);
    if (diffs.length === 1) return true;
    if (diffs.length === 2) {
      const [i, j] = diffs as [number, number];
      return j === i + 1 && a[i] === b[j] && a[j] === b[i];
    }
    return false;
  }
  return editDistanceAtMost(a, b, 1);
}

const LEGAL_SUFFIXES = new Set([
  'INC',
  'INCORPORATED',
  'LLC',
  'LLP',
  'LP',
  'LTD',
  'LIMITED',
  'CORP',
  'CORPORATION',
  'CO',
  'COMPANY',
  'PLC',
  'GMBH',
  'AG',
  'KG',
  'SA',
  'SAS',
  'SARL',
  'SRL',
  'SPA',
  'BV',
  'NV',
  'AB',
  'AS',
  'OY',
  'PTY',
  'PTE',
  'KK',
  'ULC',
  'THE',
]);

const ABBREVIATIONS: Record<string, string> = {
  INTL: 'INTERNATIONAL',
  INT: 'INTERNATIONAL',
  MFG: 'MANUFACTURING',
  MFRS: 'MANUFACTURERS',
  BROS: 'BROTHERS',
  SVCS: 'SERVICES',
  SVC: 'SERVICES',
  SERV: 'SERVICES',
  TECH: 'TECHNOLOGIES',
  TECHNOLOGY: 'TECHNOLOGIES',
  SYS: 'SYSTEMS',
  DIST: 'DISTRIBUTION',
  DISTR: 'DISTRIBUTION',
  ASSOC: 'ASSOCIATES',
  GRP: 'GROUP',
  HLDGS: 'HOLDINGS',
  IND: 'INDUSTRIES',
  INDS: 'INDUSTRIES',
  NATL: 'NATIONAL',
  AMER: 'AMERICA',
  MGMT: 'MANAGEMENT',
  ENT: 'ENTERPRISES',
  SOLNS: 'SOLUTIONS',
  SOL: 'SOLUTIONS',
  LABS: 'LABORATORIES',
  LAB: 'LABORATORIES',
  ST: 'SAINT',
  MT: 'MOUNT',
  '&': 'AND',
};

/** Payer-name words: upper case, no accents or punctuation, abbreviations spelled out, legal forms dropped. */
export function nameTokens(name: string): string[] {
  const plain = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/&/g, ' AND ')
    .replace(/\.(?=[A-Z]\.)/g, '') // "U.S.A." → "USA."
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
  if (plain === '') return [];
  const tokens = plain.split(' ').map((t) => ABBREVIATIONS[t] ?? t);
  const kept = tokens.filter((t) => !LEGAL_SUFFIXES.has(t));
  return kept.length > 0 ? kept : tokens;
}

/** A payer name's key regardless of word order: the sorted distinct words. */
export function nameKey(name: string): string {
  return [...new Set(nameTokens(name))].sort().join(' ');
}

/**
 * How alike two payer names are, 0..1: word overlap, where a word cut short by the bank counts as
 * present ("ACME WIDGETS INTERNATI" vs "Acme Widgets International").
 */
export function nameSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const shorter = a.length <= b.length ? a : b;
  const longer = shorter === a ? b : a;
  let matched = 0;
  const used = new Set<number>();
  for (const word of shorter) {
    const at = longer.findIndex((w, i) => !used.has(i) && wordsMatch(word, w));
    if (at >= 0) {
      used.add(at);
      matched++;
    }
  }
  return (2 * matched) / (a.length + b.length);
}

function wordsMatch(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length >= 4 && long.startsWith(short)) return true;
  return short.length >= 5 && isOneTypoApart(a, b);
}

// ASCII fast paths, a million times per run (every document number is keyed three ways): char codes
// into one buffer instead of regular expressions and per-character strings. Same results as the
// general versions, which take any text with other characters.

const CODES = new Uint16Array(256);

/** One reusable argument list per length: a key then costs one string, not a typed-array view too. */
const ARGS: number[][] = Array.from({ length: CODES.length + 1 }, (_, n) => new Array<number>(n).fill(0));

function fromCodes(n: number): string {
  const args = ARGS[n]!;
  for (let i = 0; i < n; i++) args[i] = CODES[i]!;
  return String.fromCharCode.apply(null, args);
}

const isAsciiDigit = (c: number) => c >= 48 && c <= 57;

/** O, Q → 0 and I, L → 1 (upper-case codes); -1 for any other. */
function lookalikeDigit(c: number): number {
  return c === 79 || c === 81 ? 48 : c === 73 || c === 76 ? 49 : -1;
}

function referenceKeyAscii(text: string): string | null {
  if (text.length > CODES.length) return null;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 128) return null;
    if (c >= 97 && c <= 122) c -= 32;
    if (isAsciiDigit(c)) CODES[n++] = c;
    else if (c >= 65 && c <= 90) {
      const d = lookalikeDigit(c);
      CODES[n++] = d < 0 ? c : d;
    }
  }
  return fromCodes(n);
}

function numericGroupsKeyAscii(text: string): string | null {
  if (text.length * 2 > CODES.length) return null;
  let n = 0;
  let groupStart = -1;
  for (let i = 0; i < text.length; i++) {
    const c = upperCodeAt(text, i);
    if (c >= 128) return null;
    let digit = isAsciiDigit(c) ? c : -1;
    if (digit < 0) {
      const mapped = lookalikeDigit(c);
      if (
        mapped >= 0 &&
        i > 0 &&
        i + 1 < text.length &&
        isAsciiDigit(upperCodeAt(text, i - 1)) &&
        isAsciiDigit(upperCodeAt(text, i + 1))
      )
        digit = mapped;
    }
    if (digit >= 0) {
      if (groupStart < 0) {
        if (n > 0) CODES[n++] = 46;
        groupStart = n;
      }
      CODES[n++] = digit;
    } else if (groupStart >= 0) {
      n = closeGroup(groupStart, n);
      groupStart = -1;
    }
  }
  if (groupStart >= 0) n = closeGroup(groupStart, n);
  return fromCodes(n);
}

// Module-level helpers rather than closures: this runs per document number and per reference, and
// a closure made per call (named, under tsx's keepNames) costs an allocation and a defineProperty.
function upperCodeAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 97 && c <= 122 ? c - 32 : c;
}

/** Drops the leading zeros of the group from `groupStart` (a group of zeros is "0"); the new length. */
function closeGroup(groupStart: number, n: number): number {
  let start = groupStart;
  while (start < n - 1 && CODES[start] === 48) start++;
  if (start === groupStart) return n;
  CODES.copyWithin(groupStart, start, n);
  return n - (start - groupStart);
}

function digitsKeyAscii(text: string): string | null {
  if (text.length > CODES.length) return null;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) return null;
    if (isAsciiDigit(c) && (n > 0 || c !== 48)) CODES[n++] = c;
  }
  return n === 0 ? '0' : fromCodes(n);
}

/** The general versions, for the test that compares the fast paths with them. */
export const generalKeys = {
  referenceKey: referenceKeyGeneral,
  numericGroupsKey: numericGroupsKeyGeneral,
  digitsKey: (text: string) => stripLeadingZeros(text.replace(/[^0-9]/g, '')),
};
