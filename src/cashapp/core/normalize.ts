/**
 * How references and payer names are made comparable. Customers retype invoice numbers: they drop
 * prefixes and leading zeros, change separators, confuse O with 0 and I/L with 1, and banks cut
 * names short and upper-case them. Each function here maps such variants onto one key.
 */

const LOOKALIKE: Record<string, string> = { O: '0', Q: '0', I: '1', L: '1' };

/** Upper case, letters and digits only, look-alike letters folded onto digits. */
export function referenceKey(text: string): string {
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
  return stripLeadingZeros(text.replace(/[^0-9]/g, ''));
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
