/**
 * Reads a remittance advice out of free text (an email body, the text of an HTML email or of a PDF)
 * into the normalized model of src/formats/model.ts. Pure: no I/O.
 *
 * Invoice tables are read first (their rows are the most reliable lines), then label/value pairs
 * ("Check No: 100234"), then sentences. Every value that cash application matches on — payment
 * reference, amount, payer, payment date, currency, lines — is taken only where the text says what it
 * is; when two places disagree the value is left null with a warning. A line is never invented: a
 * number whose role is unclear goes into `unparsed_references`.
 */
import type { RemittanceAdjustment, RemittanceAdvice, RemittanceLine } from '../formats/model.js';
import { decimalEquals, minorUnitExponent, sumDecimals } from '../money/index.js';
import {
  absolute,
  CURRENCY_CODES,
  type DecimalSeparator,
  detectDecimalSeparator,
  findMoney,
  isZero,
  type Money,
  negate,
  parseMoneyCell,
} from './amounts.js';
import { DocumentDates, orderHint } from './dates.js';
import { findLabels, type LabeledValue, type ReferenceKind } from './labels.js';
import {
  type Candidate,
  cleanReference,
  type DeductionNote,
  type DocMention,
  type DocumentType,
  documentKey,
  findDeductions,
  findDocumentMentions,
  findListedRows,
  findReferences,
  Prose,
  payerCandidates,
  paymentAmountCandidates,
  paymentDateCandidates,
  paymentMethodOf,
} from './prose.js';
import { type ReasonCode, reasonCodeOf, reasonFromText } from './reasons.js';
import { type ColumnKind, findTables, type TextTable } from './tables.js';
import { documentTokens, isAlphanumericReference, isDocumentLike, looksLikeCreditMemo } from './tokens.js';

export interface ExtractedAdjustment extends RemittanceAdjustment {
  reason_code: ReasonCode | null;
  /** The customer's words for the reason ("damaged goods"), when given. */
  reason_text: string | null;
}

export interface ExtractedLine extends RemittanceLine {
  adjustments: ExtractedAdjustment[];
  document_type: DocumentType;
  invoice_date: string | null;
  /** True when the amount paid is the payment amount because the advice names exactly one invoice. */
  amount_paid_inferred?: boolean;
  po_number?: string;
  description?: string;
  reference?: string;
}

export interface PaymentReference {
  kind: ReferenceKind;
  value: string;
}

export type AmountSource = 'stated' | 'table-total' | 'sum-of-lines';

export interface ExtractedAdvice extends RemittanceAdvice {
  lines: ExtractedLine[];
  currency: string | null;
  payment_date: string | null;
  payment_method: string | null;
  /** Every payment reference found, the chosen `payment_reference` first. */
  payment_references: PaymentReference[];
  amount_source: AmountSource | null;
  customer_number: string | null;
  vendor_number: string | null;
  po_numbers: string[];
  /** Deductions from the whole payment (not tied to one document), as 820 entity-level ADX. */
  adjustments: ExtractedAdjustment[];
  /** The deduction sentences as the customer wrote them. */
  deductions: string | null;
  /** Reasons given for documents without an amount, not (yet) tied to a deduction of a line here. */
  deduction_notes: DeductionNote[];
  /** Document-number-like references whose role is unclear: for a person to look at, never matched. */
  unparsed_references: string[];
  warnings: string[];
  /** The text the advice was read from (at most TEXT_LIMIT characters), for people and for matching. */
  text: string | null;
}

export const TEXT_LIMIT = 20_000;

export interface ExtractOptions {
  /** What a plain "$" means (the company's currency when it is a dollar); USD by default. */
  dollarCurrency?: string;
  /** The receiving company's own names: never taken as the payer. */
  ownNames?: readonly string[];
  /** An e-mail subject: read like a first line, and a lone number in it may be the payment reference. */
  subject?: string;
}

const TOTAL_LABEL =
  /^(?:grand\s+|sub-?\s*)?totals?\b|^(?:total|sum|net)\s+(?:paid|payment|amount|remitted|due)\b|^payment\s+total\b|^amount\s+paid\b|^balance\b/i;
const PAYMENT_DEDUCTION =
  /\b(?:deductions?|deducted|less|adjustments?|chargebacks?|short[- ]?pa(?:id|y)|freight|allowance|credit|withh(?:e|o)ld(?:ing)?)\b/i;
const EMPTY_CELL = /^(?:-+|—|–|n\/?a|none|nil|\.+)$/i;

export function extractRemittance(input: string, options: ExtractOptions = {}): ExtractedAdvice {
  const body = focus(normalizeText(input));
  const subject = options.subject?.replace(/\s+/g, ' ').trim() ?? '';
  const text = subject === '' ? body : `Subject: ${subject}\n\n${body}`;
  const lines = text.split('\n');
  const decimal = detectDecimalSeparator(text);
  const tables = findTables(lines);
  const tableLines = new Set<number>();
  for (const t of tables) for (let i = t.firstLine; i <= t.lastLine; i++) tableLines.add(i);
  const dates = new DocumentDates(orderHint(decimal, firstCurrencyCode(text)));
  dates.learn(text);
  // Table rows are blanked out of the prose, so positions stay those of the full text.
  const prose = new Prose(
    lines.map((l, i) => (tableLines.has(i) ? ' '.repeat(l.length) : l)).join('\n'),
    decimal,
    dates,
  );
  const draft = new Draft(options, decimal, dates);
  readDocuments(draft, tables, prose);
  const documentMoney = new Set(draft.usedMoney);
  readPaymentAndDeductions(draft, prose);
  draft.readLabels(findLabels(lines, tableLines), lineOffsets(text), lines, documentMoney);
  readPaymentFacts(draft, prose, options, subject);
  return { ...draft.finish(), text: text.trim() === '' ? null : text.slice(0, TEXT_LIMIT) };
}

/** Lines: table rows first (the most reliable), then rows under an "invoices" line, then lists in sentences. */
function readDocuments(draft: Draft, tables: readonly TextTable[], prose: Prose): void {
  for (const table of tables) draft.addTable(table);
  const listed = findListedRows(prose);
  const { mentions, ranges } = findDocumentMentions(prose);
  for (const row of listed.rows) draft.addMention(row);
  for (const mention of mentions) draft.addMention(mention);
  for (const doc of listed.unsure) draft.unparsed(doc);
  for (const range of ranges) {
    draft.unparsed(range);
    draft.warn(`"${range}" looks like a range of documents; the documents in it were not listed one by one`);
  }
}

/** The amounts sentences call the payment, then the deductions among the amounts left. */
function readPaymentAndDeductions(draft: Draft, prose: Prose): void {
  for (const candidate of paymentAmountCandidates(prose, draft.usedMoney)) {
    draft.addAmountCandidate(candidate);
    draft.usedMoney.add(candidate.index);
  }
  const deductions = findDeductions(prose, draft.documentKeys(), draft.usedMoney);
  draft.addDeductions(deductions.found);
  draft.deductionNotes = applyDeductionNotes(draft.lines, deductions.notes);
  for (const sentence of deductions.notUnderstood)
    draft.warn(`deduction not understood (no single amount and document): "${sentence}"`);
  draft.deductionText = deductions.sentences.length > 0 ? deductions.sentences.join(' ') : null;
}

/** Date, references, payer, method, currency, purchase orders, and what nobody claimed. */
function readPaymentFacts(draft: Draft, prose: Prose, options: ExtractOptions, subject: string): void {
  draft.dateCandidates.push(...paymentDateCandidates(prose));
  draft.references.push(...findReferences(prose.text));
  draft.payers.push(...payerCandidates(prose.text, options.ownNames ?? []));
  draft.proseMethod = paymentMethodOf(prose.text);
  for (const m of prose.moneys)
    if (m.money.currency) draft.currencies.push({ value: m.money.currency, priority: 0, index: m.index });
  draft.collectPurchaseOrders(prose.text);
  if (subject !== '') draft.subjectReference(subject);
  draft.collectUnparsed(prose);
}

/** Nothing a cash-application matcher could use: no lines, no amount, no payment reference. */
export function isEmptyAdvice(advice: RemittanceAdvice): boolean {
  return advice.lines.length === 0 && advice.amount === null && advice.payment_reference === null;
}

// ---------------------------------------------------------------- text preparation

export function normalizeText(input: string): string {
  return input
    .replace(/\r\n?/g, '\n')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .replace(/(?<!\d)\u00a0|\u00a0(?!\d)/g, ' ')
    .replace(/[ \t]+$/gm, '');
}

const REPLY_MARKER = /^(?:-{2,}\s*Original Message\s*-{2,}|On .{4,120}wrote:|From: .+\nSent: .+)$/im;
/** What makes the new part of a reply an advice of its own: an amount, or an invoice with a number. */
const SUBSTANCE = /\d[.,]\d{2}\b|\b(?:invoices?|inv)\b[^\n]{0,30}\d/i;

/**
 * A reply carries the earlier message below it: when the new part has substance the quoted part is
 * dropped (it would add its invoices twice); otherwise the quoted part is what was sent, unquoted.
 */
function focus(text: string): string {
  const marker = REPLY_MARKER.exec(text);
  const top = marker ? text.slice(0, marker.index) : text;
  const unquotedTop = top
    .split('\n')
    .filter((l) => !/^\s*>/.test(l))
    .join('\n');
  if (SUBSTANCE.test(unquotedTop)) return unquotedTop;
  return text.replace(/^\s*(?:>\s?)+/gm, '');
}

function firstCurrencyCode(text: string): string | null {
  for (const m of findMoney(text, '.')) if (m.money.currency) return m.money.currency;
  return null;
}

function lineOffsets(text: string): number[] {
  const offsets = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') offsets.push(i + 1);
  return offsets;
}

// ---------------------------------------------------------------- the advice being built

interface LineDraft {
  key: string;
  doc: string;
  type: DocumentType;
  paid: Money | null;
  invoiced: Money | null;
  discount: Money | null;
  adjustments: ExtractedAdjustment[];
  invoiceDate: string | null;
  po: string | null;
  description: string | null;
  reference: string | null;
  rowCurrency: string | null;
  inferred: boolean;
}

class Draft {
  readonly lines: LineDraft[] = [];
  readonly usedMoney = new Set<number>();
  readonly amountCandidates: Candidate<Money>[] = [];
  readonly dateCandidates: Candidate<{ date: string; guessed: boolean }>[] = [];
  readonly references: { kind: ReferenceKind; value: string; index: number }[] = [];
  readonly payers: Candidate<string>[] = [];
  readonly paymentAdjustments: ExtractedAdjustment[] = [];
  readonly tableTotals: Money[] = [];
  readonly currencies: Candidate<string>[] = [];
  readonly warnings: string[] = [];
  readonly poNumbers: string[] = [];
  private readonly unparsedRefs: string[] = [];
  private readonly labelValues = new Set<string>();
  deductionText: string | null = null;
  deductionNotes: DeductionNote[] = [];
  method: string | null = null;
  proseMethod: string | null = null;
  customerNumber: string | null = null;
  vendorNumber: string | null = null;
  sawDollar = false;

  constructor(
    private readonly options: ExtractOptions,
    private readonly decimal: DecimalSeparator,
    private readonly dates: DocumentDates,
  ) {}

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  unparsed(text: string): void {
    const value = text.trim();
    if (value !== '' && !this.unparsedRefs.includes(value)) this.unparsedRefs.push(value);
  }

  documentKeys(): Set<string> {
    return new Set(this.lines.map((l) => l.key));
  }

  // ---- tables

  addTable(table: TextTable): void {
    const column = (kind: ColumnKind) => table.kinds.indexOf(kind);
    const totals: { money: Money; sub: boolean }[] = [];
    for (const row of table.rows) {
      const cell = (kind: ColumnKind) => {
        const k = column(kind);
        if (k < 0) return kind === 'description' ? (row.remark ?? '').trim() : '';
        return (row.cells[k] ?? '').trim();
      };
      const money = (kind: ColumnKind) =>
        this.moneyCell(cell(kind), table.headers[column(kind)] ?? kind, row.line);
      const docCell = cell('document');
      const amounts = {
        paid: money('paid'),
        invoiced: money('invoiced'),
        discount: money('discount'),
        deduction: money('deduction'),
      };
      const rowCurrency = this.rowCurrency(table, row.cells, cell('currency'));
      if (TOTAL_LABEL.test(docCell) || (docCell === '' && row.cells.some((c) => /\d/.test(c)))) {
        const total = amounts.paid ?? amounts.invoiced;
        if (total && TOTAL_LABEL.test(docCell || 'total'))
          totals.push({ money: withCurrency(total, rowCurrency), sub: /^sub/i.test(docCell) });
        continue;
      }
      if (docCell === '') continue;
      const wholePayment = amounts.paid ?? amounts.invoiced ?? amounts.deduction;
      if (!/\d/.test(docCell) && wholePayment !== null && PAYMENT_DEDUCTION.test(docCell)) {
        // "Freight deduction  (20.00)": taken off the whole payment, not a document.
        this.paymentAdjustments.push({
          reason_code: reasonFromText(docCell),
          amount: negate(absolute(wholePayment.value)),
          reason_text: docCell,
        });
        continue;
      }
      const doc = documentInCell(docCell);
      if (doc === null) {
        this.unparsed(docCell);
        this.warn(
          `table row "${row.cells.filter((c) => c !== '').join(' | ')}": "${docCell}" is not a document number`,
        );
        continue;
      }
      this.addTableLine(doc, table, amounts, rowCurrency, cell);
    }
    // The table's total is its last total row; a sub-total counts only when there is nothing after it.
    const final = totals.filter((t) => !t.sub).pop() ?? totals.pop();
    if (final) this.tableTotals.push(final.money);
  }

  private addTableLine(
    doc: string,
    table: TextTable,
    amounts: Record<'paid' | 'invoiced' | 'discount' | 'deduction', Money | null>,
    rowCurrency: string | null,
    cell: (kind: ColumnKind) => string,
  ): void {
    const doctype = cell('doctype');
    const description = cell('description');
    const credit =
      /^(?:cm|cr|cn|credit(?:\s+(?:memo|note))?)$/i.test(doctype) ||
      looksLikeCreditMemo(doc) ||
      (amounts.paid?.value.startsWith('-') === true && /credit/i.test(description));
    const adjustments: ExtractedAdjustment[] = [];
    if (amounts.deduction !== null && !isZero(amounts.deduction.value)) {
      const reasonCell = cell('reason');
      const deductionHeader = table.headers[table.kinds.indexOf('deduction')] ?? '';
      const reasonText = reasonCell || description || null;
      adjustments.push({
        reason_code: reasonOf(reasonCell) ?? reasonFromText(description) ?? reasonFromText(deductionHeader),
        amount: negate(absolute(amounts.deduction.value)),
        reason_text: reasonText,
      });
    }
    let paid = amounts.paid;
    if (credit && paid !== null && !paid.value.startsWith('-')) paid = { ...paid, value: negate(paid.value) };
    const date = cell('date');
    this.lines.push({
      key: documentKey(doc),
      doc,
      type: credit ? 'credit-memo' : 'invoice',
      paid: paid && withCurrency(paid, rowCurrency),
      invoiced: amounts.invoiced && withCurrency(amounts.invoiced, rowCurrency),
      discount: amounts.discount && { ...amounts.discount, value: absolute(amounts.discount.value) },
      adjustments,
      invoiceDate: date === '' ? null : this.dates.read(date).date,
      po: cell('po') || null,
      description: description || null,
      reference: cell('reference') || null,
      rowCurrency,
      inferred: false,
    });
  }

  private moneyCell(text: string, header: string, line: number): Money | null {
    if (text === '' || EMPTY_CELL.test(text)) return null;
    const money = parseMoneyCell(text, this.decimal);
    if (money === null) {
      this.warn(`line ${line + 1}: column ${header}: "${text}" is not an amount`);
      return null;
    }
    if (money.dollar) this.sawDollar = true;
    if (money.currency) this.currencies.push({ value: money.currency, priority: 1, index: line });
    return money;
  }

  private rowCurrency(table: TextTable, cells: string[], currencyCell: string): string | null {
    const code = currencyCell.toUpperCase();
    if (CURRENCY_CODES.has(code)) {
      this.currencies.push({ value: code, priority: 1, index: 0 });
      return code;
    }
    const fromHeader = table.headerCurrencies.find((c, k) => c !== null && cells[k] !== '') ?? null;
    if (fromHeader) this.currencies.push({ value: fromHeader, priority: 1, index: 0 });
    return fromHeader;
  }

  // ---- prose

  addMention(mention: DocMention): void {
    for (const index of mention.amountSpans) this.usedMoney.add(index);
    this.noteMoney(mention.paid, mention.index);
    this.noteMoney(mention.invoiced, mention.index);
    const key = documentKey(mention.doc);
    const line = this.lines.find((l) => l.key === key);
    if (line !== undefined) {
      line.paid ??= mention.paid;
      line.invoiced ??= mention.invoiced;
      if (mention.type === 'credit-memo') line.type = 'credit-memo';
      return;
    }
    this.lines.push({
      key,
      doc: mention.doc,
      type: mention.type,
      paid: mention.paid,
      invoiced: mention.invoiced,
      discount: null,
      adjustments: [],
      invoiceDate: null,
      po: null,
      description: null,
      reference: null,
      rowCurrency: null,
      inferred: false,
    });
  }

  addAmountCandidate(candidate: Candidate<Money>): void {
    this.noteMoney(candidate.value, candidate.index);
    this.amountCandidates.push(candidate);
  }

  private noteMoney(money: Money | null, index: number): void {
    if (money === null) return;
    if (money.dollar) this.sawDollar = true;
    if (money.currency) this.currencies.push({ value: money.currency, priority: 1, index });
  }

  addDeductions(found: ReturnType<typeof findDeductions>['found']): void {
    for (const d of found) {
      this.usedMoney.add(d.moneyIndex);
      const adjustment: ExtractedAdjustment = {
        reason_code: d.reason,
        amount: d.amount,
        reason_text: d.reasonText,
      };
      if (d.doc === null) {
        this.paymentAdjustments.push(adjustment);
        continue;
      }
      const key = documentKey(d.doc);
      let line = this.lines.find((l) => l.key === key);
      if (line === undefined) {
        this.addMention({
          doc: d.doc,
          index: d.moneyIndex,
          type: 'invoice',
          paid: null,
          invoiced: null,
          amountSpans: [],
          via: 'deduction',
        });
        line = this.lines[this.lines.length - 1]!;
      }
      // A table row that already shows this deduction is not deducted twice.
      if (!line.adjustments.some((a) => decimalEquals(a.amount, adjustment.amount)))
        line.adjustments.push(adjustment);
      else {
        const same = line.adjustments.find((a) => decimalEquals(a.amount, adjustment.amount))!;
        same.reason_code ??= adjustment.reason_code;
        same.reason_text ??= adjustment.reason_text;
      }
    }
  }

  // ---- labels

  readLabels(
    labels: LabeledValue[],
    offsets: number[],
    lines: readonly string[],
    documentMoney: ReadonlySet<number>,
  ): void {
    for (const label of labels) {
      const at = offsets[label.line] ?? 0;
      const lineEnd = at + (lines[label.line]?.length ?? 0);
      // "Invoice No: INV-1  Amount Paid: $1,200.00": an amount the line gives a document is not the payment's.
      const givenToDocument = [...documentMoney].some((index) => index >= at && index < lineEnd);
      this.labelValues.add(label.value);
      switch (label.kind) {
        case 'amount':
        case 'total': {
          const money =
            parseMoneyCell(label.value, this.decimal) ?? findMoney(label.value, this.decimal)[0]?.money;
          if (!money || givenToDocument) break;
          this.noteMoney(money, at);
          this.amountCandidates.push({ value: money, priority: label.kind === 'amount' ? 3 : 0, index: at });
          break;
        }
        case 'reference': {
          const value = cleanReference(/^[#:\s]*([A-Za-z0-9][\w\-/.]*)/.exec(label.value)?.[1] ?? '');
          if (value) this.references.push({ kind: label.referenceKind ?? 'reference', value, index: at });
          break;
        }
        case 'payment-date':
        case 'date': {
          const read = this.dates.read(label.value);
          const found = read.date
            ? read
            : (this.dates.find(label.value)[0] ?? { date: null, guessed: false });
          if (found.date)
            this.dateCandidates.push({
              value: { date: found.date, guessed: found.guessed },
              priority: label.kind === 'payment-date' ? 3 : 1,
              index: at,
            });
          break;
        }
        case 'payer': {
          const name = label.value
            .replace(/<[^>]*>/g, '')
            .replace(/[,;]+$/, '')
            .trim();
          const own = (this.options.ownNames ?? []).some(
            (n) => n !== '' && name.toLowerCase().includes(n.toLowerCase()),
          );
          if (/[A-Za-z]/.test(name) && name.length <= 120 && !own)
            this.payers.push({ value: name, priority: 3, index: at });
          break;
        }
        case 'customer-number':
          this.customerNumber ??= firstToken(label.value);
          break;
        case 'vendor-number':
          this.vendorNumber ??= firstToken(label.value);
          break;
        case 'currency': {
          const code = /\b([A-Z]{3})\b/.exec(label.value.toUpperCase())?.[1];
          if (code && CURRENCY_CODES.has(code)) this.currencies.push({ value: code, priority: 3, index: at });
          break;
        }
        case 'method':
          this.method ??= paymentMethodOf(label.value) ?? (label.value.toLowerCase().trim() || null);
          break;
        case 'po': {
          const po = firstToken(label.value);
          if (po && !this.poNumbers.includes(po)) this.poNumbers.push(po);
          break;
        }
        default:
          break;
      }
    }
  }

  collectPurchaseOrders(text: string): void {
    const add = (po: string) => {
      if (/\d/.test(po) && !this.poNumbers.includes(po)) this.poNumbers.push(po);
    };
    const pattern =
      /\b(?:p\.?o\.?|purchase\s+order)\s*(?:no\b\.?|number|#)?\s*[:#]?\s*([A-Z0-9][\w\-/]{2,})/gi;
    for (const match of text.matchAll(pattern)) add(match[1]!.replace(/[.,;]+$/, ''));
    // "PO-7781", "PO#4455": the prefix says it.
    for (const token of documentTokens(text)) if (/^PO[-#_/]?\d{3,}$/i.test(token.text)) add(token.text);
  }

  /**
   * "Remittance advice 778812", "Payment PMT-2024-0045 from Acme": a subject about a payment with one
   * number in it that is nothing else names the payment. It ranks after references the text labels.
   */
  subjectReference(subject: string): void {
    if (!/\b(?:payments?|remittance|advice|check|cheque|ach|eft|wire|transfer|deposit)\b/i.test(subject))
      return;
    const taken = new Set([
      ...this.lines.map((l) => l.key),
      ...this.references.map((r) => documentKey(r.value)),
    ]);
    const candidates = documentTokens(subject).filter(
      (t) =>
        isDocumentLike(t.text) &&
        t.text.replace(/\D/g, '').length >= 4 &&
        !/^(?:19|20)\d{2}$/.test(t.text) &&
        !this.poNumbers.includes(t.text) &&
        !this.labelValues.has(t.text),
    );
    if (candidates.length !== 1) return;
    const value = candidates[0]!.text;
    if (taken.has(documentKey(value))) return;
    this.references.push({ kind: 'payment-id', value, index: Number.MAX_SAFE_INTEGER });
  }

  /** Letters-and-digits tokens nobody claimed, and numbers shaped like the invoices found. */
  collectUnparsed(prose: Prose): void {
    const claimed = new Set<string>([
      ...this.lines.map((l) => l.key),
      ...this.references.map((r) => documentKey(r.value)),
      ...this.poNumbers.map(documentKey),
      ...[this.customerNumber, this.vendorNumber].filter((v): v is string => v !== null).map(documentKey),
    ]);
    const numericShapes = new Set(
      this.lines.filter((l) => /^\d{4,}$/.test(l.doc)).map((l) => `${l.doc.length}:${l.doc.slice(0, 2)}`),
    );
    for (const token of prose.tokens) {
      const key = documentKey(token.text);
      if (claimed.has(key) || !isDocumentLike(token.text)) continue;
      const numericLike =
        /^\d+$/.test(token.text) && numericShapes.has(`${token.text.length}:${token.text.slice(0, 2)}`);
      if (!isAlphanumericReference(token.text) && !numericLike) continue;
      if (this.isLabelValueToken(token.text)) continue;
      this.unparsed(token.text);
    }
  }

  private isLabelValueToken(token: string): boolean {
    for (const value of this.labelValues)
      if (documentTokens(value).some((t) => t.text === token)) return true;
    return false;
  }

  // ---- decisions

  finish(): ExtractedAdvice {
    const currency = this.decideCurrency();
    const stated = decide(
      this.amountCandidates.filter((c) => c.priority > 0),
      (a, b) => decimalEquals(a.value, b.value),
    );
    if (stated.conflict)
      this.warn(
        `the text gives different payment amounts (${stated.values.map((m) => m.value).join(', ')}); none was taken`,
      );
    this.inferSingleLine(stated.value);
    const lines = this.lines.map((l) => this.finishLine(l));
    const { amount, source } = this.decideAmount(stated.value, lines);
    const date = decide(this.dateCandidates, (a, b) => a.date === b.date);
    if (date.conflict)
      this.warn(
        `the text gives different payment dates (${date.values.map((d) => d.date).join(', ')}); none was taken`,
      );
    if (date.value?.guessed)
      this.warn(`payment date read as ${date.value.date}: the day/month order is not certain`);
    const payer = decide(this.payers, (a, b) => a.toLowerCase() === b.toLowerCase());
    if (payer.conflict)
      this.warn(`the text names different payers (${payer.values.join(', ')}); none was taken`);
    const references = this.orderedReferences();
    this.checkTotals(amount, lines);
    this.checkCurrency(currency, lines, amount);
    return {
      payer: payer.value,
      payment_reference: references[0]?.value ?? null,
      amount,
      lines,
      currency,
      payment_date: date.value?.date ?? null,
      payment_method: this.method ?? methodFromReferences(references) ?? this.proseMethod,
      payment_references: references,
      amount_source: amount === null ? null : source,
      customer_number: this.customerNumber,
      vendor_number: this.vendorNumber,
      po_numbers: this.poNumbers,
      adjustments: this.paymentAdjustments,
      deductions: this.deductionText,
      deduction_notes: this.deductionNotes,
      unparsed_references: this.unparsedRefs.filter(
        (r) => !lines.some((l) => documentKey(l.document_number ?? '') === documentKey(r)),
      ),
      warnings: this.warnings,
      text: null,
    };
  }

  /** One invoice and a stated payment amount: the whole payment is for that invoice. */
  private inferSingleLine(stated: Money | null): void {
    if (stated === null || this.lines.length !== 1 || this.paymentAdjustments.length > 0) return;
    const only = this.lines[0]!;
    if (only.type !== 'invoice' || only.paid !== null) return;
    only.paid = stated;
    only.inferred = true;
  }

  private finishLine(l: LineDraft): ExtractedLine {
    const line: ExtractedLine = {
      document_number: l.doc,
      amount_paid: l.paid?.value ?? null,
      amount_invoiced: l.invoiced?.value ?? null,
      discount: l.discount?.value ?? null,
      adjustments: l.adjustments,
      document_type: l.type,
      invoice_date: l.invoiceDate,
    };
    if (l.inferred) line.amount_paid_inferred = true;
    if (l.po) line.po_number = l.po;
    if (l.description) line.description = l.description;
    if (l.reference) line.reference = l.reference;
    return line;
  }

  private decideAmount(
    stated: Money | null,
    lines: ExtractedLine[],
  ): { amount: string | null; source: AmountSource } {
    if (stated !== null) return { amount: stated.value, source: 'stated' };
    const totals = decide(
      [
        ...this.tableTotals.map((value) => ({ value, priority: 0, index: 0 })),
        ...this.amountCandidates.filter((c) => c.priority === 0),
      ],
      (a, b) => decimalEquals(a.value, b.value),
    );
    if (totals.value !== null) return { amount: totals.value.value, source: 'table-total' };
    if (totals.conflict)
      this.warn(`the totals in the text disagree (${totals.values.map((m) => m.value).join(', ')})`);
    if (lines.length > 0 && lines.every((l) => l.amount_paid !== null) && !totals.conflict) {
      const parts = [...lines.map((l) => l.amount_paid!), ...this.paymentAdjustments.map((a) => a.amount)];
      return { amount: sumDecimals(parts), source: 'sum-of-lines' };
    }
    return { amount: null, source: 'stated' };
  }

  private checkTotals(amount: string | null, lines: ExtractedLine[]): void {
    for (const w of consistencyWarnings(amount, lines, this.paymentAdjustments)) this.warn(w);
  }

  private decideCurrency(): string | null {
    const dollar = this.options.dollarCurrency ?? 'USD';
    const candidates = [...this.currencies];
    if (this.sawDollar) candidates.push({ value: dollar, priority: 0, index: 0 });
    const top = Math.max(-1, ...candidates.map((c) => c.priority));
    const atTop = [...new Set(candidates.filter((c) => c.priority === top).map((c) => c.value))];
    if (atTop.length > 1) {
      this.warn(`the text names several currencies (${atTop.join(', ')}); none was taken`);
      return null;
    }
    return atTop[0] ?? null;
  }

  private checkCurrency(currency: string | null, lines: ExtractedLine[], amount: string | null): void {
    if (currency === null) return;
    const exponent = minorUnitExponent(currency);
    const values = [amount, ...lines.flatMap((l) => [l.amount_paid, l.amount_invoiced, l.discount])].filter(
      (v): v is string => v !== null,
    );
    for (const v of values) {
      const fraction = v.split('.')[1] ?? '';
      if (/[^0]/.test(fraction.slice(exponent)))
        this.warn(`${v} has more decimals than ${currency} allows (${exponent})`);
    }
  }

  private orderedReferences(): PaymentReference[] {
    const lineKeys = new Set(this.lines.map((l) => l.key));
    const seen = new Set<string>();
    const refs = [...this.references]
      .sort((a, b) => a.index - b.index)
      .filter((r) => {
        const key = documentKey(r.value);
        if (lineKeys.has(key) || seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    // A generic "Reference:" is the payment reference only when nothing more specific is given.
    const specific = refs.filter((r) => r.kind !== 'reference');
    const generic = refs.filter((r) => r.kind === 'reference');
    return [...specific, ...generic].map(({ kind, value }) => ({ kind, value }));
  }
}

// ---------------------------------------------------------------- helpers

/**
 * Gives a line's deductions the reason a sentence names for its document, where the table gave
 * none. Returns the notes no line here could take (another part of an e-mail may have the line).
 */
export function applyDeductionNotes(
  lines: readonly {
    key?: string;
    doc?: string;
    document_number?: string | null;
    adjustments: ExtractedAdjustment[];
  }[],
  notes: readonly DeductionNote[],
): DeductionNote[] {
  const left: DeductionNote[] = [];
  for (const note of notes) {
    const key = documentKey(note.document_number);
    const line = lines.find((l) => documentKey(l.document_number ?? l.doc ?? '') === key);
    const open = line?.adjustments.filter((a) => a.reason_code === null) ?? [];
    if (open.length === 0) {
      left.push(note);
      continue;
    }
    for (const a of open) {
      a.reason_code = note.reason_code;
      a.reason_text ??= note.reason_text;
    }
  }
  return left;
}

/**
 * What does not add up, as a person would say it: the lines against the payment amount (with the
 * deductions from the whole payment), and each line's invoice amount less discount and deductions
 * against what was paid on it. Reported, never corrected.
 */
export function consistencyWarnings(
  amount: string | null,
  lines: readonly ExtractedLine[],
  paymentAdjustments: readonly RemittanceAdjustment[],
): string[] {
  const out: string[] = [];
  if (amount !== null && lines.length > 0 && lines.every((l) => l.amount_paid !== null)) {
    const sum = sumDecimals([
      ...lines.map((l) => l.amount_paid!),
      ...paymentAdjustments.map((a) => a.amount),
    ]);
    if (!decimalEquals(sum, amount)) out.push(`the lines add up to ${sum}, the payment amount is ${amount}`);
  }
  for (const line of lines) {
    if (line.amount_paid === null || line.amount_invoiced === null) continue;
    const expected = sumDecimals([
      line.amount_invoiced,
      negate(line.discount ?? '0'),
      ...line.adjustments.map((a) => a.amount),
    ]);
    if (!decimalEquals(expected, line.amount_paid))
      out.push(
        `${line.document_number}: invoiced ${line.amount_invoiced} less discount and deductions is ${expected}, paid ${line.amount_paid}`,
      );
  }
  return out;
}

function decide<T>(
  candidates: Candidate<T>[],
  same: (a: T, b: T) => boolean,
): { value: T | null; conflict: boolean; values: T[] } {
  if (candidates.length === 0) return { value: null, conflict: false, values: [] };
  const top = Math.max(...candidates.map((c) => c.priority));
  const values: T[] = [];
  for (const c of candidates.filter((c) => c.priority === top).sort((a, b) => a.index - b.index))
    if (!values.some((v) => same(v, c.value))) values.push(c.value);
  return values.length === 1
    ? { value: values[0]!, conflict: false, values }
    : { value: null, conflict: true, values };
}

function withCurrency(money: Money, rowCurrency: string | null): Money {
  return rowCurrency && money.currency === null ? { ...money, currency: rowCurrency } : money;
}

/** The document number in a table cell: the cell itself, or its one document-like token. */
function documentInCell(cell: string): string | null {
  const trimmed = cell
    .replace(/^#\s*/, '')
    .replace(/[.,;:]+$/, '')
    .trim();
  if (isDocumentLike(trimmed, 1)) return trimmed;
  const tokens = documentTokens(trimmed).filter((t) => isDocumentLike(t.text, 1));
  if (
    tokens.length === 1 &&
    /^(?:(?:invoice|inv|doc|document|bill|no|nr|#)\.?\s*)*$/i.test(trimmed.slice(0, tokens[0]!.index).trim())
  )
    return tokens[0]!.text;
  return null;
}

export function reasonOf(cell: string): ReasonCode | null {
  if (cell === '') return null;
  return reasonCodeOf(cell) ?? reasonFromText(cell);
}

function firstToken(value: string): string | null {
  const token = /[A-Za-z0-9][\w\-/.]*/.exec(value)?.[0]?.replace(/[.,;]+$/, '');
  return token && token.length >= 2 ? token : null;
}

function methodFromReferences(references: PaymentReference[]): string | null {
  const kind = references[0]?.kind;
  if (kind === 'check') return 'check';
  if (kind === 'ach-trace') return 'ach';
  if (kind === 'wire') return 'wire';
  return null;
}
