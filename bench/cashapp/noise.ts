/**
 * How customers and banks garble the references that reach us. Each function takes a document number
 * as we issued it ("INV-2026-001043") and returns what a customer's AP clerk typed, what their ERP
 * exported or what a bank field kept — or null when the noise cannot apply to that number (no
 * leading zeros to drop, no 0 or 1 to confuse), so the caller picks another document.
 */
import type { Rng } from '../../src/demo/prng.js';

export type RefNoise = 'leading_zeros' | 'separators' | 'prefix_missing' | 'ocr_swap' | 'typo' | 'truncated';

/** "INV-2026-001043" → "INV-2026-1043": zeros dropped from every numeric group after the first. */
export function dropLeadingZeros(ref: string): string | null {
  const parts = ref.split('-');
  if (parts.length < 2) return null;
  const out = parts.map((p, i) =>
    i >= 2 || (i === 1 && parts.length === 2) ? p.replace(/^0+(?=\d)/, '') : p,
  );
  const result = out.join('-');
  return result === ref ? null : result;
}

const SEPARATORS = ['/', ' ', '', '.', '_', ' - ', '#'] as const;

/** "INV-2026-001043" → "INV/2026/001043", "INV 2026 001043", "INV2026001043", "inv-2026-001043" … */
export function changeSeparators(rng: Rng, ref: string): string | null {
  if (!ref.includes('-')) return null;
  if (rng.chance(0.15)) return ref.toLowerCase().replaceAll('-', rng.pick([' ', '-', '']));
  const separator = rng.pick(SEPARATORS);
  // "#": "INV#2026-001043" — only the first separator changes, as in "Inv#" on a check stub.
  return separator === '#' ? ref.replace('-', '#') : ref.replaceAll('-', separator);
}

/** "INV-2026-001043" → "2026-001043", "2026001043" or "001043": the prefix (and maybe the year) left off. */
export function dropPrefix(rng: Rng, ref: string): string | null {
  const match = /^([A-Z]+)-(\d{4})-(\d+)$/.exec(ref);
  if (match === null) return null;
  const [, , year, seq] = match;
  return rng.weighted<string>([
    [`${year}-${seq}`, 55],
    [`${year}${seq}`, 20],
    [`${seq}`, 25],
  ]);
}

/** 0 read or typed as O, 1 as I or l, at one or two places among the digits. */
export function ocrSwap(rng: Rng, ref: string): string | null {
  const positions: number[] = [];
  for (let i = 0; i < ref.length; i++) if (ref[i] === '0' || ref[i] === '1') positions.push(i);
  if (positions.length === 0) return null;
  const chosen = rng.sample(positions, rng.chance(0.3) && positions.length > 1 ? 2 : 1);
  const chars = [...ref];
  for (const i of chosen) chars[i] = chars[i] === '0' ? 'O' : rng.pick(['I', 'l']);
  return chars.join('');
}

const NEIGHBOURS: Record<string, string> = {
  '0': '9',
  '1': '2',
  '2': '3',
  '3': '2',
  '4': '5',
  '5': '6',
  '6': '5',
  '7': '8',
  '8': '9',
  '9': '8',
};

/** One keying slip in the sequence digits: a neighbouring key, two digits swapped, or one left out. */
export function typo(rng: Rng, ref: string): string | null {
  const digits: number[] = [];
  // Only the last numeric group (the sequence number): a wrong year would be a different kind of error.
  const lastDash = ref.lastIndexOf('-');
  for (let i = lastDash + 1; i < ref.length; i++) if (ref[i]! >= '0' && ref[i]! <= '9') digits.push(i);
  if (digits.length < 3) return null;
  const chars = [...ref];
  const kind = rng.weighted<string>([
    ['substitute', 50],
    ['transpose', 35],
    ['delete', 15],
  ]);
  // Keep clear of the leading zeros: a slip there changes nothing a reader would notice.
  const significant = digits.filter((i) => ref.slice(lastDash + 1, i + 1).replace(/^0+/, '') !== '');
  if (significant.length < 2) return null;
  if (kind === 'transpose') {
    const pairs = significant
      .slice(0, -1)
      .filter((i) => chars[i] !== chars[i + 1] && significant.includes(i + 1));
    if (pairs.length === 0) return null;
    const i = rng.pick(pairs);
    [chars[i], chars[i + 1]] = [chars[i + 1]!, chars[i]!];
  } else if (kind === 'delete') {
    chars.splice(rng.pick(significant), 1);
  } else {
    const i = rng.pick(significant);
    chars[i] = NEIGHBOURS[chars[i]!]!;
  }
  const result = chars.join('');
  return result === ref ? null : result;
}

/** The last 1–3 characters cut off, as a bank field too short for the text leaves it. */
export function truncate(rng: Rng, ref: string): string | null {
  if (ref.length < 8) return null;
  return ref.slice(0, ref.length - rng.int(1, 3));
}

export function applyNoise(rng: Rng, noise: RefNoise, ref: string): string | null {
  switch (noise) {
    case 'leading_zeros':
      return dropLeadingZeros(ref);
    case 'separators':
      return changeSeparators(rng, ref);
    case 'prefix_missing':
      return dropPrefix(rng, ref);
    case 'ocr_swap':
      return ocrSwap(rng, ref);
    case 'typo':
      return typo(rng, ref);
    case 'truncated':
      return truncate(rng, ref);
  }
}

const OPENERS = [
  'PAYMENT FOR INVOICE',
  'PMT INV',
  'Payment of invoice no.',
  'RE: YOUR INVOICE',
  'SETTLEMENT OF INV',
  'INVOICE PAYMENT',
  'Pay inv#',
  'OUR REF 77123 YOUR INV',
];
const CLOSERS = ['THANK YOU', 'THANKS', 'REGARDS AP DEPT', 'PLS ALLOCATE', '', 'SEE REMITTANCE', 'ACCT 4471'];

/** References buried in a sentence of free text, with words and numbers that are not references. */
export function buryInText(rng: Rng, refs: readonly string[], payerHint: string): string {
  const shown = refs.map((r) =>
    rng.weighted<string>([
      [r, 40],
      [r.replace(/^[A-Z]+-/, ''), 35],
      [r.replaceAll('-', ' '), 25],
    ]),
  );
  const list =
    shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} AND ${shown[shown.length - 1]}`;
  const date = `${String(rng.int(1, 12)).padStart(2, '0')}/${String(rng.int(1, 28)).padStart(2, '0')}`;
  const parts = [rng.pick(OPENERS), list];
  if (rng.chance(0.4)) parts.push(`DATED ${date}`);
  if (rng.chance(0.3)) parts.push(`FROM ${payerHint}`);
  parts.push(rng.pick(CLOSERS));
  return parts.filter((p) => p !== '').join(' ');
}
