import { describe, expect, it } from 'vitest';
import { detectDecimalSeparator, findMoney, parseMoneyCell } from './amounts.js';
import { DocumentDates } from './dates.js';
import { reasonCodeOf, reasonFromText, reasonFromX12 } from './reasons.js';
import { isDocumentLike, looksLikeCreditMemo, looksLikeRange } from './tokens.js';

describe('parseMoneyCell', () => {
  it.each([
    ['$1,200.00', '1200.00', null, true],
    ['1.234,56 €', '1234.56', 'EUR', false],
    ['USD 12,345.67', '12345.67', 'USD', false],
    ['1 234,56', '1234.56', null, false],
    ["CHF 1'234.50", '1234.50', 'CHF', false],
    ['¥120,000', '120000', 'JPY', false],
    ['£5.00', '5.00', 'GBP', false],
    ['C$ 99.90', '99.90', 'CAD', false],
    ['(150.00)', '-150.00', null, false],
    ['150.00-', '-150.00', null, false],
    ['- $1,150.00', '-1150.00', null, true],
    ['250.00 CR', '-250.00', null, false],
    ['250.00 DR', '250.00', null, false],
    ['12,50', '12.50', null, false],
    ['1,234', '1234', null, false],
    ['1.234', '1234', null, false],
    ['0.00', '0.00', null, false],
  ])('%s', (cell, value, currency, dollar) => {
    expect(parseMoneyCell(cell, '.')).toMatchObject({ value, currency, dollar });
  });

  it.each(['', 'INV-1043', '03/15/2024', 'twelve', '1.2.3', '12 apples', '$', 'USD'])(
    'refuses %j',
    (cell) => {
      expect(parseMoneyCell(cell, '.')).toBeNull();
    },
  );
});

describe('findMoney', () => {
  it('finds explicit amounts in prose, not document numbers, dates or bare counts', () => {
    const text =
      'Payment of $12,345.67 for INV-1043 ($1,200.00) - $300.00 on 03/15/2024, 3 pallets, ref 100234, 1.234,56 EUR';
    expect(findMoney(text, '.').map((m) => [m.money.value, m.money.currency])).toEqual([
      ['12345.67', null],
      ['1200.00', null],
      ['300.00', null],
      ['1234.56', 'EUR'],
    ]);
  });

  it('reads a currency code after a number only when no number follows it', () => {
    expect(findMoney('invoice 1043 USD 1,200.00', '.').map((m) => [m.money.value, m.money.currency])).toEqual(
      [['1200.00', 'USD']],
    );
  });
});

describe('detectDecimalSeparator', () => {
  it.each([
    ['Betrag 1.234,56 EUR und 12,50', ','],
    ['Total $1,234.56 and 12.50', '.'],
    ['nothing here', '.'],
    ['am 15.03.2024 bezahlt: 99,00', ','],
  ])('%s', (text, separator) => expect(detectDecimalSeparator(text)).toBe(separator));
});

describe('DocumentDates', () => {
  it('learns the day/month order from the document, else uses the hint and says so', () => {
    const proven = new DocumentDates('MD');
    proven.learn('Invoice date 25/02/2024, paid 03/04/2024');
    expect(proven.read('03/04/2024')).toEqual({ date: '2024-04-03', guessed: false });
    const hinted = new DocumentDates('MD');
    expect(hinted.read('03/04/2024')).toEqual({ date: '2024-03-04', guessed: true });
    expect(hinted.read('15th March 2024')).toEqual({ date: '2024-03-15', guessed: false });
    expect(hinted.read('next week')).toEqual({ date: null, guessed: false });
  });
});

describe('reasons', () => {
  it.each([
    ['short paid for damaged goods', 'DAMAGED'],
    ['returned damaged goods', 'RETURNS'],
    ['short shipment of 2 cases', 'SHORTAGE'],
    ['price difference', 'PRICING'],
    ['promo allowance', 'PROMOTION'],
    ['freight deducted', 'FREIGHT'],
    ['co-op advertising', 'COOP'],
    ['sales tax', 'TAX'],
    ['late delivery penalty', 'COMPLIANCE'],
    ['credit memo applied', 'CREDIT_MEMO'],
    ['see attached', null],
  ])('%s -> %s', (text, code) => expect(reasonFromText(text)).toBe(code));

  it('maps X12 426 codes and written codes to the same vocabulary', () => {
    expect(['01', '04', '06', '54', '55', '99', null].map(reasonFromX12)).toEqual([
      'PRICING',
      'DAMAGED',
      'SHORTAGE',
      'FREIGHT',
      'TAX',
      null,
      null,
    ]);
    expect(['DAMAGED', 'co-op', 'credit memo', 'misc'].map(reasonCodeOf)).toEqual([
      'DAMAGED',
      'COOP',
      'CREDIT_MEMO',
      null,
    ]);
  });
});

describe('document tokens', () => {
  it.each([
    ['INV-1043', true],
    ['1043', true],
    ['2024/0153', true],
    ['SO-88812-A', true],
    ['W-9', false],
    ['03/15/2024', false],
    ['1200.00', false],
    ['10am', false],
    ['2nd', false],
    ['acme.com', false],
    ['USD1200', false],
  ])('%s is document-like: %s', (token, like) => expect(isDocumentLike(token)).toBe(like));

  it('knows credit memo prefixes and ranges', () => {
    expect(['CM-0007', 'CN1234', 'CR 55', 'CRATE-12'].map(looksLikeCreditMemo)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(['1043-1045', 'INV-1043-1045', '2024-0153', '100-99'].map(looksLikeRange)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
