import { describe, expect, it } from 'vitest';
import { LedgerError } from './errors.js';
import {
  checkCreditApplication,
  checkOnAccountCash,
  checkPaymentAmounts,
  checkPaymentCover,
  checkPaymentTarget,
  creditApplicationPosting,
  type DocumentView,
  onAccountCustomer,
  onAccountPosting,
  paymentPosting,
  type ReceiptView,
  sameCustomerFamily,
} from './rules.js';

const doc = (extra: Partial<DocumentView> = {}): DocumentView => ({
  number: 'INV-1',
  docType: 'invoice',
  customerId: 'c1',
  currency: 'EUR',
  amountMinor: 10_000,
  amountBaseMinor: 11_000,
  openMinor: 10_000,
  openBaseMinor: 11_000,
  ...extra,
});
const receipt = (extra: Partial<ReceiptView> = {}): ReceiptView => ({
  key: 'R-1',
  customerId: 'c1',
  currency: 'EUR',
  unappliedMinor: 10_000,
  unappliedBaseMinor: 10_800,
  ...extra,
});
const credit = (extra: Partial<DocumentView> = {}) =>
  doc({ number: 'CM-1', docType: 'credit_memo', openMinor: 3_000, openBaseMinor: 3_600, ...extra });

/** The code and message a check refuses with, or null when it passes. */
function refusal(check: () => unknown): { code: string; message: string } | null {
  try {
    check();
    return null;
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    return { code: error.code, message: error.message };
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('credit memo applications', () => {
  it('passes a credit of the same customer and currency within both open balances', () => {
    expect(refusal(() => checkCreditApplication(credit(), doc(), 3_000))).toBeNull();
  });

  it.each([
    ['wrong-document', 'INV-9 is not a credit memo', credit({ number: 'INV-9', docType: 'invoice' }), doc()],
    ['wrong-document', 'CM-2 is a credit memo', credit(), doc({ number: 'CM-2', docType: 'credit_memo' })],
    ['customer-mismatch', 'a credit memo applies to its own customer', credit({ customerId: 'c2' }), doc()],
    ['currency-mismatch', 'credit memo and document currencies differ', credit({ currency: 'USD' }), doc()],
    ['credit-over-applied', 'CM-1 is open for 2999, cannot apply 3000', credit({ openMinor: 2_999 }), doc()],
    [
      'document-over-applied',
      'INV-1 is open for 2999, cannot apply 3000',
      credit(),
      doc({ openMinor: 2_999 }),
    ],
  ])('refuses with %s: %s', (code, message, c, d) => {
    expect(refusal(() => checkCreditApplication(c, d, 3_000))).toEqual({ code, message });
  });

  it('reports the first broken rule when several are', () => {
    const everythingWrong = credit({ docType: 'invoice', customerId: 'c2', currency: 'USD', openMinor: 0 });
    expect(refusal(() => checkCreditApplication(everythingWrong, doc({ openMinor: 0 }), 1))?.code).toBe(
      'wrong-document',
    );
    expect(
      refusal(() => checkCreditApplication(credit({ currency: 'USD', openMinor: 0 }), doc(), 1))?.code,
    ).toBe('currency-mismatch');
  });

  it('relieves each side at its own rate and books the difference as FX', () => {
    const posting = creditApplicationPosting(credit(), doc(), 1_500, 'USD');
    expect(posting.sourceBaseMinor).toBe(1_800);
    expect(posting.documentBaseMinor).toBe(1_650);
    expect(posting.fxGainLossBaseMinor).toBe(150);
    expect(sum(posting.lines.map((l) => l.baseAmountMinor))).toBe(0);
    expect(posting.lines.find((l) => l.role === 'ar_control' && l.amountMinor < 0)?.amountMinor).toBe(-1_500);
  });

  it('takes exactly the base carried when the credit is used up', () => {
    const posting = creditApplicationPosting(credit({ openBaseMinor: 3_601 }), doc(), 3_000, 'USD');
    expect(posting.sourceBaseMinor).toBe(3_601);
  });
});

describe('receipt applications (payments)', () => {
  const cash = (cashMinor: number, discountMinor = 0, writeOffMinor = 0) => ({
    cashMinor,
    discountMinor,
    writeOffMinor,
  });
  /** c1 and c2 are subsidiaries of p; c3 stands alone. */
  const families = new Map<string, string | null>([
    ['c1', 'p'],
    ['c2', 'p'],
    ['c3', 'c3'],
  ]);
  const all = (r: ReceiptView, d: DocumentView, a: ReturnType<typeof cash>) => () => {
    checkPaymentAmounts(a, null);
    checkPaymentTarget(r, d, 'apply credits elsewhere');
    checkPaymentCover(r, d, a, families);
  };

  it('passes cash within the receipt and the document, for a customer of the same family', () => {
    expect(refusal(all(receipt(), doc({ customerId: 'c2' }), cash(9_000, 1_000)))).toBeNull();
    expect(refusal(all(receipt({ customerId: null }), doc({ customerId: 'c3' }), cash(1)))).toBeNull();
  });

  it.each([
    ['empty-application', 'nothing to apply', receipt(), doc(), cash(0)],
    ['wrong-document', 'CM-1 is a credit memo; apply credits elsewhere', receipt(), credit(), cash(1)],
    [
      'currency-mismatch',
      'receipt R-1 is in USD, document INV-1 in EUR',
      receipt({ currency: 'USD' }),
      doc(),
      cash(1),
    ],
    [
      'customer-mismatch',
      "receipt R-1 belongs to a customer outside the family of INV-1's",
      receipt(),
      doc({ customerId: 'c3' }),
      cash(1),
    ],
    [
      'receipt-over-applied',
      'receipt R-1 has 10000 unapplied, cannot apply 10001',
      receipt(),
      doc({ openMinor: 20_000 }),
      cash(10_001),
    ],
    [
      'document-over-applied',
      'INV-1 is open for 10000, cannot apply 10001',
      receipt(),
      doc(),
      cash(10_000, 1),
    ],
  ])('refuses with %s: %s', (code, message, r, d, a) => {
    expect(refusal(all(r, d, a))).toEqual({ code, message });
  });

  it('asks for a reason only when something is written off', () => {
    expect(refusal(() => checkPaymentAmounts(cash(1, 0, 1), ''))?.code).toBe('reason-missing');
    expect(refusal(() => checkPaymentAmounts(cash(1, 0, 1), 'small balance'))).toBeNull();
    expect(refusal(() => checkPaymentAmounts(cash(1), undefined))).toBeNull();
  });

  it('checks the target before the customer and the amounts', () => {
    const r = receipt({ currency: 'USD', unappliedMinor: 0 });
    expect(refusal(all(r, doc({ customerId: 'c3', openMinor: 0 }), cash(1)))?.code).toBe('currency-mismatch');
    expect(refusal(all(receipt({ unappliedMinor: 0 }), doc({ customerId: 'c3' }), cash(1)))?.code).toBe(
      'customer-mismatch',
    );
  });

  it('relieves cash at the receipt rate and the document and discount at the document rate', () => {
    const posting = paymentPosting(receipt(), doc(), cash(9_800, 200), 'USD');
    expect(posting.sourceBaseMinor).toBe(10_584);
    expect(posting.documentBaseMinor).toBe(11_000);
    expect(posting.lines.find((l) => l.role === 'discount')?.baseAmountMinor).toBe(220);
    expect(posting.fxGainLossBaseMinor).toBe(-196);
    expect(sum(posting.lines.map((l) => l.baseAmountMinor))).toBe(0);
  });

  it('never values discount and write-off above the document base relieved', () => {
    const nearlyPaid = doc({ openMinor: 100, openBaseMinor: 50 });
    const posting = paymentPosting(receipt(), nearlyPaid, cash(0, 60, 40), 'USD');
    expect(posting.documentBaseMinor).toBe(50);
    expect(posting.lines.find((l) => l.role === 'discount')?.baseAmountMinor).toBe(50);
    expect(posting.lines.find((l) => l.role === 'write_off')?.baseAmountMinor).toBe(0);
    expect(sum(posting.lines.map((l) => l.baseAmountMinor))).toBe(0);
  });
});

describe('cash on account', () => {
  it("takes the receipt's customer, else the one named", () => {
    expect(onAccountCustomer(receipt(), undefined)).toBe('c1');
    expect(onAccountCustomer(receipt(), 'c1')).toBe('c1');
    expect(onAccountCustomer(receipt({ customerId: null }), 'c9')).toBe('c9');
  });

  it('refuses an unknown customer, another customer, and more than the unapplied cash', () => {
    expect(refusal(() => onAccountCustomer(receipt({ customerId: null }), undefined))).toEqual({
      code: 'customer-unknown',
      message: 'receipt R-1 has no customer; name one',
    });
    expect(refusal(() => onAccountCustomer(receipt(), 'c2'))).toEqual({
      code: 'customer-mismatch',
      message: 'receipt R-1 belongs to another customer',
    });
    expect(refusal(() => checkOnAccountCash(receipt(), 10_001))).toEqual({
      code: 'receipt-over-applied',
      message: 'receipt R-1 has 10000 unapplied, cannot put 10001 on account',
    });
    expect(refusal(() => checkOnAccountCash(receipt(), 10_000))).toBeNull();
  });

  it("moves the cash at the receipt's rate", () => {
    const { baseMinor, lines } = onAccountPosting(receipt(), 'c1', 2_500);
    expect(baseMinor).toBe(2_700);
    expect(lines.map((l) => [l.role, l.amountMinor, l.baseAmountMinor])).toEqual([
      ['unapplied_cash', 2_500, 2_700],
      ['ar_control', -2_500, -2_700],
    ]);
  });
});

describe('customer families', () => {
  const families = new Map<string, string | null>([
    ['a', 'p'],
    ['b', 'p'],
    ['deep', null],
  ]);

  it('counts a customer and the subsidiaries of one parent as one family', () => {
    expect(sameCustomerFamily(families, 'a', 'b')).toBe(true);
    expect(sameCustomerFamily(families, 'x', 'x')).toBe(true);
  });

  it('keeps a customer with an unknown or too deep parent chain to itself', () => {
    expect(sameCustomerFamily(families, 'deep', 'a')).toBe(false);
    expect(sameCustomerFamily(families, 'a', 'unknown')).toBe(false);
    expect(sameCustomerFamily(families, 'deep', 'deep')).toBe(true);
  });
});
