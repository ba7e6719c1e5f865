import { minorUnitExponent } from '../../money/index.js';
import {
  type Allocation,
  allocateFromLines,
  allocateFromTotals,
  onAccountLine,
  paymentLine,
  withinTolerance,
} from './allocate.js';
import { type Book, CREDIT_MEMO, dayNumber } from './book.js';
import { familyScores, type PayerEvidence, payerEvidence } from './payer.js';
import { deductionReasonIn } from './reasons.js';
import { type DocumentHit, familyHits, globalHits, hit, referenceCandidates } from './references.js';
import { findSubsets } from './subset.js';
import { linesFromText } from './text-lines.js';
import type { AdviceLineInput, CashappSettings, Decision, Proposal, ReceiptInput } from './types.js';

const MAX_FAMILIES_TRIED = 3;
const MIN_FAMILY_SCORE = 0.3;
const MAX_SUGGESTIONS = 3;
/** A loose reference of a kind people confirmed for this customer counts nearly as an exact one. */
const LEARNED_QUALITY = 0.96;

/**
 * Decides what one receipt pays: who the payer is, which documents, how much of each, and how
 * sure that is. Pure: reads the book, changes nothing (the caller reserves what it posts).
 */
export function matchReceipt(book: Book, given: ReceiptInput, settings: CashappSettings): Decision {
  const receipt = withTextLines(given);
  const rejectedDocs = receipt.rejectedDocumentIds?.length ? new Set(receipt.rejectedDocumentIds) : null;
  const currency = receipt.currency;
  const usable = (d: number) =>
    book.openMinor[d]! > 0 &&
    book.documentCurrency[d] === currency &&
    (rejectedDocs === null || !rejectedDocs.has(book.documentId[d]!));
  const refs = referenceCandidates(receipt);
  const lineHits = refs.lines.map(({ candidate, line }) => {
    const found = globalHits(book, candidate, usable);
    for (const h of found) h.line = line; // fresh objects: set in place rather than copied
    return found;
  });
  const looseHits = refs.loose.map((c) => globalHits(book, c, usable));
  const evidence = weighReferences(
    book,
    payerEvidence(book, receipt),
    referenceEvidence(book, [...lineHits, ...looseHits]),
  );
  const scores = [...familyScores(book, evidence)].sort((a, b) => b[1] - a[1]);
  // Only a short pay asks, so the text is searched only then, and once.
  let reasonCode: string | null | undefined;
  const context: MatchContext = {
    book,
    settings,
    receipt,
    usable,
    evidence,
    lineHits,
    looseHits,
    candidates: refs,
    day: dayNumber(receipt.receiptDate),
    reasonCode: () => {
      if (reasonCode === undefined) reasonCode = deductionReasonOf(receipt);
      return reasonCode;
    },
  };
  const byFamily = scores
    .slice(0, MAX_FAMILIES_TRIED)
    .filter(([, score]) => score >= MIN_FAMILY_SCORE)
    .map(([root, score]) => ({ root, proposals: familyProposals(context, root, score) }));
  // Another family's proposal makes this one less likely — fully if its amounts agree, little if not.
  const proposals = discountedByRivals(byFamily);
  if (proposals.length === 0) proposals.push(...strangerSuggestions(book, receipt, usable));
  return decide(receipt, settings, proposals, scores);
}

/**
 * Another family's proposal makes this one less likely — fully if its amounts agree, little if
 * not. The proposals are this receipt's own, fresh objects: their confidence is set in place.
 */
function discountedByRivals(byFamily: { root: number; proposals: Proposal[] }[]): Proposal[] {
  const strongest = byFamily.map((f) => {
    let max = 0;
    for (const p of f.proposals) max = Math.max(max, p.reconciled ? p.confidence : p.confidence * 0.3);
    return max;
  });
  const out: Proposal[] = [];
  for (const [i, family] of byFamily.entries()) {
    let rival = 0;
    for (const [j, other] of byFamily.entries())
      if (j !== i && other.root !== family.root) rival = Math.max(rival, strongest[j]!);
    for (const p of family.proposals) {
      p.confidence = round4(p.confidence * (1 - 0.5 * rival));
      out.push(p);
    }
  }
  return out;
}

/** The deduction reason an advice line codes, else one named in the remittance's text. */
function deductionReasonOf(receipt: ReceiptInput): string | null {
  for (const advice of receipt.advices)
    for (const line of advice.lines)
      for (const adjustment of line.adjustments) if (adjustment.reasonCode) return adjustment.reasonCode;
  return deductionReasonIn(
    [receipt.remittanceText, ...receipt.advices.map((a) => a.text)].filter(Boolean).join(' '),
  );
}

/** Amounts per invoice written in the bank's free text count as an advice when no advice has amounts. */
function withTextLines(receipt: ReceiptInput): ReceiptInput {
  const hasAmounts = receipt.advices.some((a) => a.lines.some((l) => l.amountPaidMinor !== null));
  if (hasAmounts) return receipt;
  const lines = linesFromText(receipt.remittanceText, minorUnitExponent(receipt.currency));
  if (lines.length === 0) return receipt;
  return {
    ...receipt,
    advices: [
      ...receipt.advices,
      { adviceId: 'remittance-text', amountMinor: null, payer: null, text: null, lines },
    ],
  };
}

type MatchContext = {
  book: Book;
  settings: CashappSettings;
  receipt: ReceiptInput;
  usable: (d: number) => boolean;
  evidence: PayerEvidence[];
  lineHits: DocumentHit[][];
  looseHits: DocumentHit[][];
  candidates: ReturnType<typeof referenceCandidates>;
  day: number;
  reasonCode: () => string | null;
};

/**
 * When the payer is known from its account or name, a reference into another family is more
 * likely a mistyped number (dense invoice numbering makes most typos someone else's real number)
 * than a payment for someone else: it counts for less.
 */
function weighReferences(book: Book, payer: PayerEvidence[], references: PayerEvidence[]): PayerEvidence[] {
  const known = new Set(payer.filter((e) => e.score >= 0.9).map((e) => book.familyRoot[e.customer]));
  if (known.size === 0) return [...payer, ...references];
  const weighed = references.map((e) =>
    known.has(book.familyRoot[e.customer]!)
      ? e
      : { ...e, score: e.score * 0.3, reason: `${e.reason} (but the payer is another customer)` },
  );
  return [...payer, ...weighed];
}

/** A reference that names documents of one family only is evidence for that family. */
function referenceEvidence(book: Book, hitGroups: DocumentHit[][]): PayerEvidence[] {
  const out: PayerEvidence[] = [];
  for (const hits of hitGroups) {
    if (hits.length === 0) continue;
    const roots = new Set(hits.map((h) => book.familyRoot[book.documentCustomer[h.document]!]));
    const best = hits.reduce((a, b) => (b.quality > a.quality ? b : a));
    const customer = book.documentCustomer[best.document]!;
    const score = roots.size === 1 ? best.quality : best.quality * 0.4;
    out.push({
      customer,
      score,
      kind: 'reference',
      reason: `${best.token} names ${book.documentNumber[best.document]} of ${book.customers[customer]!.name}`,
    });
  }
  return out;
}

function familyProposals(m: MatchContext, root: number, familyConfidence: number): Proposal[] {
  const { book } = m;
  const payer = choosePayer(m, root);
  let familyDocsCache: number[] | null = null;
  const familyDocs = () => (familyDocsCache ??= book.documentsOfFamily(payer, m.usable));
  const inFamily = (h: DocumentHit) => book.familyRoot[book.documentCustomer[h.document]!] === root;
  const hits = new Map<number, DocumentHit>();
  const reasons = m.evidence
    .filter((e) => book.familyRoot[e.customer] === root && e.kind !== 'reference')
    .map((e) => e.reason);
  const take = (found: DocumentHit[]) => {
    for (const h of found) {
      const known = hits.get(h.document);
      if (!known || (known.line === null && h.line !== null) || h.quality > known.quality)
        hits.set(h.document, h);
    }
  };
  const unresolved: { candidate: string; line: AdviceLineInput }[] = [];
  const purchaseOrders: DocumentHit[][] = [];
  const groupCount = m.lineHits.length + m.looseHits.length;
  for (let g = 0; g < groupCount; g++) {
    const isLine = g < m.lineHits.length;
    const group = isLine ? m.lineHits[g]! : m.looseHits[g - m.lineHits.length]!;
    const candidate = isLine ? m.candidates.lines[g]!.candidate : m.candidates.loose[g - m.lineHits.length]!;
    const line = isLine ? m.candidates.lines[g]!.line : null;
    const own = group.filter(inFamily);
    const fits = line === null ? undefined : (d: number) => !hits.has(d) && fitsLine(m, d, line);
    let chosen: DocumentHit[] = [];
    // A mistyped number is often another customer's real one: look in the family all the same.
    if (own.length === 1) chosen = own;
    else if (own.length === 0)
      chosen = familyHits(book, candidate, familyDocs(), fits).map((h) => ({ ...h, line }));
    else {
      const fitting = fits ? own.filter((h) => fits(h.document)) : [];
      if (fitting.length === 1) {
        chosen = fitting;
        reasons.push(
          `${candidate.text} fits ${own.length} documents; only one has the advice line's amount open`,
        );
      } else if (line === null && own.every((h) => h.kind === 'po')) purchaseOrders.push(own);
      else reasons.push(`${candidate.text} fits ${own.length} documents; taken for none`);
    }
    take(chosen);
    if (line !== null && chosen.length === 0 && line.amountPaidMinor !== null)
      unresolved.push({ candidate: candidate.text, line });
  }
  if (hits.size === 0 && purchaseOrders.length === 1) {
    const { chosen, why } = purchaseOrderInvoices(m, purchaseOrders[0]!);
    take(chosen);
    reasons.push(why);
  }
  const stillUnresolved =
    hits.size > 0 && unresolved.length > 0 ? resolveByAmount(m, familyDocs(), hits, unresolved) : unresolved;
  if (hits.size > 0)
    return [referencedProposal(m, payer, [...hits.values()], familyConfidence, reasons, stillUnresolved)];
  return amountProposals(m, payer, familyDocs(), familyConfidence, reasons);
}

/**
 * A purchase order names every invoice billed against it, and a payment quoting it pays all of
 * them (what is short or over is then a discount, deduction or overpayment, judged like any named
 * set) — or exactly one subset of them, when only that subset adds up to the amount.
 */
function purchaseOrderInvoices(
  m: MatchContext,
  named: DocumentHit[],
): { chosen: DocumentHit[]; why: string } {
  const po = named[0]!.token;
  const opens = named.map((h) => m.book.openMinor[h.document]!);
  const total = opens.reduce((a, b) => a + b, 0);
  if (total <= m.receipt.amountMinor)
    return { chosen: named, why: `PO ${po} names ${named.length} open invoices, all taken` };
  const search = findSubsets(opens, m.receipt.amountMinor, {
    maxSteps: m.settings.subsetSearchMaxSteps,
    maxItems: m.settings.subsetMaxItems,
    maxSolutions: 2,
  });
  if (search.exhausted && search.solutions.length === 1)
    return {
      chosen: search.solutions[0]!.map((i) => ({ ...named[i]!, quality: named[i]!.quality * 0.95 })),
      why: `PO ${po} names ${named.length} open invoices; only ${search.solutions[0]!.length} of them add up to the amount`,
    };
  // Short of the whole order and no subset fits: all of them, judged as a short payment.
  return {
    chosen: named,
    why: `PO ${po} names ${named.length} open invoices; no subset adds up to the amount`,
  };
}

/**
 * Advice lines whose number fits no document, beside others that did: the family's only
 * unnamed open item whose balance is what the line settled is taken for it. Returns the lines
 * still unresolved.
 */
function resolveByAmount(
  m: MatchContext,
  familyDocs: readonly number[],
  hits: Map<number, DocumentHit>,
  unresolved: readonly { candidate: string; line: AdviceLineInput }[],
): { candidate: string; line: AdviceLineInput }[] {
  const left: { candidate: string; line: AdviceLineInput }[] = [];
  for (const u of unresolved) {
    const fitting = familyDocs.filter(
      (d) => !hits.has(d) && m.book.documentType[d] !== CREDIT_MEMO && fitsLine(m, d, u.line),
    );
    if (fitting.length === 1) {
      hits.set(fitting[0]!, {
        ...hit(fitting[0]!, 'amount', { text: u.candidate, structured: true }),
        line: u.line,
      });
    } else left.push(u);
  }
  return left;
}

/**
 * Whether a document's open balance is what an advice line says it settled: paid plus discount
 * and adjustments, paid alone, or paid plus the discount the terms allow today.
 */
function fitsLine(m: MatchContext, d: number, line: AdviceLineInput): boolean {
  const paid = line.amountPaidMinor;
  if (paid === null) return false;
  const open = m.book.openMinor[d]!;
  const taken = (line.discountMinor ?? 0) + line.adjustments.reduce((t, a) => t + Math.abs(a.amountMinor), 0);
  return (
    open === paid + taken ||
    open === paid ||
    open - m.book.discountAvailableMinor(d, m.day, m.settings.discountGraceDays) === paid
  );
}

/** The customer the cash is from: the receipt's own, the strongest payer evidence, the family's head. */
function choosePayer(m: MatchContext, root: number): number {
  const { book } = m;
  if (m.receipt.customerId !== null) {
    const c = book.customerIndex(m.receipt.customerId);
    if (c !== undefined && book.familyRoot[c] === root) return c;
  }
  // The strongest (the first of equals, as a stable sort would give) non-reference evidence in the family.
  let best: PayerEvidence | undefined;
  for (const e of m.evidence)
    if (book.familyRoot[e.customer] === root && e.kind !== 'reference' && (!best || e.score > best.score))
      best = e;
  if (best) return best.customer;
  const named = m.evidence.filter((e) => book.familyRoot[e.customer] === root);
  const customers = new Set(named.map((e) => e.customer));
  return customers.size === 1 ? [...customers][0]! : root;
}

function referencedProposal(
  m: MatchContext,
  payer: number,
  hits: DocumentHit[],
  familyConfidence: number,
  reasons: string[],
  unresolved: readonly { candidate: string; line: AdviceLineInput }[] = [],
): Proposal {
  const allocation = hits.some((h) => h.line?.amountPaidMinor != null)
    ? allocateFromLines(allocationContext(m), hits)
    : allocateFromTotals(allocationContext(m), hits);
  const learned = hits.filter(
    (h) => h.quality < LEARNED_QUALITY && m.book.hasHabit(m.book.documentCustomer[h.document]!, h.kind),
  );
  for (const h of learned) {
    h.quality = LEARNED_QUALITY;
    reasons.push(
      `${m.book.customers[m.book.documentCustomer[h.document]!]!.name} is known to quote invoices this way (${h.kind})`,
    );
  }
  const weakest = Math.min(...hits.map((h) => h.quality));
  // Amounts that agree to the cent with what a loose reference names corroborate it.
  const referenceConfidence = allocation.reconciled ? 1 - (1 - weakest) * 0.3 : weakest;
  const hitReasons = hits.map((h) => describeHit(m.book, h));
  // Cash the advice says paid a document we could not find is not an overpayment: a person looks.
  const onAccount = allocation.lines.some((l) => l.kind === 'on_account');
  const unresolvedCap = onAccount && unresolved.length > 0 ? 0.8 : 1;
  if (unresolvedCap < 1)
    reasons.push(
      `advice names ${unresolved.map((u) => u.candidate).join(', ')}, which fit no open document; the cash they account for is not taken as an overpayment`,
    );
  return proposal(payer, allocation, Math.min(unresolvedCap, familyConfidence * referenceConfidence), [
    ...hitReasons,
    ...allocation.reasons,
    ...reasons,
  ]);
}

function describeHit(book: Book, h: DocumentHit): string {
  const number = book.documentNumber[h.document]!;
  const where = h.line ? 'remittance advice' : h.structured ? 'payment reference' : 'remittance text';
  switch (h.kind) {
    case 'exact':
      return `${number} in ${where}`;
    case 'digits':
      return `${h.token} in ${where} is ${number} without prefix or separators`;
    case 'groups':
      return `${h.token} in ${where} is ${number} without leading zeros`;
    case 'po':
      return `${h.token} in ${where} is the PO number of ${number}`;
    case 'sequence':
      return `${h.token} in ${where} is the sequence number of ${number}`;
    case 'typo':
      return `${h.token} in ${where} is one character from ${number}`;
    case 'truncated':
      return `${h.token} in ${where} is ${number} cut short`;
    case 'amount':
      return `${h.token} in ${where} fits no document; ${number} is the payer's only open item for the line's amount`;
  }
}

function allocationContext(m: MatchContext) {
  return {
    book: m.book,
    settings: m.settings,
    amountMinor: m.receipt.amountMinor,
    day: m.day,
    reasonCode: m.reasonCode,
  };
}

function proposal(customer: number, a: Allocation, confidence: number, reasons: string[]): Proposal {
  return {
    customer,
    lines: a.lines,
    confidence: round4(confidence * a.quality),
    reconciled: a.reconciled,
    reasons: [...new Set(reasons)],
    scenario: a.scenario,
  };
}

/** No document named: the amount must equal exactly one set of the family's open items. */
function amountProposals(
  m: MatchContext,
  payer: number,
  familyDocs: number[],
  familyConfidence: number,
  reasons: string[],
): Proposal[] {
  const { book, settings, receipt } = m;
  const amount = receipt.amountMinor;
  const items = familyDocs
    .filter((d) => book.documentType[d] !== CREDIT_MEMO)
    .sort((a, b) => book.dueDay[a]! - book.dueDay[b]! || a - b);
  const opens = items.map((d) => book.openMinor[d]!);
  const search = findSubsets(opens, amount, {
    maxSteps: settings.subsetSearchMaxSteps,
    maxItems: settings.subsetMaxItems,
    maxSolutions: MAX_SUGGESTIONS,
  });
  const unique = search.exhausted && search.solutions.length === 1;
  const out: Proposal[] = search.solutions.map((solution) => {
    const docs = solution.map((i) => items[i]!).sort((a, b) => book.dueDay[a]! - book.dueDay[b]!);
    const names = docs.map((d) => book.documentNumber[d]).join(', ');
    const quality = unique ? (docs.length === 1 ? 0.97 : 0.96) : 0.6;
    const why = unique
      ? `amount equals the open balance of ${names}, and no other set of open items does`
      : search.exhausted
        ? `amount equals the open balance of ${names}; ${search.solutions.length} sets of open items do`
        : `amount equals the open balance of ${names}; the search stopped before proving it the only set`;
    return proposal(
      payer,
      {
        lines: docs.map((d) => paymentLine(d, book.openMinor[d]!)),
        quality,
        reconciled: true,
        reasons: [why],
        scenario: docs.length === 1 ? 'amount' : 'subset-sum',
      },
      familyConfidence,
      reasons,
    );
  });
  if (out.length === 0) out.push(...nearMisses(m, payer, items, familyConfidence, reasons));
  if (out.length === 0 && familyConfidence >= 0.9) {
    out.push(
      proposal(
        payer,
        {
          lines: [onAccountLine(amount)],
          quality: 0.45,
          reconciled: false,
          reasons: ['no open item or set of items matches the amount'],
          scenario: 'on-account',
        },
        familyConfidence,
        reasons,
      ),
    );
  }
  return out;
}

/** A single invoice paid with its discount, or short by no more than the write-off tolerance. */
function nearMisses(
  m: MatchContext,
  payer: number,
  items: number[],
  familyConfidence: number,
  reasons: string[],
): Proposal[] {
  const { book, settings, receipt } = m;
  const amount = receipt.amountMinor;
  const out: Proposal[] = [];
  const discounted = items.filter((d) => {
    const discount = book.discountAvailableMinor(d, m.day, settings.discountGraceDays);
    return discount > 0 && book.openMinor[d]! - discount === amount;
  });
  for (const d of discounted) {
    const discount = book.openMinor[d]! - amount;
    out.push(
      proposal(
        payer,
        {
          lines: [{ ...paymentLine(d, amount), discountMinor: discount }],
          quality: discounted.length === 1 ? 0.92 : 0.5,
          reconciled: true,
          reasons: [`amount equals ${book.documentNumber[d]} less its early-payment discount`],
          scenario: 'discount',
        },
        familyConfidence,
        reasons,
      ),
    );
  }
  const short = items.filter((d) =>
    withinTolerance(settings, book.openMinor[d]! - amount, book.openMinor[d]!),
  );
  for (const d of short.slice(0, MAX_SUGGESTIONS)) {
    out.push(
      proposal(
        payer,
        {
          lines: [
            {
              ...paymentLine(d, amount),
              writeOffMinor: book.openMinor[d]! - amount,
              writeOffReason: settings.writeOffReason,
            },
          ],
          quality: short.length === 1 ? 0.8 : 0.4,
          reconciled: false,
          reasons: [
            `amount is ${book.openMinor[d]! - amount} minor units short of ${book.documentNumber[d]}`,
          ],
          scenario: 'short-pay-write-off',
        },
        familyConfidence,
        reasons,
      ),
    );
  }
  return out;
}

/** Nobody recognised: documents anywhere whose open balance equals the amount, for a person. */
function strangerSuggestions(book: Book, receipt: ReceiptInput, usable: (d: number) => boolean): Proposal[] {
  const docs = book.documentsWithOpenAmount(receipt.amountMinor).filter(usable).slice(0, MAX_SUGGESTIONS);
  return docs.map((d) => {
    const customer = book.documentCustomer[d]!;
    return {
      customer,
      lines: [paymentLine(d, receipt.amountMinor)],
      confidence: round4(0.35 / docs.length),
      reasons: [
        `payer not recognised; ${book.documentNumber[d]} of ${book.customers[customer]!.name} is open for exactly the amount`,
      ],
      scenario: 'unidentified',
    };
  });
}

function decide(
  receipt: ReceiptInput,
  settings: CashappSettings,
  proposals: Proposal[],
  scores: [number, number][],
): Decision {
  const ranked = proposals.filter((p) => p.lines.length > 0).sort((a, b) => b.confidence - a.confidence);
  const best = ranked[0] ?? null;
  const runnerUp = ranked[1];
  let outcome: Decision['outcome'] =
    best === null
      ? 'unapplied'
      : best.confidence >= settings.autoThreshold
        ? 'auto'
        : best.confidence >= settings.proposeThreshold
          ? 'proposed'
          : 'unapplied';
  const reasons: string[] = [];
  if (outcome === 'auto' && runnerUp && runnerUp.confidence >= settings.autoThreshold - 0.05) {
    outcome = 'proposed';
    reasons.push('two proposals are nearly as likely; a person decides');
  }
  const topFamily = scores[0];
  const customer = best?.customer ?? (topFamily ? topFamily[0] : null);
  if (best === null) reasons.push(scores.length === 0 ? 'payer not identified' : 'no open items match');
  return {
    receiptId: receipt.receiptId,
    outcome,
    customer,
    customerConfidence: topFamily ? round4(topFamily[1]) : 0,
    best:
      outcome === 'unapplied' && best !== null && best.confidence < settings.proposeThreshold ? null : best,
    suggestions: ranked.slice(0, MAX_SUGGESTIONS),
    reasons,
  };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** After a proposal is posted, later receipts in the same run see what it left open. */
export function reserve(book: Book, p: Proposal): void {
  for (const line of p.lines) {
    if (line.kind === 'payment' && line.document !== null) {
      book.openMinor[line.document]! -= line.cashMinor + line.discountMinor + line.writeOffMinor;
    } else if (line.kind === 'credit_memo' && line.document !== null && line.creditDocument !== null) {
      book.openMinor[line.document]! -= line.amountMinor;
      book.openMinor[line.creditDocument]! -= line.amountMinor;
    }
  }
}
