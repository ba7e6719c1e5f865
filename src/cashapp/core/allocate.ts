import { type Book, CREDIT_MEMO } from './book.js';
import type { DocumentHit } from './references.js';
import type { CashappSettings, ProposedLine } from './types.js';

/** What an allocation rule produced, before the payer's and the references' doubts are folded in. */
export interface Allocation {
  lines: ProposedLine[];
  /** How sure the split of the amount is, 0..1. */
  quality: number;
  /** The amounts agree exactly with what the references name (corroborates loose references). */
  reconciled: boolean;
  reasons: string[];
  scenario: string;
}

export interface AllocationContext {
  book: Book;
  settings: CashappSettings;
  amountMinor: number;
  day: number;
  /** A deduction reason found in the remittance, if any: asked only of a short pay (it searches the text). */
  reasonCode: () => string | null;
}

export function paymentLine(document: number, cashMinor: number): ProposedLine {
  return {
    kind: 'payment',
    document,
    creditDocument: null,
    cashMinor,
    discountMinor: 0,
    writeOffMinor: 0,
    writeOffReason: null,
    deductionMinor: 0,
    deductionReasonCode: null,
    amountMinor: 0,
  };
}

function creditLine(creditDocument: number, document: number, amountMinor: number): ProposedLine {
  return { ...paymentLine(document, 0), kind: 'credit_memo', creditDocument, amountMinor };
}

export function onAccountLine(amountMinor: number): ProposedLine {
  return { ...paymentLine(-1, 0), kind: 'on_account', document: null, amountMinor };
}

export function withinTolerance(settings: CashappSettings, shortMinor: number, dueMinor: number): boolean {
  return (
    shortMinor > 0 &&
    shortMinor <= settings.writeOffMaxMinor &&
    shortMinor * 10_000 <= dueMinor * settings.writeOffMaxBasisPoints
  );
}

const num = (book: Book, doc: number) => book.documentNumber[doc]!;

/**
 * Credit memos the payer named are taken against the named invoices first (largest open first);
 * returns the credit lines and what is left due on each invoice.
 */
function takeCredits(book: Book, invoices: number[], credits: number[]) {
  const due = new Map(invoices.map((d) => [d, book.openMinor[d]!]));
  const lines: ProposedLine[] = [];
  for (const credit of credits) {
    let left = book.openMinor[credit]!;
    // The ledger nets a credit memo only against its own customer's documents.
    const own = invoices.filter((d) => book.documentCustomer[d] === book.documentCustomer[credit]);
    for (const invoice of own.sort((a, b) => due.get(b)! - due.get(a)!)) {
      const take = Math.min(left, due.get(invoice)!);
      if (take <= 0) continue;
      lines.push(creditLine(credit, invoice, take));
      due.set(invoice, due.get(invoice)! - take);
      left -= take;
      if (left === 0) break;
    }
  }
  return { lines, due };
}

/** The payer named documents but no amounts per document: the amount must explain itself. */
export function allocateFromTotals(ctx: AllocationContext, hits: readonly DocumentHit[]): Allocation {
  const { book, settings } = ctx;
  const invoices = hits
    .map((h) => h.document)
    .filter((d) => book.documentType[d] !== CREDIT_MEMO)
    .sort((a, b) => book.dueDay[a]! - book.dueDay[b]! || a - b);
  const credits = hits.map((h) => h.document).filter((d) => book.documentType[d] === CREDIT_MEMO);
  if (invoices.length === 0) {
    return {
      lines: [],
      quality: 0,
      reconciled: false,
      reasons: ['only credit memos named'],
      scenario: 'credit-only',
    };
  }
  const { lines: creditLines, due } = takeCredits(book, invoices, credits);
  const totalDue = sum(invoices.map((d) => due.get(d)!));
  const amount = ctx.amountMinor;
  const names = invoices.map((d) => num(book, d)).join(', ');
  const creditNote =
    creditLines.length > 0 ? ` less credit ${credits.map((d) => num(book, d)).join(', ')}` : '';

  if (amount === totalDue) {
    return {
      lines: [...creditLines, ...invoices.map((d) => paymentLine(d, due.get(d)!))],
      quality: 0.995,
      reconciled: true,
      reasons: [`amount equals the open balance of ${names}${creditNote}`],
      scenario: invoices.length > 1 ? 'reference-combined' : 'reference',
    };
  }
  const discounts = invoices.map((d) =>
    due.get(d) === book.openMinor[d]
      ? book.discountAvailableMinor(d, ctx.day, settings.discountGraceDays)
      : 0,
  );
  const totalDiscount = sum(discounts);
  if (totalDiscount > 0 && amount === totalDue - totalDiscount) {
    return {
      lines: [
        ...creditLines,
        ...invoices.map((d, i) => ({
          ...paymentLine(d, due.get(d)! - discounts[i]!),
          discountMinor: discounts[i]!,
        })),
      ],
      quality: 0.99,
      reconciled: true,
      reasons: [`amount equals ${names}${creditNote} less the early-payment discount within terms`],
      scenario: 'discount',
    };
  }
  if (amount > totalDue) {
    return {
      lines: [
        ...creditLines,
        ...invoices.map((d) => paymentLine(d, due.get(d)!)),
        onAccountLine(amount - totalDue),
      ],
      quality: overpaymentQuality(amount, amount - totalDue),
      reconciled: true,
      reasons: [`amount exceeds the open balance of ${names}${creditNote}; the excess stays on account`],
      scenario: 'overpayment',
    };
  }
  return shortPay(ctx, invoices, due, creditLines, totalDue, names);
}

function shortPay(
  ctx: AllocationContext,
  invoices: number[],
  due: Map<number, number>,
  creditLines: ProposedLine[],
  totalDue: number,
  names: string,
): Allocation {
  const { book, settings } = ctx;
  const shortMinor = totalDue - ctx.amountMinor;
  // The difference lands on the last invoice able to hold it (the newest, by due date).
  const target = [...invoices].reverse().find((d) => due.get(d)! >= shortMinor);
  const single = invoices.length === 1;
  const fullLines = (adjust: (line: ProposedLine) => ProposedLine) =>
    invoices.map((d) =>
      d === target ? adjust(paymentLine(d, due.get(d)! - shortMinor)) : paymentLine(d, due.get(d)!),
    );
  if (target !== undefined && withinTolerance(settings, shortMinor, totalDue)) {
    return {
      lines: [
        ...creditLines,
        ...fullLines((l) => ({ ...l, writeOffMinor: shortMinor, writeOffReason: settings.writeOffReason })),
      ],
      quality: single ? 0.97 : 0.95,
      reconciled: true,
      reasons: [`short by ${shortMinor} minor units on ${names}: within the write-off tolerance`],
      scenario: 'short-pay-write-off',
    };
  }
  const reasonCode = target !== undefined ? ctx.reasonCode() : null;
  if (target !== undefined && reasonCode !== null) {
    return {
      lines: [
        ...creditLines,
        ...fullLines((l) => ({ ...l, deductionMinor: shortMinor, deductionReasonCode: reasonCode })),
      ],
      quality: single ? 0.95 : 0.8,
      reconciled: single,
      reasons: [
        `short by ${shortMinor} minor units on ${book.documentNumber[target]}: deduction (${reasonCode}) left open`,
      ],
      scenario: 'deduction',
    };
  }
  // A partial payment: oldest first, the rest stays open.
  let left = ctx.amountMinor;
  const lines: ProposedLine[] = [...creditLines];
  for (const d of invoices) {
    const cash = Math.min(left, due.get(d)!);
    if (cash > 0) lines.push(paymentLine(d, cash));
    left -= cash;
  }
  return {
    lines,
    quality: single ? 0.95 : 0.7,
    reconciled: false,
    reasons: [`partial payment of ${names}: ${shortMinor} minor units stay open`],
    scenario: 'partial',
  };
}

/** The payer said what it paid on each document (a remittance advice): take its word, checked. */
export function allocateFromLines(ctx: AllocationContext, hits: readonly DocumentHit[]): Allocation {
  const { book, settings } = ctx;
  const reasons: string[] = [];
  const lines: ProposedLine[] = [];
  const invoiceHits = hits.filter((h) => book.documentType[h.document] !== CREDIT_MEMO);
  const creditHits = hits.filter((h) => book.documentType[h.document] === CREDIT_MEMO);
  const { lines: creditLines, due } = takeCredits(
    book,
    invoiceHits.map((h) => h.document),
    creditHits.map((h) => h.document),
  );
  lines.push(...creditLines);
  let cashTotal = 0;
  let exact = true;
  let deductions = 0;
  for (const h of invoiceHits) {
    const d = h.document;
    const open = due.get(d)!;
    let discount = h.line?.discountMinor ?? 0;
    const adjustmentsMinor = sum((h.line?.adjustments ?? []).map((a) => Math.abs(a.amountMinor)));
    // A line that says only what was taken off was paid in full otherwise.
    const paid = h.line?.amountPaidMinor ?? Math.max(0, open - discount - adjustmentsMinor);
    if (
      discount === 0 &&
      paid < open &&
      open - paid === book.discountAvailableMinor(d, ctx.day, settings.discountGraceDays)
    ) {
      discount = open - paid;
    }
    const adjustments = h.line?.adjustments ?? [];
    const adjustedMinor = sum(adjustments.map((a) => Math.abs(a.amountMinor)));
    const line = paymentLine(d, Math.min(paid, open - Math.min(discount, open)));
    line.discountMinor = Math.min(discount, open - line.cashMinor);
    const short = open - line.cashMinor - line.discountMinor;
    if (paid > open) {
      reasons.push(`${num(book, d)}: paid ${paid} against ${open} open`);
      exact = false;
    } else if (short > 0 && (adjustedMinor > 0 || ctx.reasonCode() !== null)) {
      line.deductionMinor = short;
      line.deductionReasonCode =
        adjustments.find((a) => a.reasonCode)?.reasonCode ?? ctx.reasonCode() ?? 'OTHER';
      deductions++;
      if (adjustedMinor !== short) exact = false;
    } else if (short > 0 && withinTolerance(settings, short, open)) {
      line.writeOffMinor = short;
      line.writeOffReason = settings.writeOffReason;
    }
    cashTotal += line.cashMinor;
    if (line.cashMinor + line.discountMinor + line.writeOffMinor > 0) lines.push(line);
  }
  const amount = ctx.amountMinor;
  reasons.unshift(
    `remittance advice lists ${invoiceHits.map((h) => num(book, h.document)).join(', ')} with amounts`,
  );
  if (cashTotal > amount) {
    return {
      lines,
      quality: 0.3,
      reconciled: false,
      reasons: [...reasons, `advice totals ${cashTotal}, more than the ${amount} received`],
      scenario: 'advice-mismatch',
    };
  }
  if (cashTotal < amount) {
    lines.push(onAccountLine(amount - cashTotal));
    reasons.push(`${amount - cashTotal} more than the advice accounts for stays on account`);
  }
  // More cash than the lines explain, every line exact: the excess is an overpayment on account.
  return {
    lines,
    quality:
      cashTotal === amount
        ? exact
          ? 0.99
          : 0.93
        : exact
          ? overpaymentQuality(amount, amount - cashTotal)
          : 0.8,
    reconciled: exact,
    reasons,
    scenario: deductions > 0 ? 'deduction' : 'remittance-advice',
  };
}

/**
 * Customers overpay by a little (rounding up, paying twice a small fee); a large unexplained excess
 * is more often an invoice the remittance named in a way we could not read, so it goes to a person.
 */
function overpaymentQuality(amountMinor: number, excessMinor: number): number {
  return excessMinor * 10 <= amountMinor ? 0.96 : 0.8;
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
