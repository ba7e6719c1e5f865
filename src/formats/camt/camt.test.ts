import { describe, expect, it } from 'vitest';
import { balance, camtDocument, entry, statementBody, tx } from './fixtures/documents.js';
import { parseCamt, parseCamtError } from './test-helpers.js';

describe('camt.053.001.02 statement', () => {
  it('reads the account, currency, balances and statement extras', async () => {
    const result = await parseCamt(camtDocument());
    expect(result.warnings).toEqual([]);
    expect(result.statements).toHaveLength(1);
    const statement = result.statements[0]!;
    expect(statement).toMatchObject({
      account: 'NL91ABNA0417164300',
      currency: 'EUR',
      opening_balance: '1000.00',
      closing_balance: '1100.00',
      message_type: 'camt.053',
      message_version: 'camt.053.001.02',
      message_id: 'MSG-20240307',
      id: 'STMT-1',
      electronic_sequence_number: '42',
      legal_sequence_number: '7',
      creation_time: '2024-03-07T18:00:00+01:00',
      from_date: '2024-03-07',
      to_date: '2024-03-07',
      from_time: '2024-03-07T00:00:00+01:00',
      to_time: '2024-03-07T23:59:59+01:00',
      owner: 'Our Company Ltd',
      account_name: 'Main account',
      servicer_bic: 'ABNANL2A',
      opening_balance_type: 'OPBD',
      opening_date: '2024-03-07',
    });
    expect(statement.balances).toEqual([
      { type: 'OPBD', amount: '1000.00', currency: 'EUR', date: '2024-03-07' },
      { type: 'CLBD', amount: '1100.00', currency: 'EUR', date: '2024-03-07' },
    ]);
  });

  it('maps a credit transfer with structured and unstructured remittance', async () => {
    const result = await parseCamt(camtDocument());
    const entry = result.statements[0]!.entries[0]!;
    expect(entry).toMatchObject({
      booking_date: '2024-03-07',
      value_date: '2024-03-08',
      amount: '100.00',
      currency: 'EUR',
      bank_transaction_code: 'PMNT-RCDT-ESCT',
      proprietary_code: 'NTRF+166',
      bank_reference: 'TX-REF-1',
      end_to_end_id: 'E2E-1',
      counterparty: { name: 'Kunde & Partner GmbH', account: 'DE89370400440532013000', bank: 'COBADEFFXXX' },
      remittance: {
        references: ['INV-1001', 'INV-1002', 'RF18539007547034'],
        text: 'Payment for invoices INV-1001 and INV-1002',
      },
      status: 'BOOK',
      entry_reference: 'E1',
      instr_id: 'INSTR-1',
      tx_id: 'TXID-1',
      mandate_id: 'MNDT-1',
      msg_id: 'MSG-1',
      pmt_inf_id: 'PMT-1',
      ultimate_debtor: 'Ultimate Payer',
    });
    expect(entry.documents).toEqual([
      {
        number: 'INV-1001',
        type: 'CINV',
        date: '2024-02-01',
        reference: null,
        amount_due: '60.00',
        discount: '1.20',
        credit_note: null,
        tax: null,
        remitted: '58.80',
      },
      {
        number: 'INV-1002',
        type: 'CINV',
        date: null,
        reference: 'RF18539007547034',
        amount_due: null,
        discount: null,
        credit_note: null,
        tax: null,
        remitted: '41.20',
      },
    ]);
    expect(entry.reversal).toBeUndefined();
  });

  it('takes the creditor as counterparty of a debit and signs it negative', async () => {
    const doc = camtDocument({
      statements: [
        statementBody({
          balances: `${balance({ code: 'OPBD', amount: '1000.00' })}${balance({ code: 'CLBD', amount: '900.00' })}`,
          entries: entry({ indicator: 'DBIT', details: tx() }),
        }),
      ],
    });
    const result = await parseCamt(doc);
    expect(result.warnings).toEqual([]);
    const e = result.statements[0]!.entries[0]!;
    expect(e.amount).toBe('-100.00');
    expect(e.counterparty).toEqual({ name: 'Our Company Ltd', account: 'NL91ABNA0417164300', bank: null });
  });

  it('reads several statements in file order', async () => {
    const doc = camtDocument({
      statements: [
        statementBody({ id: 'A' }),
        statementBody({
          id: 'B',
          account: '<Othr><Id>12345678</Id></Othr>',
          balances: `${balance({ code: 'OPBD', amount: '1100.00' })}${balance({ code: 'CLBD', amount: '5.00', indicator: 'DBIT' })}`,
          entries: entry({ indicator: 'DBIT', amount: '<Amt Ccy="EUR">1105.00</Amt>' }),
        }),
      ],
    });
    const result = await parseCamt(doc);
    expect(result.statements.map((s) => [s.id, s.account, s.opening_balance, s.closing_balance])).toEqual([
      ['A', 'NL91ABNA0417164300', '1000.00', '1100.00'],
      ['B', '12345678', '1100.00', '-5.00'],
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('uses the entry reference when there is no account servicer reference', async () => {
    const doc = camtDocument({
      statements: [
        statementBody({ entries: entry({ ref: 'NREF-9' }).replace(/<AcctSvcrRef>.*<\/AcctSvcrRef>/, '') }),
      ],
    });
    const e = (await parseCamt(doc)).statements[0]!.entries[0]!;
    expect(e.bank_reference).toBe('NREF-9');
    expect(e.counterparty).toEqual({ name: null, account: null, bank: null });
    expect(e.remittance).toEqual({ references: [], text: null });
  });
});

describe('amounts', () => {
  const cases: [string, string, string][] = [
    ['<Amt Ccy="EUR">000000000000149.87</Amt>', 'CRDT', '149.87'],
    ['<Amt Ccy="EUR">6329</Amt>', 'CRDT', '6329.00'],
    ['<Amt Ccy="EUR">0.2</Amt>', 'DBIT', '-0.20'],
    ['<Amt Ccy="EUR">18.150</Amt>', 'CRDT', '18.15'],
    ['<Amt Ccy="EUR">1.23456</Amt>', 'CRDT', '1.23456'],
    ['<Amt Ccy="JPY">2700</Amt>', 'DBIT', '-2700'],
    ['<Amt Ccy="KWD">1.5</Amt>', 'CRDT', '1.500'],
    ['<Amt Ccy="EUR">0.00</Amt>', 'DBIT', '0.00'],
    ['<Amt Ccy="EUR"> 12.30 </Amt>', 'CRDT', '12.30'],
    ['<Amt>12.3</Amt>', 'CRDT', '12.30'],
  ];
  it.each(cases)('%s %s -> %s', async (amount, indicator, expected) => {
    const doc = camtDocument({
      statements: [
        statementBody({ balances: '', entries: entry({ amount, indicator: indicator as 'CRDT' }) }),
      ],
    });
    const e = (await parseCamt(doc)).statements[0]!.entries[0]!;
    expect(e.amount).toBe(expected);
  });
});

describe('batch entries', () => {
  const v02Amount = (value: string) => `<AmtDtls><TxAmt><Amt Ccy="EUR">${value}</Amt></TxAmt></AmtDtls>`;

  it('splits a batch Ntry into one entry per TxDtls with its own amount (v02 AmtDtls/TxAmt)', async () => {
    const details = `<Btch><MsgId>B-1</MsgId><NbOfTxs>3</NbOfTxs><TtlAmt Ccy="EUR">100.00</TtlAmt></Btch>
      ${tx({ amount: null, amountDetails: v02Amount('50.00'), ref: 'T1' })}
      ${tx({ amount: null, amountDetails: v02Amount('30.00'), ref: 'T2', endToEnd: 'E2E-2' })}
      ${tx({ amount: null, amountDetails: v02Amount('20.00'), ref: 'T3', endToEnd: 'E2E-3' })}`;
    const doc = camtDocument({
      statements: [statementBody({ entries: entry({ details, info: 'BATCH 3 TX' }) })],
    });
    const result = await parseCamt(doc);
    expect(result.warnings).toEqual([]);
    const entries = result.statements[0]!.entries;
    expect(entries.map((e) => [e.amount, e.bank_reference, e.end_to_end_id, e.batch_index])).toEqual([
      ['50.00', 'T1', 'E2E-1', 1],
      ['30.00', 'T2', 'E2E-2', 2],
      ['20.00', 'T3', 'E2E-3', 3],
    ]);
    expect(entries.every((e) => e.batch_entry_amount === '100.00' && e.entry_info === 'BATCH 3 TX')).toBe(
      true,
    );
    expect(entries.every((e) => e.booking_date === '2024-03-07' && e.status === 'BOOK')).toBe(true);
  });

  it('signs each transaction by its own CdtDbtInd', async () => {
    const details = `${tx({ amount: '<Amt Ccy="EUR">130.00</Amt>', indicator: 'CRDT' })}
      ${tx({ amount: '<Amt Ccy="EUR">30.00</Amt>', indicator: 'DBIT' })}`;
    const doc = camtDocument({ statements: [statementBody({ entries: entry({ details }) })] });
    const result = await parseCamt(doc);
    expect(result.statements[0]!.entries.map((e) => e.amount)).toEqual(['130.00', '-30.00']);
    expect(result.statements[0]!.entries[1]!.counterparty.name).toBe('Our Company Ltd');
    expect(result.warnings).toEqual([]);
  });

  it('falls back to AmtDtls/InstdAmt when there is no other transaction amount', async () => {
    const instructed = (value: string) =>
      `<AmtDtls><InstdAmt><Amt Ccy="EUR">${value}</Amt></InstdAmt></AmtDtls>`;
    const details = `${tx({ amount: null, amountDetails: instructed('60.00') })}${tx({ amount: null, amountDetails: instructed('40.00') })}`;
    const doc = camtDocument({ statements: [statementBody({ entries: entry({ details }) })] });
    expect((await parseCamt(doc)).statements[0]!.entries.map((e) => e.amount)).toEqual(['60.00', '40.00']);
  });

  it('reports, and keeps, a difference between the booked amount and its transactions (charges)', async () => {
    const details = `${tx({ amount: '<Amt Ccy="EUR">1000.00</Amt>' })}${tx({ amount: '<Amt Ccy="EUR">500.00</Amt>' })}`;
    const charges = `<Chrgs><TtlChrgsAndTaxAmt Ccy="EUR">26.00</TtlChrgsAndTaxAmt>
      <Rcrd><Amt Ccy="EUR">26.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><ChrgInclInd>true</ChrgInclInd><Tp><Cd>COMM</Cd></Tp></Rcrd></Chrgs>`;
    const doc = camtDocument({
      statements: [
        statementBody({
          balances: `${balance({ code: 'OPBD', amount: '0.00' })}${balance({ code: 'CLBD', amount: '1526.00' })}`,
          entries: entry({ amount: '<Amt Ccy="EUR">1526.00</Amt>', details, extra: charges }),
        }),
      ],
    });
    const result = await parseCamt(doc);
    const entries = result.statements[0]!.entries;
    expect(entries.map((e) => e.amount)).toEqual(['1000.00', '500.00']);
    expect(entries[0]!.charges).toEqual({
      total: '26.00',
      records: [{ amount: '26.00', currency: 'EUR', credit_debit: 'CRDT', type: 'COMM', included: true }],
    });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ code: 'batch-difference', statement: 0 });
    expect(result.warnings[0]!.message).toContain('by 26.00');
    expect(result.warnings[0]!.message).toContain('entry charges 26.00');
    expect(result.warnings[0]!.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]');
  });

  it('keeps a batch whose transactions have no amounts as one entry, with a warning', async () => {
    const details = `${tx({ amount: null, ref: 'T1' })}${tx({ amount: null, ref: 'T2', endToEnd: 'E2E-2' })}`;
    const doc = camtDocument({ statements: [statementBody({ entries: entry({ details }) })] });
    const result = await parseCamt(doc);
    const entries = result.statements[0]!.entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]!.amount).toBe('100.00');
    expect((entries[0]!.transactions as unknown[]).length).toBe(2);
    expect(entries[0]!.transactions).toMatchObject([
      { amount: null, bank_reference: 'T1', end_to_end_id: 'E2E-1' },
      { amount: null, bank_reference: 'T2', end_to_end_id: 'E2E-2' },
    ]);
    expect(result.warnings.map((w) => w.code)).toEqual(['bank-deviation']);
  });

  it('accepts a batch booked in one line with its details elsewhere (Btch/NbOfTxs > TxDtls)', async () => {
    const details = `<Btch><NbOfTxs>86</NbOfTxs></Btch><TxDtls><Amt Ccy="EUR">100.00</Amt></TxDtls>`;
    const doc = camtDocument({ statements: [statementBody({ entries: entry({ details }) })] });
    const result = await parseCamt(doc);
    const e = result.statements[0]!.entries[0]!;
    expect(e.amount).toBe('100.00');
    expect(e.batch_transactions).toBe(86);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ code: 'bank-deviation', statement: 0 });
    expect(result.warnings[0]!.message).toContain('86 transactions');
  });

  it('streams a batch larger than the pending buffer and still checks its total', async () => {
    const count = 2500;
    const one = `<TxDtls><Refs><EndToEndId>X</EndToEndId></Refs><Amt Ccy="EUR">1.00</Amt></TxDtls>`;
    const details = one.repeat(count);
    const doc = camtDocument({
      statements: [
        statementBody({
          balances: `${balance({ code: 'OPBD', amount: '0.00' })}${balance({ code: 'CLBD', amount: '2500.00' })}`,
          entries: entry({ amount: '<Amt Ccy="EUR">2500.00</Amt>', details, info: 'BIG BATCH' }),
        }),
      ],
    });
    const result = await parseCamt(doc, {}, 4096);
    const entries = result.statements[0]!.entries;
    expect(entries).toHaveLength(count);
    expect(entries[count - 1]!.batch_index).toBe(count);
    expect(result.warnings).toEqual([]);
  });

  it('bounds the details kept of a large batch that cannot be split', async () => {
    const details = `<TxDtls><Refs><EndToEndId>NOAMT</EndToEndId></Refs></TxDtls>${'<TxDtls><Amt Ccy="EUR">1.00</Amt></TxDtls>'.repeat(1500)}`;
    const doc = camtDocument({ statements: [statementBody({ entries: entry({ details }) })] });
    const result = await parseCamt(doc);
    const entries = result.statements[0]!.entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]!.amount).toBe('100.00');
    expect((entries[0]!.transactions as unknown[]).length).toBe(999);
    expect(entries[0]!.transactions_omitted).toBe(502);
    expect(result.warnings.map((w) => w.code)).toEqual(['bank-deviation']);
    expect(result.warnings[0]!.message).toContain('1501 TxDtls');
  });

  it('rejects a transaction without amount once a large batch is being split', async () => {
    const one = `<TxDtls><Amt Ccy="EUR">1.00</Amt></TxDtls>`;
    const details = `${one.repeat(1000)}<TxDtls><Refs><EndToEndId>X</EndToEndId></Refs></TxDtls>`;
    const doc = camtDocument({ statements: [statementBody({ entries: entry({ details }) })] });
    const error = await parseCamtError(doc);
    expect(error.code).toBe('missing-field');
    expect(error.location.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[1001]/Amt');
  });
});

describe('entry details', () => {
  it('reads v08 status codes, Dbtr/Pty names, BICFI, UETR and date-times', async () => {
    const parties = `<RltdPties><Dbtr><Pty><Nm>Pty Name AG</Nm></Pty></Dbtr>
        <DbtrAcct><Id><Othr><Id>9876543</Id></Othr></Id></DbtrAcct><UltmtCdtr><Pty><Nm>Ult Cdtr</Nm></Pty></UltmtCdtr></RltdPties>
        <RltdAgts><DbtrAgt><FinInstnId><BICFI>UBSWCHZH80A</BICFI></FinInstnId></DbtrAgt></RltdAgts>`;
    const details = tx({
      parties,
      extra: '<AddtlTxInf>extra tx info</AddtlTxInf>',
      remittance: '<RmtInf><Ustrd>v08 text</Ustrd></RmtInf>',
    }).replace(
      '<MndtId>MNDT-1</MndtId>',
      '<MndtId>MNDT-1</MndtId><UETR>eb6305c9-1f7f-49de-aed0-16487c27b42d</UETR>',
    );
    const doc = camtDocument({
      version: '08',
      statements: [
        statementBody({
          entries: entry({ statusCode: true, valueDateTime: '2024-03-08T10:15:00+01:00', details }),
        }),
      ],
    });
    const result = await parseCamt(doc);
    const e = result.statements[0]!.entries[0]!;
    expect(result.statements[0]!.message_version).toBe('camt.053.001.08');
    expect(e).toMatchObject({
      status: 'BOOK',
      value_date: '2024-03-08',
      counterparty: { name: 'Pty Name AG', account: '9876543', bank: 'UBSWCHZH80A' },
      uetr: 'eb6305c9-1f7f-49de-aed0-16487c27b42d',
      ultimate_creditor: 'Ult Cdtr',
      transaction_info: 'extra tx info',
      remittance: { references: [], text: 'v08 text' },
    });
  });

  it('counts pending and information entries but ties balances with booked ones only', async () => {
    const entries = [
      entry({ ref: 'A', status: 'BOOK' }),
      entry({ ref: 'B', status: 'PDNG', statusCode: true }),
      entry({ ref: 'C', status: 'INFO' }),
    ].join('');
    const doc = camtDocument({ statements: [statementBody({ entries })] });
    const result = await parseCamt(doc);
    expect(result.statements[0]!.entries.map((e) => e.status)).toEqual(['BOOK', 'PDNG', 'INFO']);
    expect(result.warnings).toEqual([]);
  });

  it('marks reversals, keeps the CdtDbtInd sign and reads the return reason', async () => {
    const details = tx({
      extra: '<RtrInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Account closed</AddtlInf></RtrInf>',
    });
    const doc = camtDocument({
      statements: [
        statementBody({
          balances: `${balance({ code: 'OPBD', amount: '1000.00' })}${balance({ code: 'CLBD', amount: '900.00' })}`,
          entries: entry({ indicator: 'DBIT', reversal: true, details }),
        }),
      ],
    });
    const result = await parseCamt(doc);
    const e = result.statements[0]!.entries[0]!;
    expect(e).toMatchObject({
      amount: '-100.00',
      reversal: true,
      return_reason: 'AC04',
      return_info: 'Account closed',
    });
    // A reversed debit's parties are those of the original credit: the payer is the debtor.
    expect(e.counterparty.name).toBe('Kunde & Partner GmbH');
  });

  it('treats NOTPROVIDED as no end-to-end id but keeps the raw value', async () => {
    const doc = camtDocument({
      statements: [statementBody({ entries: entry({ details: tx({ endToEnd: 'NOTPROVIDED' }) }) })],
    });
    const e = (await parseCamt(doc)).statements[0]!.entries[0]!;
    expect(e.end_to_end_id).toBeNull();
    expect(e.end_to_end_id_raw).toBe('NOTPROVIDED');
  });

  it('keeps entry-level additional information and v02 repeated charges', async () => {
    const charges = `<Chrgs><Amt Ccy="EUR">1.50</Amt><Tp><Cd>BANK</Cd></Tp></Chrgs><Chrgs><Amt Ccy="EUR">0.50</Amt></Chrgs>`;
    const doc = camtDocument({
      statements: [statementBody({ entries: entry({ info: 'SEPA CREDIT', extra: charges, details: tx() }) })],
    });
    const e = (await parseCamt(doc)).statements[0]!.entries[0]!;
    expect(e.entry_info).toBe('SEPA CREDIT');
    expect(e.charges).toEqual({
      total: null,
      records: [
        { amount: '1.50', currency: 'EUR', credit_debit: null, type: 'BANK', included: null },
        { amount: '0.50', currency: 'EUR', credit_debit: null, type: null, included: null },
      ],
    });
  });

  it('reads v04+ discounts, tax, credit notes and adjustments of referred documents', async () => {
    const remittance = `<RmtInf><Strd>
        <RfrdDocInf><Nb>CN-7</Nb></RfrdDocInf>
        <RfrdDocAmt>
          <DscntApldAmt><Tp><Cd>EARL</Cd></Tp><Amt Ccy="EUR">1.00</Amt></DscntApldAmt>
          <DscntApldAmt><Amt Ccy="EUR">0.50</Amt></DscntApldAmt>
          <CdtNoteAmt Ccy="EUR">10.00</CdtNoteAmt>
          <TaxAmt><Amt Ccy="EUR">2.10</Amt></TaxAmt>
          <AdjstmntAmtAndRsn><Amt Ccy="EUR">3.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Rsn>SHORT</Rsn></AdjstmntAmtAndRsn>
        </RfrdDocAmt></Strd></RmtInf>`;
    const doc = camtDocument({
      statements: [statementBody({ entries: entry({ details: tx({ remittance }) }) })],
    });
    const e = (await parseCamt(doc)).statements[0]!.entries[0]!;
    expect(e.documents).toEqual([
      {
        number: 'CN-7',
        type: null,
        date: null,
        reference: null,
        amount_due: null,
        discount: '1.50',
        credit_note: '10.00',
        tax: '2.10',
        remitted: null,
        adjustments: [{ amount: '3.00', credit_debit: 'DBIT', reason: 'SHORT' }],
      },
    ]);
  });
});

describe('camt.052 and camt.054', () => {
  it('reads a report with PRCD as opening and no closing booked balance', async () => {
    const doc = camtDocument({
      type: '052',
      statements: [
        statementBody({
          balances: `${balance({ code: 'PRCD', amount: '50.00', indicator: 'DBIT' })}${balance({ code: 'ITBD', amount: '50.00' })}`,
        }),
      ],
    });
    const result = await parseCamt(doc);
    const s = result.statements[0]!;
    expect(s).toMatchObject({
      message_type: 'camt.052',
      opening_balance: '-50.00',
      closing_balance: null,
      opening_balance_type: 'PRCD',
    });
    expect(s.entries).toHaveLength(1);
  });

  it('prefers OPBD over PRCD', async () => {
    const balances = `${balance({ code: 'PRCD', amount: '1.00' })}${balance({ code: 'OPBD', amount: '1000.00' })}${balance({ code: 'CLBD', amount: '1100.00' })}`;
    const doc = camtDocument({ statements: [statementBody({ balances })] });
    expect((await parseCamt(doc)).statements[0]!.opening_balance).toBe('1000.00');
  });

  it('reads a notification without balances and takes the currency from its entries', async () => {
    const doc = camtDocument({ type: '054', statements: [statementBody({ balances: '', currency: null })] });
    const result = await parseCamt(doc);
    expect(result.statements[0]).toMatchObject({
      message_type: 'camt.054',
      currency: 'EUR',
      opening_balance: null,
      closing_balance: null,
    });
    expect(result.statements[0]!.entries).toHaveLength(1);
  });
});

describe('document forms', () => {
  it('matches local names under any namespace prefix', async () => {
    const result = await parseCamt(camtDocument({ prefix: 'ns2' }));
    expect(result.statements[0]!.entries[0]!.amount).toBe('100.00');
    expect(result.statements[0]!.account).toBe('NL91ABNA0417164300');
  });

  it('reads a document without namespace', async () => {
    const doc = camtDocument().replace(/ xmlns="[^"]*"/, '');
    const result = await parseCamt(doc);
    expect(result.statements[0]!.message_version).toBeUndefined();
    expect(result.statements[0]!.entries).toHaveLength(1);
  });

  it('reads version .001.01 message names (BkToCstmrStmtV01)', async () => {
    const doc = camtDocument({ version: '01' }).replace(/BkToCstmrStmt>/g, 'BkToCstmrStmtV01>');
    expect((await parseCamt(doc)).statements).toHaveLength(1);
  });

  it('reads version .001.01 Btch and TxDtls placed directly in Ntry', async () => {
    const direct = `<Btch><MsgId>B-1</MsgId><NbOfTxs>20</NbOfTxs></Btch>`;
    const split = `${tx({ amount: '<Amt Ccy="EUR">60.00</Amt>' })}${tx({ amount: '<Amt Ccy="EUR">40.00</Amt>' })}`;
    const one = camtDocument({
      version: '01',
      statements: [statementBody({ entries: entry({ extra: direct }) })],
    });
    const result = await parseCamt(one);
    expect(result.statements[0]!.entries[0]).toMatchObject({
      amount: '100.00',
      batch_transactions: 20,
      msg_id: 'B-1',
    });
    const two = camtDocument({
      version: '01',
      statements: [statementBody({ entries: entry({ extra: split }) })],
    });
    expect((await parseCamt(two)).statements[0]!.entries.map((e) => e.amount)).toEqual(['60.00', '40.00']);
    const bad = camtDocument({
      version: '01',
      statements: [statementBody({ entries: entry({ extra: tx({ amount: '<Amt Ccy="EUR">?</Amt>' }) }) })],
    });
    expect((await parseCamtError(bad)).location.path).toBe(
      '/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/TxDtls[1]/Amt',
    );
  });

  it('reads a Document inside an envelope with a business application header', async () => {
    const doc = camtDocument().replace('<?xml version="1.0" encoding="UTF-8"?>', '');
    const wrapped = `<?xml version="1.0"?><BizMsg><AppHdr><Fr>X</Fr></AppHdr>${doc}</BizMsg>`;
    expect((await parseCamt(wrapped)).statements).toHaveLength(1);
  });

  it('reads a file fed one byte at a time, with multi-byte characters split across chunks', async () => {
    const doc = camtDocument().replace('Kunde &amp; Partner GmbH', 'Müller Straße 東京');
    const result = await parseCamt(doc, {}, 1);
    expect(result.statements[0]!.entries[0]!.counterparty.name).toBe('Müller Straße 東京');
  });

  it('decodes ISO-8859-1 as declared', async () => {
    const doc = camtDocument({ declaration: '<?xml version="1.0" encoding="ISO-8859-1"?>' }).replace(
      'Kunde &amp; Partner GmbH',
      'Müller Söhne',
    );
    const result = await parseCamt(Buffer.from(doc, 'latin1'));
    expect(result.statements[0]!.entries[0]!.counterparty.name).toBe('Müller Söhne');
    expect(result.warnings).toEqual([]);
  });

  it('decodes windows-1252 through iconv-lite', async () => {
    const doc = camtDocument({ declaration: "<?xml version='1.0' encoding='windows-1252'?>" }).replace(
      'Payment for invoices',
      'Zahlung €',
    );
    const bytes = Buffer.from(doc.replace('€', '\u0000'), 'latin1');
    bytes[bytes.indexOf(0)] = 0x80; // € in windows-1252
    const result = await parseCamt(bytes, {}, 7);
    expect(result.statements[0]!.entries[0]!.remittance.text).toContain('Zahlung €');
  });

  it('reads UTF-8 bytes mislabelled as UTF-16 in the declaration', async () => {
    const doc = camtDocument({ declaration: '<?xml version="1.0" encoding="UTF-16"?>' });
    expect((await parseCamt(doc)).statements[0]!.entries[0]!.counterparty.name).toBe('Kunde & Partner GmbH');
  });

  it('strips a UTF-8 byte order mark', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(camtDocument())]);
    expect((await parseCamt(bytes, {}, 2)).statements).toHaveLength(1);
  });

  it('reads UTF-16LE with a byte order mark', async () => {
    const doc = camtDocument({ declaration: '<?xml version="1.0" encoding="UTF-16"?>' });
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc, 'utf16le')]);
    const result = await parseCamt(bytes, {}, 3);
    expect(result.statements[0]!.entries[0]!.counterparty.name).toBe('Kunde & Partner GmbH');
  });

  it('warns once when UTF-8 input holds invalid bytes', async () => {
    const doc = camtDocument().replace('Payment for invoices', 'Zahlung X');
    const bytes = Buffer.from(doc);
    bytes[bytes.indexOf('Zahlung X') + 8] = 0xfc; // a latin1 ü in a UTF-8 file
    const result = await parseCamt(bytes);
    expect(result.warnings.map((w) => w.code)).toEqual(['bank-deviation']);
    expect(result.statements[0]!.entries).toHaveLength(1);
  });

  it('ignores the text of skipped subtrees', async () => {
    const parties = `<RltdPties><Dbtr><PstlAdr><AdrLine>Street 1</AdrLine></PstlAdr><Nm>Payer</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct></RltdPties>`;
    const doc = camtDocument({
      statements: [statementBody({ entries: entry({ details: tx({ parties }) }) })],
    });
    expect((await parseCamt(doc, {}, 5)).statements[0]!.entries[0]!.counterparty).toEqual({
      name: 'Payer',
      account: 'DE89370400440532013000',
      bank: null,
    });
  });

  it('reads CDATA sections', async () => {
    const doc = camtDocument().replace(
      '<Ustrd>Payment for invoices</Ustrd>',
      '<Ustrd><![CDATA[A & B <x>]]></Ustrd>',
    );
    expect((await parseCamt(doc)).statements[0]!.entries[0]!.remittance.text).toBe(
      'A & B <x> INV-1001 and INV-1002',
    );
  });
});

describe('control totals (TxsSummry)', () => {
  const entries = [
    entry({ ref: 'A', amount: '<Amt Ccy="EUR">300.00</Amt>' }),
    entry({ ref: 'B', amount: '<Amt Ccy="EUR">200.00</Amt>', indicator: 'DBIT' }),
  ].join('');
  const balances = `${balance({ code: 'OPBD', amount: '1000.00' })}${balance({ code: 'CLBD', amount: '1100.00' })}`;
  const summaryV02 = (count: number, sum: string, net = '100.00', creditSum = '300.00') => `<TxsSummry>
      <TtlNtries><NbOfNtries>${count}</NbOfNtries><Sum>${sum}</Sum><TtlNetNtryAmt>${net}</TtlNetNtryAmt><CdtDbtInd>CRDT</CdtDbtInd></TtlNtries>
      <TtlCdtNtries><NbOfNtries>1</NbOfNtries><Sum>${creditSum}</Sum></TtlCdtNtries>
      <TtlDbtNtries><NbOfNtries>1</NbOfNtries><Sum>200.00</Sum></TtlDbtNtries>
    </TxsSummry>`;

  it('accepts a summary that matches the entries (v02 TtlNetNtryAmt)', async () => {
    const doc = camtDocument({
      statements: [statementBody({ balances, entries, summary: summaryV02(2, '500.00') })],
    });
    expect((await parseCamt(doc)).warnings).toEqual([]);
  });

  it('accepts a summary that matches the entries (v08 TtlNetNtry/Amt)', async () => {
    const summary = `<TxsSummry><TtlNtries><NbOfNtries>2</NbOfNtries><Sum>500</Sum>
      <TtlNetNtry><Amt>100</Amt><CdtDbtInd>CRDT</CdtDbtInd></TtlNetNtry></TtlNtries></TxsSummry>`;
    const doc = camtDocument({ version: '08', statements: [statementBody({ balances, entries, summary })] });
    expect((await parseCamt(doc)).warnings).toEqual([]);
  });

  it('rejects a wrong entry count', async () => {
    const doc = camtDocument({
      statements: [statementBody({ balances, entries, summary: summaryV02(3, '500.00') })],
    });
    const error = await parseCamtError(doc);
    expect(error.code).toBe('control-total');
    expect(error.location.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/TxsSummry');
    expect(error.message).toContain('TtlNtries/NbOfNtries 3 but 2 Ntry');
  });

  it('rejects a wrong credit sum, and with lenient warns and imports', async () => {
    const doc = camtDocument({
      statements: [
        statementBody({ balances, entries, summary: summaryV02(2, '500.00', '100.00', '301.00') }),
      ],
    });
    const error = await parseCamtError(doc);
    expect(error.message).toContain('TtlCdtNtries/Sum 301.00 but the Ntry amounts add up to 300.00');
    const result = await parseCamt(doc, { lenient: true });
    expect(result.statements[0]!.entries).toHaveLength(2);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ code: 'control-total', statement: 0 });
  });

  it('rejects a wrong gross sum and a wrong net amount', async () => {
    const doc = camtDocument({
      statements: [statementBody({ balances, entries, summary: summaryV02(2, '600.00', '99.00') })],
    });
    const error = await parseCamtError(doc);
    expect(error.message).toContain('TtlNtries/Sum 600.00');
    expect(error.message).toContain('TtlNetNtry 99.00');
  });

  it('accepts with a warning a net amount that counts reversals against their indicator', async () => {
    const withReversal = `${entries}${entry({ ref: 'C', amount: '<Amt Ccy="EUR">50.00</Amt>', reversal: true, status: 'INFO' })}`;
    const summary = `<TxsSummry><TtlNtries><NbOfNtries>3</NbOfNtries><Sum>550.00</Sum>
      <TtlNetNtryAmt>50.00</TtlNetNtryAmt><CdtDbtInd>CRDT</CdtDbtInd></TtlNtries></TxsSummry>`;
    const doc = camtDocument({ statements: [statementBody({ balances, entries: withReversal, summary })] });
    const result = await parseCamt(doc);
    expect(result.warnings.map((w) => w.code)).toEqual(['bank-deviation']);
    expect(result.warnings[0]!.message).toContain('reversal');
  });

  it('accepts with a warning a summary of a paginated statement', async () => {
    const doc = camtDocument({
      statements: [
        statementBody({
          balances,
          entries,
          summary: summaryV02(7, '500.00'),
          pagination: '<StmtPgntn><PgNb>2</PgNb><LastPgInd>false</LastPgInd></StmtPgntn>',
        }),
      ],
    });
    const result = await parseCamt(doc);
    expect(result.warnings.map((w) => w.code)).toEqual(['bank-deviation']);
    expect(result.warnings[0]!.message).toContain('paginated');
  });

  it('rejects a count that is not a number', async () => {
    const doc = camtDocument({
      statements: [
        statementBody({
          balances,
          entries,
          summary: summaryV02(2, '500.00').replace('<NbOfNtries>2', '<NbOfNtries>two'),
        }),
      ],
    });
    const error = await parseCamtError(doc);
    expect(error.code).toBe('bad-number');
    expect(error.location.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/TxsSummry/TtlNtries/NbOfNtries');
  });
});

describe('balances', () => {
  it('warns when opening + entries != closing, and fails under strict', async () => {
    const balances = `${balance({ code: 'OPBD', amount: '1000.00' })}${balance({ code: 'CLBD', amount: '1200.00' })}`;
    const doc = camtDocument({ statements: [statementBody({ balances })] });
    const result = await parseCamt(doc);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ code: 'balance-mismatch', statement: 0 });
    expect(result.warnings[0]!.message).toContain('closing balance is 1200.00');
    const error = await parseCamtError(doc, { strict: true });
    expect(error.code).toBe('balance-mismatch');
  });

  it('reads a balance without CdtDbtInd as a credit, with a warning', async () => {
    const balances = `${balance({ code: 'OPBD', amount: '1000.00', indicator: null })}${balance({ code: 'CLBD', amount: '1100.00', indicator: null })}`;
    const result = await parseCamt(camtDocument({ statements: [statementBody({ balances })] }));
    expect(result.statements[0]!.opening_balance).toBe('1000.00');
    expect(result.warnings.map((w) => w.code)).toEqual(['bank-deviation']);
  });

  it('reads a balance date given as Dt inside Dt with DtTm', async () => {
    const balances = `<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="RON">5442.09000</Amt><CdtDbtInd>CRDT</CdtDbtInd>
      <Dt><Dt><DtTm>2024-01-31T23:59:59</DtTm></Dt></Dt></Bal>`;
    const doc = camtDocument({ statements: [statementBody({ balances, entries: '' })] });
    const s = (await parseCamt(doc)).statements[0]!;
    expect(s.opening_balance).toBe('5442.09');
    expect(s.opening_date).toBe('2024-01-31');
    expect(s.entries).toEqual([]);
  });
});

describe('rejections', () => {
  it('rejects unclosed tags', async () => {
    const doc = camtDocument().replace('</Ntry>', '');
    const error = await parseCamtError(doc);
    expect(error.code).toBe('malformed-xml');
  });

  it('rejects a truncated file', async () => {
    const doc = camtDocument();
    const error = await parseCamtError(doc.slice(0, Math.floor(doc.length * 0.6)));
    expect(error.code).toBe('malformed-xml');
    expect(error.location.path).toMatch(/^\/Document\/BkToCstmrStmt\/Stmt/);
  });

  it('rejects an empty file', async () => {
    expect((await parseCamtError('')).code).toBe('malformed-xml');
  });

  it('rejects XML that is not camt', async () => {
    const error = await parseCamtError('<?xml version="1.0"?><OFX><SIGNONMSGSRSV1/></OFX>');
    expect(error.code).toBe('not-camt');
    const pain = await parseCamtError(
      '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>',
    );
    expect(pain.code).toBe('not-camt');
    expect(pain.location.found).toBe('CstmrCdtTrfInitn');
    expect((await parseCamtError('<Document/>')).code).toBe('not-camt');
  });

  it('rejects a message without statements', async () => {
    const doc = camtDocument({ statements: [] });
    const error = await parseCamtError(doc);
    expect(error.code).toBe('missing-field');
    expect(error.location.path).toBe('/Document/BkToCstmrStmt');
  });

  it('names the XML path of an amount that is not a decimal', async () => {
    const entries = [1, 2, 3, 4]
      .map((i) => entry({ ref: `E${i}` }))
      .concat(entry({ ref: 'E5', amount: '<Amt Ccy="EUR">12,50</Amt>' }))
      .join('');
    const doc = camtDocument({ statements: [statementBody(), statementBody({ entries })] });
    const error = await parseCamtError(doc);
    expect(error.code).toBe('bad-amount');
    expect(error.location).toMatchObject({
      file: 'test.xml',
      path: '/Document/BkToCstmrStmt/Stmt[2]/Ntry[5]/Amt',
      field: 'Amt',
      found: '12,50',
    });
    expect(error.message).toContain('/Document/BkToCstmrStmt/Stmt[2]/Ntry[5]/Amt');
  });

  it.each(['-5.00', '', '1e3', '1.2.3', 'abc', '1.1234567891'])('rejects the amount "%s"', async (value) => {
    const doc = camtDocument({
      statements: [statementBody({ entries: entry({ amount: `<Amt Ccy="EUR">${value}</Amt>` }) })],
    });
    expect((await parseCamtError(doc)).code).toBe('bad-amount');
  });

  it('rejects a missing amount or indicator', async () => {
    const noAmount = camtDocument({ statements: [statementBody({ entries: entry({ amount: '' }) })] });
    expect((await parseCamtError(noAmount)).location.path).toBe(
      '/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt',
    );
    const noIndicator = camtDocument({
      statements: [statementBody({ entries: entry({ indicator: null, details: tx() }) })],
    });
    const error = await parseCamtError(noIndicator);
    expect(error.code).toBe('missing-field');
    expect(error.location.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/CdtDbtInd');
  });

  it('rejects an invalid indicator', async () => {
    const doc = camtDocument({
      statements: [statementBody({ entries: entry({ details: tx({ indicator: 'CR' as 'CRDT' }) }) })],
    });
    const error = await parseCamtError(doc);
    expect(error.code).toBe('bad-indicator');
    expect(error.location.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[1]/CdtDbtInd');
  });

  it('rejects an invalid transaction amount with its path', async () => {
    const details = `${tx()}${tx({ amount: '<Amt Ccy="EUR">x</Amt>' })}`;
    const doc = camtDocument({ statements: [statementBody({ entries: entry({ details }) })] });
    expect((await parseCamtError(doc)).location.path).toBe(
      '/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[2]/Amt',
    );
  });

  it('rejects an impossible date', async () => {
    const doc = camtDocument({
      statements: [statementBody({ entries: entry({ bookingDate: '2024-02-30' }) })],
    });
    const error = await parseCamtError(doc);
    expect(error.code).toBe('bad-date');
    expect(error.location.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/BookgDt/Dt');
  });

  it('rejects an invalid currency code', async () => {
    const doc = camtDocument({
      statements: [statementBody({ entries: entry({ amount: '<Amt Ccy="EURO">1.00</Amt>' }) })],
    });
    expect((await parseCamtError(doc)).code).toBe('bad-currency');
  });

  it('rejects an invalid balance amount', async () => {
    const balances = balance({ code: 'OPBD', amount: 'n/a' });
    const error = await parseCamtError(camtDocument({ statements: [statementBody({ balances })] }));
    expect(error.location.path).toBe('/Document/BkToCstmrStmt/Stmt[1]/Bal[1]/Amt');
  });

  it('does not expand entities declared in a DTD', async () => {
    const doc = camtDocument()
      .replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x "xx">]>',
      )
      .replace('Payment for invoices', '&x;');
    expect((await parseCamtError(doc)).code).toBe('malformed-xml');
  });

  it('rejects an unknown encoding', async () => {
    const doc = camtDocument({ declaration: '<?xml version="1.0" encoding="x-no-such-charset"?>' });
    expect((await parseCamtError(doc)).code).toBe('unsupported-encoding');
  });

  it('rejects absurd nesting without overflowing the stack', async () => {
    const deep = `${'<Dt>'.repeat(5000)}2024-01-01${'</Dt>'.repeat(5000)}`;
    const doc = camtDocument({
      statements: [
        statementBody({ entries: entry().replace(/<BookgDt>.*<\/BookgDt>/, `<BookgDt>${deep}</BookgDt>`) }),
      ],
    });
    expect((await parseCamtError(doc)).code).toBe('malformed-xml');
  });

  it('rejects a text field too long to be camt', async () => {
    const doc = camtDocument().replace('Payment for invoices', 'x'.repeat(200_000));
    expect((await parseCamtError(doc, {}, 4096)).code).toBe('field-too-long');
  });
});
