import { describe, expect, it } from 'vitest';
import { LedgerError } from './errors.js';
import { checkCreditApplication, creditApplicationPosting, type DocumentView } from './rules.js';

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
