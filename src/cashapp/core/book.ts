import { KeyIndex } from './key-index.js';
import { digitsKey, nameKey, nameTokens, numericGroupsKey, referenceKey } from './normalize.js';

const MAX_REMEMBERED_PAYER_NAMES = 100_000;

/** A payer name's words (`nameTokens`) and order-free key (`nameKey`). */
export interface PayerName {
  readonly tokens: readonly string[];
  readonly key: string;
}

import type { CustomerRow, OpenDocumentRow } from './types.js';

const DOC_TYPES = ['invoice', 'credit_memo', 'debit_memo'] as const;
export const INVOICE = 0;
export const CREDIT_MEMO = 1;
export const DEBIT_MEMO = 2;
const MAX_FAMILY_DEPTH = 8;
const MS_PER_DAY = 86_400_000;

/** Open documents already in columns (what the run loads; rows are for tests and small books). */
export interface DocumentColumns {
  count: number;
  documentId: string[];
  documentNumber: string[];
  customerId: readonly string[];
  currency: string[];
  poNumber: (string | null)[];
  /** INVOICE, CREDIT_MEMO or DEBIT_MEMO. */
  docType: Uint8Array;
  amountMinor: Float64Array;
  openMinor: Float64Array;
  documentDay: Int32Array;
  dueDay: Int32Array;
  /** -1 when there is no discount date. */
  discountDay: Int32Array;
  discountMilliPercent: Int32Array;
}

export interface BookInput {
  customers: readonly CustomerRow[];
  documents: readonly OpenDocumentRow[] | DocumentColumns;
  /** Normalized payer account → customers that use it. */
  bankAccounts: readonly { accountKey: string; customerId: string }[];
  /** Payer-name keys (nameKey) people taught us, or imported. */
  aliases: readonly { aliasText: string; customerId: string }[];
  /** How customers are known to quote invoice numbers, learned from people's decisions. */
  habits?: readonly { customerId: string; habit: string }[];
}

/**
 * Everything cash application looks things up in, built once per run: open documents in columns
 * (a million of them fit in a few hundred MB), customers with their families, and the indexes from
 * a reference, a payer account or a payer name to the candidates. Open balances are updated as
 * proposals are accepted within a run, so two payments never take the same open amount.
 */
export class Book {
  readonly customers: readonly CustomerRow[];
  readonly customerTokens: string[][];
  readonly familyRoot: Int32Array;
  private readonly customerById = new Map<string, number>();
  private readonly customerByNumber = new Map<string, number>();
  private readonly familyMembers = new Map<number, number[]>();
  private readonly customerByNameKey = new Map<string, number[]>();
  private readonly customersByToken = new Map<string, number[]>();
  private readonly customersByAccount = new Map<string, number[]>();
  private readonly customersByAlias = new Map<string, number[]>();

  readonly documentCount: number;
  readonly documentId: string[];
  readonly documentNumber: string[];
  readonly documentCustomer: Int32Array;
  readonly documentType: Uint8Array;
  readonly documentCurrency: string[];
  readonly amountMinor: Float64Array;
  readonly openMinor: Float64Array;
  readonly documentDay: Int32Array;
  readonly dueDay: Int32Array;
  /** -1 when the document has no early-payment discount. */
  readonly discountDay: Int32Array;
  /** Discount percent in thousandths of a percent (2 % = 2000). */
  readonly discountMilliPercent: Int32Array;
  readonly poNumber: (string | null)[];
  /** referenceKey of each document number, computed once. */
  readonly documentKey: string[];
  private readonly byReference: KeyIndex;
  private readonly byDigits: KeyIndex;
  private readonly byGroups: KeyIndex;
  private readonly byPo: KeyIndex;
  private readonly customerDocStart: Int32Array;
  private readonly customerDocList: Int32Array;
  private byOpenAmount: Int32Array | null = null;
  private readonly habits = new Map<number, Set<string>>();
  private readonly payerNames = new Map<string, PayerName>();

  constructor(input: BookInput) {
    this.customers = input.customers;
    input.customers.forEach((c, i) => {
      this.customerById.set(c.customerId, i);
      this.customerByNumber.set(c.customerNumber.toUpperCase(), i);
    });
    this.customerTokens = input.customers.map((c) => nameTokens(c.name));
    this.familyRoot = this.buildFamilies();
    this.indexNames(input);

    const columns = Array.isArray(input.documents)
      ? columnsOf(input.documents as readonly OpenDocumentRow[])
      : (input.documents as DocumentColumns);
    const n = columns.count;
    this.documentCount = n;
    this.documentId = columns.documentId;
    this.documentNumber = columns.documentNumber;
    this.documentCurrency = columns.currency;
    this.poNumber = columns.poNumber;
    this.documentType = columns.docType;
    this.amountMinor = columns.amountMinor;
    this.openMinor = columns.openMinor;
    this.documentDay = columns.documentDay;
    this.dueDay = columns.dueDay;
    this.discountDay = columns.discountDay;
    this.discountMilliPercent = columns.discountMilliPercent;
    this.documentKey = new Array(n);
    this.documentCustomer = new Int32Array(n);
    let lastId = '';
    let lastCustomer = -1;
    for (let i = 0; i < n; i++) {
      const customerId = columns.customerId[i]!;
      // Documents come grouped by nothing in particular, but runs of one customer are common.
      const customer = customerId === lastId ? lastCustomer : this.customerById.get(customerId);
      if (customer === undefined)
        throw new Error(`document ${columns.documentNumber[i]}: customer ${customerId} not loaded`);
      lastId = customerId;
      lastCustomer = customer;
      this.documentCustomer[i] = customer;
      this.documentKey[i] = referenceKey(columns.documentNumber[i]!);
    }
    this.byReference = new KeyIndex(n, (i) => this.documentKey[i]!);
    this.byDigits = new KeyIndex(n, (i) => digitsKeyOrEmpty(this.documentNumber[i]!));
    this.byGroups = new KeyIndex(n, (i) => groupsKeyOrEmpty(this.documentNumber[i]!));
    this.byPo = new KeyIndex(n, (i) => {
      const po = this.poNumber[i];
      return po ? referenceKey(po) : '';
    });
    [this.customerDocStart, this.customerDocList] = this.groupByCustomer();
    for (const h of input.habits ?? []) {
      const c = this.customerById.get(h.customerId);
      if (c === undefined) continue;
      const set = this.habits.get(c) ?? new Set<string>();
      set.add(h.habit);
      this.habits.set(c, set);
    }
  }

  /** Whether people have confirmed that this customer quotes invoices this way. */
  hasHabit(customer: number, habit: string): boolean {
    return this.habits.get(customer)?.has(habit) ?? false;
  }

  /**
   * A payer name's words and key (`nameKey`), remembered: the same payers pay again and again, and
   * the words come from Unicode normalization and several regular expressions. At most
   * MAX_REMEMBERED_PAYER_NAMES are kept (then the memory starts over).
   */
  payerName(name: string): PayerName {
    let known = this.payerNames.get(name);
    if (known === undefined) {
      const tokens = nameTokens(name);
      known = { tokens, key: [...new Set(tokens)].sort().join(' ') };
      if (this.payerNames.size >= MAX_REMEMBERED_PAYER_NAMES) this.payerNames.clear();
      this.payerNames.set(name, known);
    }
    return known;
  }

  customerByCustomerNumber(customerNumber: string): number | undefined {
    return this.customerByNumber.get(customerNumber.trim().toUpperCase());
  }

  customerIndex(customerId: string): number | undefined {
    return this.customerById.get(customerId);
  }

  /** The customer and everyone under the same top-level parent. */
  family(customer: number): readonly number[] {
    return this.familyMembers.get(this.familyRoot[customer]!) ?? [customer];
  }

  sameFamily(a: number, b: number): boolean {
    return this.familyRoot[a] === this.familyRoot[b];
  }

  documentsOf(customer: number): Int32Array {
    return this.customerDocList.subarray(
      this.customerDocStart[customer]!,
      this.customerDocStart[customer + 1]!,
    );
  }

  documentsOfFamily(customer: number, keep?: (document: number) => boolean): number[] {
    const out: number[] = [];
    for (const member of this.family(customer)) {
      const end = this.customerDocStart[member + 1]!;
      for (let at = this.customerDocStart[member]!; at < end; at++) {
        const document = this.customerDocList[at]!;
        if (keep === undefined || keep(document)) out.push(document);
      }
    }
    return out;
  }

  byExactReference(text: string): number[] {
    return this.byReference.lookup(referenceKey(text));
  }

  byDigitsOf(text: string): number[] {
    return this.byDigits.lookup(digitsKeyOrEmpty(text));
  }

  byNumericGroups(text: string): number[] {
    return this.byGroups.lookup(groupsKeyOrEmpty(text));
  }

  byPurchaseOrder(text: string): number[] {
    return this.byPo.lookup(referenceKey(text));
  }

  customersWithAccount(accountKey: string): readonly number[] {
    return this.customersByAccount.get(accountKey) ?? [];
  }

  /** By a payer name's key (`nameKey`). */
  customersWithAlias(key: string): readonly number[] {
    return this.customersByAlias.get(key) ?? [];
  }

  /** By a payer name's key (`nameKey`). */
  customersNamed(key: string): readonly number[] {
    return this.customerByNameKey.get(key) ?? [];
  }

  /** Customers sharing at least one distinctive name word with `tokens`: candidates for fuzzy names. */
  customersSharingWords(tokens: readonly string[]): number[] {
    const found = new Set<number>();
    for (const token of tokens) {
      const list = this.customersByToken.get(token);
      // A word that a tenth of all customers share ("SERVICES") says nothing on its own.
      if (!list || list.length > Math.max(50, this.customers.length / 10)) continue;
      for (const c of list) found.add(c);
    }
    return [...found];
  }

  /** Open documents whose open balance is exactly `amountMinor` (a sorted index built on first use). */
  documentsWithOpenAmount(amountMinor: number): number[] {
    if (this.byOpenAmount === null) {
      const order = Int32Array.from({ length: this.documentCount }, (_, i) => i);
      order.sort((a, b) => this.openMinor[a]! - this.openMinor[b]!);
      this.byOpenAmount = order;
    }
    const order = this.byOpenAmount;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.openMinor[order[mid]!]! < amountMinor) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    // Balances reserved during the run have moved; the index is stale for them, so re-check.
    for (let i = lo; i < order.length && out.length < 16; i++) {
      const d = order[i]!;
      if (this.openMinor[d] === amountMinor) out.push(d);
      else if (this.openMinor[d]! > amountMinor && i - lo > 64) break;
    }
    return out;
  }

  /** Early-payment discount available on `day` for a document still open for its whole amount. */
  discountAvailableMinor(doc: number, day: number, graceDays: number): number {
    const until = this.discountDay[doc]!;
    const milli = this.discountMilliPercent[doc]!;
    if (until < 0 || milli === 0 || day > until + graceDays) return 0;
    if (this.openMinor[doc] !== this.amountMinor[doc]) return 0;
    return discountOf(this.amountMinor[doc]!, milli);
  }

  private buildFamilies(): Int32Array {
    const roots = new Int32Array(this.customers.length);
    this.customers.forEach((_, i) => {
      let at = i;
      for (let depth = 0; depth < MAX_FAMILY_DEPTH; depth++) {
        const parentId = this.customers[at]!.parentCustomerId;
        const parent = parentId === null ? undefined : this.customerById.get(parentId);
        if (parent === undefined) break;
        at = parent;
      }
      roots[i] = at;
    });
    roots.forEach((root, i) => {
      const members = this.familyMembers.get(root);
      if (members) members.push(i);
      else this.familyMembers.set(root, [i]);
    });
    return roots;
  }

  private indexNames(input: BookInput): void {
    const push = (map: Map<string, number[]>, key: string, c: number) => {
      if (key === '') return;
      const list = map.get(key);
      // Customers are visited in order, so a repeat can only be the last one added.
      if (!list) map.set(key, [c]);
      else if (list[list.length - 1] !== c && !(list.length < 8 && list.includes(c))) list.push(c);
    };
    this.customerTokens.forEach((tokens, c) => {
      push(this.customerByNameKey, [...new Set(tokens)].sort().join(' '), c);
      for (const t of new Set(tokens)) push(this.customersByToken, t, c);
    });
    for (const a of input.bankAccounts) {
      const c = this.customerById.get(a.customerId);
      if (c !== undefined) push(this.customersByAccount, a.accountKey, c);
    }
    for (const a of input.aliases) {
      const c = this.customerById.get(a.customerId);
      if (c !== undefined) push(this.customersByAlias, nameKey(a.aliasText), c);
    }
  }

  private groupByCustomer(): [Int32Array, Int32Array] {
    const start = new Int32Array(this.customers.length + 1);
    for (let d = 0; d < this.documentCount; d++) start[this.documentCustomer[d]! + 1]!++;
    for (let c = 0; c < this.customers.length; c++) start[c + 1]! += start[c]!;
    const fill = start.slice(0, this.customers.length);
    const list = new Int32Array(this.documentCount);
    for (let d = 0; d < this.documentCount; d++) list[fill[this.documentCustomer[d]!]!++] = d;
    return [start, list];
  }
}

function columnsOf(docs: readonly OpenDocumentRow[]): DocumentColumns {
  const n = docs.length;
  const days = new DayCache();
  const out: DocumentColumns = {
    count: n,
    documentId: docs.map((d) => d.documentId),
    documentNumber: docs.map((d) => d.documentNumber),
    customerId: docs.map((d) => d.customerId),
    currency: docs.map((d) => d.currency),
    poNumber: docs.map((d) => d.poNumber),
    docType: new Uint8Array(n),
    amountMinor: new Float64Array(n),
    openMinor: new Float64Array(n),
    documentDay: new Int32Array(n),
    dueDay: new Int32Array(n),
    discountDay: new Int32Array(n),
    discountMilliPercent: new Int32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const d = docs[i]!;
    out.docType[i] = DOC_TYPES.indexOf(d.docType);
    out.amountMinor[i] = d.amountMinor;
    out.openMinor[i] = d.openMinor;
    out.documentDay[i] = days.of(d.documentDate);
    out.dueDay[i] = days.of(d.dueDate);
    out.discountDay[i] = d.discountDate === null ? -1 : days.of(d.discountDate);
    out.discountMilliPercent[i] = milliPercent(d.discountPercent);
  }
  return out;
}

function digitsKeyOrEmpty(text: string): string {
  // Fewer than four digits identify nothing across a million documents.
  const key = digitsKey(text);
  return key.length >= 4 ? key : '';
}

function groupsKeyOrEmpty(text: string): string {
  const key = numericGroupsKey(text);
  return key.replace(/\./g, '').length >= 4 ? key : '';
}

/** "2.000" → 2000. numeric(6,3) from the ledger: at most three decimals. */
export function milliPercent(percent: string): number {
  const match = /^(\d+)(?:\.(\d{1,3}))?$/.exec(percent.trim());
  if (!match) throw new Error(`discount percent ${percent} is not a decimal with at most 3 places`);
  return Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'));
}

/** Discount on an amount, rounded half-even (what a customer's AP system most often takes). */
export function discountOf(amountMinor: number, milliPercentValue: number): number {
  const numerator = BigInt(amountMinor) * BigInt(milliPercentValue);
  const divisor = 100_000n;
  const quotient = numerator / divisor;
  const remainder = numerator % divisor;
  const twice = remainder * 2n;
  const up = twice > divisor || (twice === divisor && quotient % 2n === 1n);
  return Number(up ? quotient + 1n : quotient);
}

export function dayNumber(isoDate: string): number {
  return Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / MS_PER_DAY);
}

class DayCache {
  private readonly cache = new Map<string, number>();
  of(isoDate: string): number {
    let day = this.cache.get(isoDate);
    if (day === undefined) {
      day = dayNumber(isoDate);
      if (!Number.isFinite(day)) throw new Error(`not a date: ${isoDate}`);
      this.cache.set(isoDate, day);
    }
    return day;
  }
}
