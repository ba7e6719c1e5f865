import { describe, expect, it } from 'vitest';
import { type LinkAdvice, type LinkReceipt, linkAdvices } from './link.js';

const receipt = (id: string, amountMinor: number, extra: Partial<LinkReceipt> = {}): LinkReceipt => ({
  receiptId: id,
  currency: 'USD',
  amountMinor,
  day: 20_000,
  payerName: null,
  references: [],
  remittanceText: null,
  fileId: null,
  ...extra,
});
const advice = (id: string, amountMinor: number | null, extra: Partial<LinkAdvice> = {}): LinkAdvice => ({
  adviceId: id,
  currency: 'USD',
  amountMinor,
  payer: null,
  paymentReferences: [],
  day: 20_000,
  fileId: 'f-mail',
  ...extra,
});

describe('linking remittance advices to receipts', () => {
  it('links by a payment reference both quote, with leading zeros and separators ignored', () => {
    const links = linkAdvices(
      [receipt('r1', 5000, { references: ['0000100234'] }), receipt('r2', 5000)],
      [advice('a1', 5000, { paymentReferences: ['CHK 100234'] })],
    );
    expect(links.map((l) => [l.adviceId, l.receiptId])).toEqual([['a1', 'r1']]);
  });

  it('links a lockbox check to its advice in the same file', () => {
    const links = linkAdvices(
      [receipt('r1', 15000, { references: ['001-001', '1001'], fileId: 'f1' })],
      [advice('a1', 15000, { paymentReferences: ['1001'], fileId: 'f1' })],
    );
    expect(links).toHaveLength(1);
  });

  it('finds a trace number inside the remittance text', () => {
    const links = linkAdvices(
      [receipt('r1', 999, { remittanceText: 'CCD TRACE 021000020123456 ACME' })],
      [advice('a1', 999, { paymentReferences: ['021000020123456'] })],
    );
    expect(links).toHaveLength(1);
  });

  it('links by amount, payer and date only when nothing else has that amount', () => {
    const payer = { payerName: 'ACME WIDGETS INC' };
    const only = linkAdvices([receipt('r1', 4321, payer)], [advice('a1', 4321, { payer: 'Acme Widgets' })]);
    expect(only).toHaveLength(1);
    const two = linkAdvices(
      [receipt('r1', 4321, payer), receipt('r2', 4321, payer)],
      [advice('a1', 4321, { payer: 'Acme Widgets' })],
    );
    expect(two).toEqual([]);
  });

  it('does not link a different amount or currency on a weak reference', () => {
    expect(linkAdvices([receipt('r1', 5000)], [advice('a1', 4000, { payer: 'X' })])).toEqual([]);
    expect(
      linkAdvices(
        [receipt('r1', 5000, { references: ['77'] })],
        [advice('a1', 5000, { currency: 'EUR', paymentReferences: ['77'] })],
      ),
    ).toEqual([]);
  });
});

describe('linking by amount and payer', () => {
  it('reads the company out of an e-mail signature with its department', () => {
    const links = linkAdvices(
      [
        {
          receiptId: 'r1',
          currency: 'USD',
          amountMinor: 379485,
          day: 100,
          payerName: 'GLOBEX METALS',
          references: [],
          remittanceText: null,
          fileId: 'bank',
        },
      ],
      [
        {
          adviceId: 'a1',
          currency: 'USD',
          amountMinor: 379485,
          payer: 'Accounts Payable | Globex Metals Inc.',
          paymentReferences: ['RA0000284'],
          day: 99,
          fileId: 'mail',
        },
      ],
    );
    expect(links.map((l) => [l.adviceId, l.receiptId])).toEqual([['a1', 'r1']]);
  });
});
