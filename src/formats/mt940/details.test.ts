/** The :86: dialects, the :61: grammar and the exact amount arithmetic, from the field specifications. */
import { describe, expect, it } from 'vitest';
import type { BankEntry } from '../model.js';
import { detailDialect, fillDetails } from './details.js';
import { isStatementLineProblem, readStatementLine } from './statement-line.js';
import { ExactSum, formatAmount, readBalance, scanAmount } from './values.js';

function details(raw: string): BankEntry {
  const entry: BankEntry = {
    booking_date: null,
    value_date: null,
    amount: '0',
    currency: null,
    bank_transaction_code: null,
    bank_reference: null,
    end_to_end_id: null,
    counterparty: { name: null, account: null, bank: null },
    remittance: { references: [], text: null },
  };
  fillDetails(raw, detailDialect(raw), entry);
  return entry;
}

describe(':86: German DFÜ structure', () => {
  it('concatenates ?20-?29 and ?60-?63 before splitting SEPA keywords, even a keyword cut in two', () => {
    const entry = details(
      '166?00GUTSCHRIFT?10931?20EREF+ABC-1?21KREF+K9 SV?22WZ+Invoice 17?30BANKDEFF?31DE02100100100006820101?32JOHN?33 DOE?60 and 18',
    );
    expect(entry).toMatchObject({
      gvc: '166',
      posting_text: 'GUTSCHRIFT',
      prima_nota: '931',
      end_to_end_id: 'ABC-1',
      counterparty: { name: 'JOHN DOE', account: 'DE02100100100006820101', bank: 'BANKDEFF' },
      remittance: { references: ['ABC-1', 'K9'], text: 'Invoice 17 and 18' },
    });
  });

  it('reads the > separator (Triodos) and a purpose without keywords', () => {
    const entry = details('000>100987654321>20ALGEMENE KOSTEN >21JANUARI>310390123456');
    expect(entry).toMatchObject({
      gvc: '000',
      prima_nota: '0987654321',
      counterparty: { account: '0390123456' },
      remittance: { text: 'ALGEMENE KOSTEN JANUARI', references: [] },
    });
  });

  it('keeps text before the first keyword when there is no SVWZ+, and skips NOTPROVIDED', () => {
    const entry = details('?20Miete Januar EREF+NOTPROVIDED MREF+M1 CRED+DE00ZZZ1');
    expect(entry).toMatchObject({
      end_to_end_id: null,
      mandate_id: 'M1',
      creditor_id: 'DE00ZZZ1',
      remittance: { references: [], text: 'Miete Januar' },
    });
  });

  it('prefers ?38 (IBAN) over ?31 and reads ABWA+/ABWE+', () => {
    const entry = details('177?20SVWZ+Rent ABWA+Tenant Ltd ABWE+Landlord?31123456?38DE44500105175407324931');
    expect(entry).toMatchObject({
      counterparty: { account: 'DE44500105175407324931' },
      ultimate_debtor: 'Tenant Ltd',
      ultimate_creditor: 'Landlord',
      remittance: { text: 'Rent' },
    });
  });
});

describe(':86: SWIFT /KEY/ structure', () => {
  it('reads values containing slashes and the party of NAME', () => {
    const entry = details(
      '/TRTP/SEPA CT/REMI/Invoice 2024/17 and 2024/18/EREF/A/B/ULTD//NAME/Payer Parent/BENM//NAME/Shop',
    );
    expect(entry).toMatchObject({
      transaction_type: 'SEPA CT',
      end_to_end_id: 'A/B',
      ultimate_debtor: 'Payer Parent',
      counterparty: { name: 'Shop' },
      remittance: { text: 'Invoice 2024/17 and 2024/18', references: ['A/B'] },
    });
  });

  it('reads a return reason and structured REMI with the issuer', () => {
    const entry = details('/RTRN/MS03/REMI/STRD/ISO/RF71254/');
    expect(entry).toMatchObject({
      return_reason: 'MS03',
      remittance: { references: ['RF71254'], text: null },
    });
  });
});

describe(':86: plain text and dialect detection', () => {
  it('keeps unstructured text as it is', () => {
    expect(details('911 TRANSAKCJA COLLECT; TYT.: FV 12/2024').remittance.text).toBe(
      '911 TRANSAKCJA COLLECT; TYT.: FV 12/2024',
    );
    expect(detailDialect('/PT/FT/PY/SOMETHING')).toBe('plain');
    expect(detailDialect('/NAME/X')).toBe('keyed');
    expect(detailDialect('?20X')).toBe('german');
    expect(detailDialect('123?20X')).toBe('german');
    expect(detailDialect('123 ?20X')).toBe('plain');
  });
});

describe(':61: statement line grammar', () => {
  it.each([
    [
      '2401150116CR1,00NTRFREF//BANK',
      { mark: 'C', fundsCode: 'R', customerReference: 'REF', bankReference: 'BANK' },
    ],
    ['240115RC1,00NTRFNONREF', { mark: 'RC', fundsCode: null, customerReference: 'NONREF' }],
    ['240115RDR1,00S051', { mark: 'RD', fundsCode: 'R', transactionType: 'S051', customerReference: null }],
    ['240115    DK1,00NMSCDBT.Test//x//y', { mark: 'D', fundsCode: 'K', bankReference: 'x//y' }],
    ['240115D1,00N527', { transactionType: 'N527', customerReference: null, bankReference: null }],
    [
      '240115C000000001213,28N0440121470966      W.P. Jansen',
      { customerReference: '0121470966      W.P. Jansen' },
    ],
  ])('reads %s', (text, expected) => {
    const line = readStatementLine(text);
    expect(isStatementLineProblem(line)).toBe(false);
    expect(line).toMatchObject(expected);
  });

  it.each([
    ['2401', 'value date', true],
    ['240115', 'mark', true],
    ['240115C', 'amount', true],
    ['240115C1,00', 'transaction type', true],
    ['240115C1,00,0NTRF', 'amount', false],
    ['240115Z1,00NTRF', 'mark', false],
    ['2401151332C1,00NTRF', 'entry date', false],
  ])('reports what is wrong with %s', (text, what, incomplete) => {
    const line = readStatementLine(text);
    expect(isStatementLineProblem(line)).toBe(true);
    expect(line).toMatchObject({ problem: expect.stringContaining(what), incomplete });
  });
});

describe('amounts and balances', () => {
  it('formats SWIFT amounts with at least the currency decimals and no signed zero', () => {
    expect(formatAmount(scanAmount('20,', 0)!, false, 2)).toBe('20.00');
    expect(formatAmount(scanAmount('000,5', 0)!, true, 2)).toBe('-0.50');
    expect(formatAmount(scanAmount('0,00', 0)!, true, 2)).toBe('0.00');
    expect(formatAmount(scanAmount('12,345', 0)!, false, 2)).toBe('12.345');
    expect(formatAmount(scanAmount('7', 0)!, false, 0)).toBe('7');
  });

  it('sums exactly past the safe-integer range and across scales', () => {
    const sum = new ExactSum();
    for (let i = 0; i < 2000; i++) sum.addAmount(scanAmount('9999999999999,99', 0)!, false);
    sum.addAmount(scanAmount('0,001', 0)!, true);
    expect(sum.scale).toBe(3);
    expect(sum.total()).toBe(9999999999999990n * 2000n - 1n);
  });

  it('reads balances with and without currency', () => {
    expect(readBalance('D240101EUR12,50')).toMatchObject({
      negative: true,
      currency: 'EUR',
      units: -1250n,
      scale: 2,
    });
    expect(readBalance('C02032495000,00')).toMatchObject({ currency: null, units: 9500000n });
    expect(readBalance('X240101EUR1,')).toBe('mark');
    expect(readBalance('C241301EUR1,')).toBe('date');
    expect(readBalance('C240101EUR')).toBe('amount');
    expect(readBalance('C240101EUR1,00 X')).toBe('trailing');
  });
});
