import { nameSimilarity, nameTokens, referenceKey } from './normalize.js';
import { candidatesFromText } from './tokens.js';

/**
 * Which stored remittance advice belongs to which receipt, whichever arrived first. A payment
 * reference both sides quote (check number, trace, end-to-end id) is the strong link; the same
 * amount from a payer of the same name around the same date links only when nothing else could.
 */

export interface LinkReceipt {
  receiptId: string;
  currency: string;
  amountMinor: number;
  day: number;
  payerName: string | null;
  /** Every reference the bank gave for the payment. */
  references: (string | null)[];
  remittanceText: string | null;
  fileId: string | null;
}

export interface LinkAdvice {
  adviceId: string;
  currency: string | null;
  amountMinor: number | null;
  payer: string | null;
  /** Every payment reference the advice quotes, the main one first. */
  paymentReferences: string[];
  day: number | null;
  fileId: string;
}

export interface Link {
  adviceId: string;
  receiptId: string;
  score: number;
  reasons: string[];
}

const LINK_THRESHOLD = 0.7;
const DATE_WINDOW_DAYS = 15;

export function linkAdvices(receipts: readonly LinkReceipt[], advices: readonly LinkAdvice[]): Link[] {
  const byReference = new Map<string, LinkAdvice[]>();
  const byAmount = new Map<string, LinkAdvice[]>();
  for (const a of advices) {
    for (const key of new Set(a.paymentReferences.flatMap(paymentKeys))) push(byReference, key, a);
    if (a.amountMinor !== null) push(byAmount, `${a.currency ?? ''}:${a.amountMinor}`, a);
  }
  const receiptsByAmount = new Map<string, number>();
  for (const r of receipts) {
    const key = `${r.currency}:${r.amountMinor}`;
    receiptsByAmount.set(key, (receiptsByAmount.get(key) ?? 0) + 1);
  }
  const scored: Link[] = [];
  for (const r of receipts) {
    const keys = receiptKeys(r);
    const candidates = new Set<LinkAdvice>();
    for (const key of keys) for (const a of byReference.get(key) ?? []) candidates.add(a);
    for (const a of byAmount.get(`${r.currency}:${r.amountMinor}`) ?? []) candidates.add(a);
    for (const a of byAmount.get(`:${r.amountMinor}`) ?? []) candidates.add(a);
    for (const a of candidates) {
      const link = score(r, a, keys, receiptsByAmount, byAmount);
      if (link.score >= LINK_THRESHOLD) scored.push(link);
    }
  }
  return assign(scored);
}

function score(
  r: LinkReceipt,
  a: LinkAdvice,
  keys: Set<string>,
  receiptsByAmount: Map<string, number>,
  advicesByAmount: Map<string, LinkAdvice[]>,
): Link {
  const reasons: string[] = [];
  let s = 0;
  const quoted = a.paymentReferences.find((ref) => paymentKeys(ref).some((key) => keys.has(key)));
  if (quoted !== undefined) {
    s += 0.6;
    reasons.push(`payment reference ${quoted} on both`);
  }
  if (a.fileId === r.fileId) {
    s += 0.25;
    reasons.push('same file');
  }
  if (a.currency !== null && a.currency !== r.currency) s -= 1;
  if (a.amountMinor !== null) {
    if (a.amountMinor === r.amountMinor) {
      s += 0.3;
      reasons.push('same amount');
      const unique =
        receiptsByAmount.get(`${r.currency}:${r.amountMinor}`) === 1 &&
        (advicesByAmount.get(`${a.currency ?? ''}:${a.amountMinor}`)?.length ?? 0) === 1;
      if (unique) {
        s += 0.15;
        reasons.push('the only receipt and the only advice of that amount');
      }
    } else {
      s -= 0.5;
    }
  }
  if (r.payerName && a.payer) {
    const payerTokens = nameTokens(r.payerName);
    const similarity = Math.max(
      ...namePieces(a.payer).map((p) => nameSimilarity(payerTokens, nameTokens(p))),
    );
    if (similarity >= 0.8) {
      s += 0.2;
      reasons.push(`payer "${a.payer}" ~ "${r.payerName}"`);
    }
  }
  if (a.day !== null) {
    const apart = Math.abs(a.day - r.day);
    if (apart <= DATE_WINDOW_DAYS) s += 0.1;
    else if (apart > 2 * DATE_WINDOW_DAYS) s -= 0.3;
  }
  return { adviceId: a.adviceId, receiptId: r.receiptId, score: Math.round(s * 10_000) / 10_000, reasons };
}

/** Best links first; an advice goes to one receipt, and a close second choice means no link. */
function assign(scored: Link[]): Link[] {
  const byAdvice = new Map<string, Link[]>();
  for (const l of scored) push(byAdvice, l.adviceId, l);
  const clear: Link[] = [];
  for (const links of byAdvice.values()) {
    links.sort((a, b) => b.score - a.score);
    const [first, second] = links;
    if (first && (!second || first.score - second.score >= 0.2)) clear.push(first);
  }
  const taken = new Set<string>();
  const out: Link[] = [];
  for (const l of clear.sort((a, b) => b.score - a.score)) {
    // One advice per receipt unless each was named by reference (a payment split over advices).
    const strong = l.reasons.some((r) => r.startsWith('payment reference'));
    if (taken.has(l.receiptId) && !strong) continue;
    taken.add(l.receiptId);
    out.push(l);
  }
  return out;
}

/**
 * An e-mail's signature names the company with its department: "Accounts Payable | Globex Metals
 * Inc.", "Globex Metals Inc. - AP Department". Each piece is compared on its own.
 */
function namePieces(name: string): string[] {
  const pieces = name.split(/\s*[|;/]\s*|\s+[-–]\s+/).filter((p) => p.trim() !== '');
  return pieces.length > 1 ? [name, ...pieces] : [name];
}

function receiptKeys(r: LinkReceipt): Set<string> {
  const keys = new Set<string>();
  for (const ref of r.references) for (const key of paymentKeys(ref)) keys.add(key);
  for (const c of candidatesFromText(r.remittanceText)) for (const key of paymentKeys(c.text)) keys.add(key);
  return keys;
}

/** A reference as letters and digits without leading zeros, and (when long enough) its digits alone: "CHK 0100234" → CHK100234, 100234. */
function paymentKeys(reference: string | null): string[] {
  if (!reference) return [];
  const keys: string[] = [];
  const key = referenceKey(reference).replace(/^0+/, '');
  if (key.length >= 3) keys.push(key);
  const digits = reference.replace(/\D/g, '').replace(/^0+/, '');
  if (digits.length >= 5 && digits !== key) keys.push(digits);
  return keys;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
