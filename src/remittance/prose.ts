/**
 * What customers write in sentences: "please apply our payment of $12,345.67 (check 100234) to
 * invoices INV-1043, INV-1044 and INV-1050", "short paid INV-1050 by 150.00 for damaged goods",
 * "less credit memo CM-0007". Every reader here finds candidates with their position; extract.ts
 * decides between them. A document number is only taken where the words around it say it is one.
 */
import { absolute, type DecimalSeparator, findMoney, type Money, negate } from './amounts.js';
import type { DocumentDates, FoundDate } from './dates.js';
import type { ReferenceKind } from './labels.js';
import { type ReasonCode, reasonFromText } from './reasons.js';
import {
  type DocToken,
  documentTokens,
  isDocumentLike,
  looksLikeCreditMemo,
  looksLikeRange,
  shapeOf,
} from './tokens.js';

export interface PlacedMoney {
  index: number;
  end: number;
  money: Money;
}

/** The prose of one document (table rows blanked out so positions stay those of the full text). */
export class Prose {
  readonly moneys: PlacedMoney[];
  readonly tokens: DocToken[];
  readonly dates: FoundDate[];
  readonly sentences: { start: number; end: number }[];
  private readonly moneyByStart = new Map<number, PlacedMoney>();
  private readonly tokenByStart = new Map<number, DocToken>();

  constructor(
    readonly text: string,
    readonly decimal: DecimalSeparator,
    documentDates: DocumentDates,
  ) {
    this.dates = documentDates.find(text);
    // Character masks, so "is this inside an amount or a date" costs nothing per token.
    const inDate = new Uint8Array(text.length + 1);
    for (const d of this.dates) inDate.fill(1, d.index, d.end);
    this.moneys = findMoney(text, decimal).filter((m) => inDate[m.index] !== 1);
    this.moneyMask = new Uint8Array(text.length + 1);
    for (const m of this.moneys) this.moneyMask.fill(1, m.index, m.end);
    this.tokens = documentTokens(text).filter((t) => inDate[t.index] !== 1 && this.moneyMask[t.index] !== 1);
    for (const m of this.moneys) this.moneyByStart.set(m.index, m);
    for (const t of this.tokens) this.tokenByStart.set(t.index, t);
    this.sentences = splitSentences(text);
  }

  private readonly moneyMask: Uint8Array;

  moneyAt(index: number): PlacedMoney | undefined {
    return this.moneyByStart.get(index);
  }

  tokenAt(index: number): DocToken | undefined {
    return this.tokenByStart.get(index);
  }

  inMoney(index: number): boolean {
    return this.moneyMask[index] === 1;
  }

  /** Amounts lying wholly within [start, end). */
  moneysIn(start: number, end: number): PlacedMoney[] {
    return within(this.moneys, start, end);
  }

  /** Document-like tokens lying wholly within [start, end). */
  tokensIn(start: number, end: number): DocToken[] {
    return within(this.tokens, start, end);
  }

  sentenceOf(index: number): { start: number; end: number } {
    const k = lastStartingAtOrBefore(this.sentences, index, (s) => s.start);
    const sentence = k >= 0 ? this.sentences[k]! : undefined;
    return sentence !== undefined && index < sentence.end ? sentence : { start: index, end: index };
  }
}

/** Items sorted by `index`, those with index >= start and end <= end. */
function within<T extends { index: number; end: number }>(
  items: readonly T[],
  start: number,
  end: number,
): T[] {
  const out: T[] = [];
  for (let k = lastStartingAtOrBefore(items, start - 1, (i) => i.index) + 1; k < items.length; k++) {
    const item = items[k]!;
    if (item.index >= end) break;
    if (item.end <= end) out.push(item);
  }
  return out;
}

/** Binary search: the last item whose key is <= value, or -1. */
function lastStartingAtOrBefore<T>(items: readonly T[], value: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]!) <= value) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

// ---------------------------------------------------------------- sentences

const ABBREVIATIONS =
  /\b(?:inv|no|nos|nr|ref|approx|etc|inc|ltd|co|corp|vs|st|mr|ms|mrs|dr|jr|e\.g|i\.e|dept|acct|p\.o|po)\.$/i;

/**
 * Sentences: a blank line, a new bullet or label line, or ". " before a capital ends one; a line
 * wrapped at 72 characters does not ("…short paid INV-1050 by\n150.00 for damaged goods.").
 */
export function splitSentences(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  const push = (end: number) => {
    if (text.slice(start, end).trim() !== '') out.push({ start, end });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      const before = text.slice(text.lastIndexOf('\n', i - 1) + 1, i);
      const after = text.slice(
        i + 1,
        text.indexOf('\n', i + 1) < 0 ? text.length : text.indexOf('\n', i + 1),
      );
      const wrapped =
        before.trim().length >= 40 && /[\w,$€£)]$/.test(before.trimEnd()) && /^\s*[a-z0-9$€£(]/.test(after);
      if (!wrapped) push(i + 1);
    } else if (/[.!?]/.test(ch) && /^[ \t]+[A-Z(]/.test(text.slice(i + 1, i + 8))) {
      const word = text.slice(Math.max(0, i - 6), i + 1);
      if (!ABBREVIATIONS.test(word)) push(i + 1);
    }
  }
  push(text.length);
  return out;
}

// ---------------------------------------------------------------- invoice mentions

export type DocumentType = 'invoice' | 'credit-memo';

export interface DocMention {
  doc: string;
  index: number;
  type: DocumentType;
  paid: Money | null;
  invoiced: Money | null;
  /** Where the amount read for this document stands (not a payment total). */
  amountSpans: number[];
  via: 'list' | 'row' | 'deduction';
}

const INVOICE_KEYWORD =
  /(?<!\b(?:payment|check|cheque|remittance|transaction|wire|trace|bank|clearing)\s{1,3})\b(?:invoices?|invs?\b\.?|inv(?=#)|bills?|documents?|docs?\b\.?|rechnung(?:en|snummer|snr\.?)?|re-?nr\.?|factures?|facturas?|factuur|facturen)(?:\s*(?:nos?\b\.?|numbers?|nrs?\b\.?|#|:|refs?\b\.?|references?|(?:being\s+)?paid|covered|included|settled|listed(?:\s+below)?|as\s+follows|below))*\s*/gi;
const CREDIT_KEYWORD =
  /\b(?:credit\s*(?:memo|note)s?|cm\b\.?|credits?|(?:less|net\s+of|minus|deducting)(?=\s+#?(?:CM|CN|CR)))(?:\s*(?:nos?\b\.?|numbers?|nrs?\b\.?|#|:))*\s*/gi;
const APPLY_KEYWORD =
  /\bappl(?:y|ied|ying)\b[^.\n]{0,80}?\bto\b(?:\s+(?:the\s+)?following)?(?:\s+(?:open\s+)?items?)?[\s:]*/gi;

const LIST_SEPARATOR =
  /^(?:[\s,;&+/]|-(?=\s)|\band\b|\bund\b|\bet\b|\bplus\b|\bas\s+well\s+as\b|\binvoices?(?=[\s#:])|\binv\.?(?=[\s#:])|\bnos?\.?(?=[\s#:])|#|\bcredit\s*(?:memo|note)s?(?=[\s#:])|[•*])*/i;
const AMOUNT_LEAD =
  /^\s*(?:[:=@–—]|-\s|\bfor\b|\bof\b|\bin\s+the\s+amount\s+of\b|\b(?:amount|amt)(?:\s+(?:of|paid|applied))?\b|\bpaid\b|\bpayment\b)?\s*:?\s*/i;
const RANGE_WORD = /^\s*(?:through|thru|to|till|until|[-–])\s*(?:inv(?:oice)?s?\.?\s*)?#?\s*/i;

/** Document numbers listed after "invoice(s)", "credit memo", "apply … to"; ranges are set apart. */
export function findDocumentMentions(prose: Prose): { mentions: DocMention[]; ranges: string[] } {
  const mentions: DocMention[] = [];
  const ranges: string[] = [];
  const run = (keyword: RegExp, type: DocumentType) => {
    for (const match of prose.text.matchAll(keyword)) {
      const from = (match.index ?? 0) + match[0].length;
      readList(prose, from, type, mentions, ranges);
    }
  };
  run(INVOICE_KEYWORD, 'invoice');
  run(CREDIT_KEYWORD, 'credit-memo');
  run(APPLY_KEYWORD, 'invoice');
  return { mentions: dedupeMentions(mentions), ranges: [...new Set(ranges)] };
}

function readList(prose: Prose, from: number, type: DocumentType, out: DocMention[], ranges: string[]): void {
  const text = prose.text;
  let pos = from;
  let previous: DocToken | null = null;
  for (;;) {
    const gap = LIST_SEPARATOR.exec(text.slice(pos))![0];
    if (/\n\s*\n/.test(gap)) return;
    // Two numbers with only spaces between continue a list only when they look alike ("1043 1044").
    const token = prose.tokenAt(pos + gap.length);
    if (token === undefined || !isDocumentLike(token.text)) return;
    if (previous !== null && /^[ \t]+$/.test(gap) && shapeOf(token.text) !== shapeOf(previous.text)) return;
    pos = token.end;
    previous = token;
    if (looksLikeRange(token.text)) {
      ranges.push(token.text);
      continue;
    }
    const rangeWord = RANGE_WORD.exec(text.slice(pos));
    const rangeEnd = rangeWord ? prose.tokenAt(pos + rangeWord[0].length) : undefined;
    if (
      rangeWord &&
      rangeEnd &&
      isDocumentLike(rangeEnd.text) &&
      shapeOf(rangeEnd.text) === shapeOf(token.text)
    ) {
      ranges.push(text.slice(token.index, rangeEnd.end));
      pos = rangeEnd.end;
      previous = rangeEnd;
      continue;
    }
    const lead = AMOUNT_LEAD.exec(text.slice(pos))![0];
    const money = prose.moneyAt(pos + lead.length);
    const credit = type === 'credit-memo' || looksLikeCreditMemo(token.text);
    out.push({
      doc: token.text,
      index: token.index,
      type: credit ? 'credit-memo' : 'invoice',
      paid: money ? (credit ? creditAmount(money.money) : money.money) : null,
      invoiced: null,
      amountSpans: money ? [money.index] : [],
      via: 'list',
    });
    if (money) pos = money.end;
  }
}

/** A credit memo reduces the payment: its amount is negative however it was written. */
function creditAmount(money: Money): Money {
  return { ...money, value: negate(absolute(money.value)) };
}

function dedupeMentions(mentions: DocMention[]): DocMention[] {
  const seen = new Map<string, DocMention>();
  for (const m of mentions.sort((a, b) => a.index - b.index)) {
    const key = documentKey(m.doc);
    const prior = seen.get(key);
    if (prior === undefined) seen.set(key, m);
    else {
      prior.paid ??= m.paid;
      if (m.type === 'credit-memo') prior.type = 'credit-memo';
      prior.amountSpans.push(...m.amountSpans);
    }
  }
  return [...seen.values()];
}

/** How document numbers are compared: case, spaces and a leading "#" do not matter. */
export function documentKey(doc: string): string {
  return doc.toUpperCase().replace(/^#/, '').replace(/\s+/g, '');
}

// ---------------------------------------------------------------- rows without a header

/**
 * Lines that start with a document number and end with amounts ("INV-1043   03/01/2024   1,200.00"),
 * under a line that says they are invoices. Without that line they are only reported.
 */
export function findListedRows(prose: Prose): { rows: DocMention[]; unsure: string[] } {
  const rows: DocMention[] = [];
  const unsure: string[] = [];
  let context = false;
  let blanks = 0;
  for (const line of lineSpans(prose.text)) {
    const text = prose.text.slice(line.start, line.end);
    const row = rowOf(prose, line);
    if (row !== null) {
      if (context) rows.push(row);
      else unsure.push(row.doc);
      blanks = 0;
    } else if (text.trim() === '') {
      if (++blanks > 1) context = false;
    } else {
      blanks = 0;
      context = /\b(?:invoices?|inv\b|bills?|documents?|credit\s+memos?)\b/i.test(text);
    }
  }
  return { rows, unsure };
}

function rowOf(prose: Prose, line: { start: number; end: number }): DocMention | null {
  const text = prose.text.slice(line.start, line.end);
  const lead = /^\s*(?:[-*•]\s*)?#?/.exec(text)![0];
  const token = prose.tokenAt(line.start + lead.length);
  if (token === undefined || !isDocumentLike(token.text) || looksLikeRange(token.text)) return null;
  const moneys = prose.moneysIn(token.end, line.end);
  if (moneys.length === 0) return null;
  // Only dates, amounts and a few words may follow: a sentence is not a row.
  let rest = prose.text.slice(token.end, line.end);
  for (const m of [...moneys].reverse())
    rest = rest.slice(0, m.index - token.end) + rest.slice(m.end - token.end);
  rest = rest.replace(/\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b/g, '');
  // An explanation in parentheses ("(invoice $1,257.57, less $334.41 pricing error)") is part of the row.
  if (
    rest
      .replace(/\([^)]*\)/g, (p) => p.replace(/less|invoice|deducted|deduction/gi, ''))
      .replace(/[^A-Za-z]/g, '').length > 24
  )
    return null;
  const credit = looksLikeCreditMemo(token.text);
  const roles = moneys.map((m) => moneyRole(prose.text.slice(Math.max(line.start, m.index - 14), m.index)));
  // "less $334.41 …" is a deduction: left to the deduction reader, not the row's paid or invoiced amount.
  const kept = moneys.filter((_, k) => roles[k] !== 'taken');
  if (kept.length === 0) return null;
  const keptRoles = roles.filter((r) => r !== 'taken');
  const invoicedAt = keptRoles.indexOf('invoiced');
  const paidAt = keptRoles.indexOf('paid');
  const paid =
    paidAt >= 0
      ? kept[paidAt]!.money
      : invoicedAt >= 0
        ? (kept.find((_, k) => k !== invoicedAt) ?? kept[invoicedAt]!).money
        : kept[kept.length - 1]!.money;
  const invoiced = invoicedAt >= 0 ? kept[invoicedAt]!.money : kept.length >= 2 ? kept[0]!.money : null;
  return {
    doc: token.text,
    index: token.index,
    type: credit ? 'credit-memo' : 'invoice',
    paid: credit ? creditAmount(paid) : paid,
    invoiced: invoiced === paid ? null : invoiced,
    amountSpans: kept.map((m) => m.index),
    via: 'row',
  };
}

/** What the words just before an amount in a list row make of it. */
function moneyRole(before: string): 'taken' | 'invoiced' | 'paid' | null {
  if (/\b(?:less|minus|deduct(?:ed|ion|ing)?|short(?:\s+paid)?|withheld)\s*[:$€£]?\s*$/i.test(before))
    return 'taken';
  if (/\b(?:invoice(?:d)?|gross|original|inv\.?\s*amt|amount\s+due)\s*[:$€£]?\s*$/i.test(before))
    return 'invoiced';
  if (/\b(?:paid|net|payment|remitted)\s*[:$€£]?\s*$/i.test(before)) return 'paid';
  return null;
}

function lineSpans(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (const line of text.split('\n')) {
    out.push({ start, end: start + line.length });
    start += line.length + 1;
  }
  return out;
}

// ---------------------------------------------------------------- deductions

export interface FoundDeduction {
  /** Null for a deduction from the whole payment. */
  doc: string | null;
  amount: string;
  reason: ReasonCode | null;
  reasonText: string | null;
  sentence: string;
  moneyIndex: number;
}

const DEDUCTION_CUE =
  /\b(?:short[- ]?pa(?:id|y(?:ing|ment)?)|under[- ]?pa(?:id|y(?:ing|ment)?)|deduct(?:ed|ing|ions?|s)?|withh(?:e|o)ld(?:ing)?|charge[- ]?backs?|took\s+an?|taking\s+an?|less\b|minus\b|offset|reduced\s+by|withheld)/i;
const DOC_AFTER =
  /\b(?:short[- ]?paid|underpaid|paid|from|on|against|off|for|re:?)\s+(?:invoice|inv\.?)?\s*#?\s*$/i;
/** "INV-1050 was short paid …": the document before the words that say it was paid short. */
const DOC_BEFORE =
  /^\s*(?:was|is|has\s+been|were|got)?\s*(?:short[- ]?paid|underpaid|reduced|deducted|charged\s+back)\b/i;

/** A reason given for a document's deduction without an amount ("INV-1050 was short paid for damaged goods"). */
export interface DeductionNote {
  document_number: string;
  reason_code: ReasonCode | null;
  reason_text: string | null;
}

export interface DeductionResult {
  found: FoundDeduction[];
  /** Deduction sentences as written (for the advice's `deductions` text). */
  sentences: string[];
  /** Deduction sentences whose amounts could not be tied to documents. */
  notUnderstood: string[];
  /** Reasons given for documents' deductions without an amount: they explain a table's deduction column. */
  notes: DeductionNote[];
}

/**
 * Sentences that take something off the payment. A sentence with one document and one amount is a
 * deduction on that document; with no document, on the whole payment; with as many documents as
 * amounts in alternation, pairwise. Anything else is reported, not guessed.
 */
export function findDeductions(
  prose: Prose,
  knownDocs: ReadonlySet<string>,
  usedMoney: ReadonlySet<number>,
): DeductionResult {
  const result: DeductionResult = { found: [], sentences: [], notUnderstood: [], notes: [] };
  for (const sentence of prose.sentences) {
    const text = prose.text.slice(sentence.start, sentence.end);
    if (!DEDUCTION_CUE.test(text)) continue;
    const clean = text.replace(/\s+/g, ' ').trim();
    result.sentences.push(clean);
    const moneys = prose.moneysIn(sentence.start, sentence.end).filter((m) => !usedMoney.has(m.index));
    // Credit memos are documents of their own, not deductions from one.
    const docs = prose
      .tokensIn(sentence.start, sentence.end)
      .filter(
        (t) =>
          isDocumentLike(t.text) &&
          !looksLikeCreditMemo(t.text) &&
          (knownDocs.has(documentKey(t.text)) ||
            DOC_AFTER.test(prose.text.slice(sentence.start, t.index)) ||
            DOC_BEFORE.test(prose.text.slice(t.end, sentence.end))),
      );
    if (moneys.length === 0) {
      const reason = reasonFromText(text);
      const distinct = [...new Set(docs.map((d) => d.text))];
      if (distinct.length >= 1 && reason !== null)
        for (const doc of distinct)
          result.notes.push({ document_number: doc, reason_code: reason, reason_text: reasonPhrase(text) });
      else if (!/credit\s*(?:memo|note)|\bCM\b/i.test(text)) result.notUnderstood.push(clean);
      continue;
    }
    const pairs = pairUp(docs, moneys);
    if (pairs === null) {
      result.notUnderstood.push(clean);
      continue;
    }
    const reason = reasonFromText(text);
    const reasonText = reasonPhrase(text);
    for (const [doc, money] of pairs)
      result.found.push({
        doc: doc?.text ?? null,
        amount: negate(absolute(money.money.value)),
        reason,
        reasonText,
        sentence: clean,
        moneyIndex: money.index,
      });
  }
  return result;
}

function pairUp(docs: DocToken[], moneys: PlacedMoney[]): [DocToken | null, PlacedMoney][] | null {
  const distinct = docs.filter(
    (d, i) => docs.findIndex((e) => documentKey(e.text) === documentKey(d.text)) === i,
  );
  if (distinct.length === 0) return moneys.length === 1 ? [[null, moneys[0]!]] : null;
  if (distinct.length === 1 && moneys.length === 1) return [[distinct[0]!, moneys[0]!]];
  if (distinct.length !== moneys.length) return null;
  // "INV-1 by 10.00 and INV-2 by 20.00": each amount follows its document.
  const pairs: [DocToken, PlacedMoney][] = [];
  for (let k = 0; k < distinct.length; k++) {
    const doc = distinct[k]!;
    const money = moneys[k]!;
    const nextDoc = distinct[k + 1];
    if (money.index < doc.end || (nextDoc !== undefined && money.index > nextDoc.index)) return null;
    pairs.push([doc, money]);
  }
  return pairs;
}

function reasonPhrase(sentence: string): string | null {
  const pattern =
    /\b(?:for|due\s+to|because\s+of|re:?|reason:?|as)\s+([^.,;\n()]{3,80}?)\s*(?=[.,;\n()]|\s+(?:for|as|on|from|and)\s|$)/gi;
  for (const match of sentence.replace(/\s+/g, ' ').matchAll(pattern)) {
    const phrase = match[1]!.trim();
    // "for invoice INV-1050" or "for $150.00" names a document or an amount, not a reason.
    if (!/^(?:invoice|inv\b|the\s+amount|#?[\w$€£-]*\d)/i.test(phrase)) return phrase;
  }
  return null;
}

// ---------------------------------------------------------------- payment amount, date, references

export interface Candidate<T> {
  value: T;
  /** 3 label, 2 stated in words, 1 implied by a verb. */
  priority: number;
  index: number;
}

const PAYMENT_LEAD =
  /(?:\b(?:payments?|remittance|check|cheque|wire|transfer|ach|eft|deposit|remitting|remit|zahlung|(?:ü|ue)berweisung|paiement|virement|pago|transferencia|betaling)\b[^.\n]{0,60}?(?<![A-Za-zäöü])(?:of|for|totall?ing|amounting\s+to|in\s+the\s+amount\s+of|worth|(?:ü|ue)ber|von|in\s+h(?:ö|oe)he\s+von|de|van)|\b(?:in\s+the\s+)?amount\s+of|\btotal(?:l?ing)?(?:\s+of)?|\bsum\s+of)\s*:?\s*$/i;
const PAID_LEAD =
  /\b(?:we\s+(?:have\s+)?(?:paid|remitted|sent|transferred|wired|released|issued|initiated|made|processed)|(?:has|have)\s+been\s+(?:paid|remitted|sent|transferred|wired|released|initiated|processed)|(?:sent|wired|transferred|remitted|released|issued|initiated)\b)[^.\n]{0,30}?$/i;

/** Amounts the prose calls the payment ("our payment of $12,345.67", "we have sent $500.00"). */
export function paymentAmountCandidates(prose: Prose, usedMoney: ReadonlySet<number>): Candidate<Money>[] {
  const out: Candidate<Money>[] = [];
  for (const m of prose.moneys) {
    if (usedMoney.has(m.index)) continue;
    const sentence = prose.sentenceOf(m.index);
    const before = prose.text.slice(Math.max(sentence.start, m.index - 90), m.index);
    const deduction = DEDUCTION_CUE.test(prose.text.slice(sentence.start, sentence.end));
    const lead = PAYMENT_LEAD.exec(before);
    if (lead !== null && (!deduction || /payment|remit|check|cheque|wire|transfer/i.test(lead[0])))
      out.push({ value: m.money, priority: 2, index: m.index });
    else if (!deduction && PAID_LEAD.test(before)) out.push({ value: m.money, priority: 1, index: m.index });
  }
  return out;
}

const DATE_LEAD =
  /\b(?:paid|payment|sent|initiated|released|made|issued|dated|deposited|transferred|wired|scheduled|remitted|value\s+date|effective|settle[sd]?|processed|will\s+(?:post|arrive|settle|clear)|mailed)\b[^.\n]{0,25}?$/i;

/** Dates the prose gives for the payment ("ACH sent on March 15, 2024"); invoice dates are not. */
export function paymentDateCandidates(prose: Prose): Candidate<{ date: string; guessed: boolean }>[] {
  const out: Candidate<{ date: string; guessed: boolean }>[] = [];
  for (const d of prose.dates) {
    if (d.date === null) continue;
    const sentence = prose.sentenceOf(d.index);
    const before = prose.text.slice(Math.max(sentence.start, d.index - 50), d.index);
    if (/\binvoices?\b[^.\n]{0,20}$|\binv\b[^.\n]{0,20}$|\bdue\b[^.\n]{0,12}$/i.test(before)) continue;
    if (!DATE_LEAD.test(before)) continue;
    const sentenceText = prose.text.slice(sentence.start, sentence.end);
    if (
      !/\b(?:pa(?:id|yment)|remit|check|cheque|ach|wire|transfer|eft|deposit|sent|funds)/i.test(sentenceText)
    )
      continue;
    out.push({ value: { date: d.date, guessed: d.guessed }, priority: 1, index: d.index });
  }
  return out;
}

const REFERENCE_PATTERNS: ReadonlyArray<readonly [ReferenceKind, RegExp]> = [
  [
    'check',
    /\b(?:check|cheque|chk)\s*(?:no\b\.?|number|num\b\.?|nr\b\.?|#)?\s*[:#]?\s*(?<v>\d[\d-]{2,}[A-Z0-9]*)\b/gi,
  ],
  ['ach-trace', /\b(?:ach\s+)?trace\s*(?:no\b\.?|number|num\b\.?|#|id)?\s*[:#]?\s*(?<v>\d{6,})\b/gi],
  [
    'wire',
    /\bwire(?:\s+transfer)?\s*\(?\s*(?:ref(?:erence)?\b\.?|confirmation|conf\b\.?|no\b\.?|number|#|id|imad|omad)\s*[:#]?\s*(?<v>[A-Z0-9][A-Z0-9\-/]{3,})/gi,
  ],
  ['confirmation', /\bconfirmation\s*(?:no\b\.?|number|#|code|id)?\s*[:#]?\s*(?<v>[A-Z0-9][A-Z0-9-]{3,})/gi],
  [
    'payment-id',
    /\b(?:payment|remittance|transaction|eft|ach|transfer)\s*(?:ref(?:erence)?\b\.?|id|no\b\.?|number|#|nr\b\.?)\s*[:#]?\s*(?<v>[A-Z0-9][A-Z0-9\-/_.]{2,}[A-Z0-9])/gi,
  ],
  [
    'end-to-end',
    /\b(?:uetr|end[- ]to[- ]end(?:\s+id)?|e2e(?:\s+id)?)\s*[:#]?\s*(?<v>[A-Za-z0-9][A-Za-z0-9-]{5,})/gi,
  ],
  [
    'reference',
    /\b(?:our\s+)?ref(?:erence)?\b\.?\s*(?:no\b\.?|number|#)?\s*[:#]\s*(?<v>[A-Z0-9][A-Z0-9\-/_.]{2,}[A-Z0-9])/gi,
  ],
  // "(ref WR-44120)": without a colon only a value with letters and digits is taken.
  [
    'reference',
    /\bref(?:erence)?\b\.?\s+(?<v>(?=[A-Z0-9\-/]*[A-Z])(?=[A-Z\-/]*\d)[A-Z0-9][A-Z0-9\-/_.]{3,}[A-Z0-9])/gi,
  ],
];

export interface FoundReference {
  kind: ReferenceKind;
  value: string;
  index: number;
}

/** Payment references written in sentences or a subject line ("check 100234", "ACH trace 0210000…"). */
export function findReferences(text: string): FoundReference[] {
  const out: FoundReference[] = [];
  for (const [kind, pattern] of REFERENCE_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const value = cleanReference(match.groups!.v!);
      if (value === null) continue;
      out.push({ kind, value, index: (match.index ?? 0) + match[0].length - match.groups!.v!.length });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

export function cleanReference(raw: string): string | null {
  const value = raw.trim().replace(/[.,;:)]+$/, '');
  if (value.length < 4 || !/\d/.test(value)) return null;
  if (/^\d+[.,]\d{2}$/.test(value) || /^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$/.test(value)) return null;
  return value;
}

const METHODS: ReadonlyArray<readonly [string, RegExp]> = [
  ['wire', /\b(?:wire|wired|swift|fedwire)\b/i],
  ['ach', /\b(?:ach|eft|direct\s+deposit|bacs|giro)\b/i],
  ['sepa', /\bsepa\b/i],
  ['check', /\b(?:check|cheque|chk)\b/i],
  ['card', /\b(?:credit\s+card|card\s+payment|visa|mastercard|amex)\b/i],
];

/** How the customer says they paid: the method named first. */
export function paymentMethodOf(text: string): string | null {
  let best: { method: string; index: number } | null = null;
  for (const [method, pattern] of METHODS) {
    const match = pattern.exec(text);
    if (match && (best === null || match.index < best.index)) best = { method, index: match.index };
  }
  return best?.method ?? null;
}

// ---------------------------------------------------------------- payer

const COMPANY_SUFFIX =
  /(?:^|[\s,])(?:Inc|INC|Incorporated|LLC|L\.L\.C|Ltd|LTD|Limited|GmbH|AG|Corp|CORP|Corporation|Co|CO|Company|S\.A|SA|SAS|B\.V|BV|N\.V|NV|plc|PLC|LLP|LP|Pty|SARL|S\.r\.l|Srl|KG|Oy|AB|A\/S|SpA|S\.p\.A|Group|Industries|Holdings|Enterprises)\.?\s*$/;

export function hasCompanySuffix(name: string): boolean {
  return COMPANY_SUFFIX.test(name.trim());
}

const CLOSING =
  /^\s*(?:(?:(?:best|kind|warm|many)\s+)?(?:regards|thanks|thank\s+you|sincerely|cheers|respectfully|best|yours(?:\s+(?:truly|faithfully|sincerely))?)|mit\s+freundlichen\s+gr(?:ü|ue)(?:ß|ss)en|freundliche\s+gr(?:ü|ue)(?:ß|ss)e|cordialement|bien\s+cordialement|saludos(?:\s+cordiales)?|atentamente|met\s+vriendelijke\s+groet(?:en)?)[,.!]?\s*$/i;
const NOT_PAYER =
  /\b(?:dear|hi|hello|attn|attention|to|remit\s+to|pay\s+to|payee|vendor|bill\s+to|ship\s+to|sold\s+to)\b/i;

/** The paying company's name from a signature or a letterhead, when it carries a company suffix. */
export function payerCandidates(text: string, ownNames: readonly string[]): Candidate<string>[] {
  const lines = text.split('\n');
  const out: Candidate<string>[] = [];
  const own = (name: string) =>
    ownNames.some((n) => n !== '' && name.toLowerCase().includes(n.toLowerCase()));
  let closing = -1;
  lines.forEach((l, i) => {
    if (CLOSING.test(l)) closing = i;
  });
  if (closing >= 0) {
    const signature = lines.slice(closing + 1, closing + 8).map((l) => l.trim());
    const company = signature.find((l) => l !== '' && l.length <= 80 && hasCompanySuffix(l) && !own(l));
    if (company) out.push({ value: company.replace(/[,;]$/, ''), priority: 1, index: closing });
  }
  const head = lines
    .map((l, i) => ({ l: l.trim(), i }))
    .filter((x) => x.l !== '')
    .slice(0, 3);
  for (const { l, i } of head) {
    if (l.length <= 80 && hasCompanySuffix(l) && !NOT_PAYER.test(l) && !own(l) && !/:/.test(l))
      out.push({ value: l, priority: 0, index: i });
  }
  const phrase =
    /\b(?:payment\s+from|on\s+behalf\s+of|remitted\s+by|paid\s+by)\s+([A-Z][\w&.,' -]{1,60}?)(?=[.;\n(]|\s+(?:for|to|in|has|have|is|was)\b|$)/g;
  // "Initech Inc. has sent you a payment" (payment networks' notifications).
  const sender =
    /(?:^|[.!?]\s+|\n)([A-Z][\w&.,' -]{1,60}?)\s+(?:has|have)\s+(?:sent|paid|remitted|initiated|scheduled)\b/g;
  for (const pattern of [phrase, sender])
    for (const match of text.matchAll(pattern)) {
      const name = match[1]!.trim().replace(/,$/, '');
      if (hasCompanySuffix(name) && !own(name))
        out.push({ value: name, priority: 1, index: match.index ?? 0 });
    }
  return out;
}
