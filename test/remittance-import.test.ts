import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importBankFile } from '../src/banking/index.js';
import { main } from '../src/cli/main.js';
import { describeRemittanceImport, runRemittanceImport } from '../src/cli/remittance.js';
import { ParseError } from '../src/formats/errors.js';
import { interchange } from '../src/formats/x12-820/fixtures/build.js';
import { type CompanyContext, createCompany } from '../src/ledger/index.js';
import { buildEml, buildTablePdf } from '../src/remittance/test-helpers.js';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/db.js';

const actor = 'remittance-test';
const dir = mkdtempSync(join(tmpdir(), 'openar-remittance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function emailWithPdf(): Promise<string> {
  const pdf = await buildTablePdf(
    ['Invoice #', 'Invoice Date', 'Amount', 'Deduction', 'Paid'],
    [
      ['INV-1043', '03/01/2024', '1,200.00', '', '1,200.00'],
      ['INV-1050', '03/05/2024', '426.00', '150.00', '276.00'],
      ['CM-0007', '', '', '', '(100.00)'],
      ['Total', '', '', '', '1,376.00'],
    ],
    ['ACME CORP.', 'Payment date: 03/15/2024'],
  );
  return write(
    'acme-remittance.eml',
    buildEml({
      from: 'Jane Doe <ap@acme.example>',
      subject: 'Remittance advice - ACH trace 021000021234567',
      text: 'Hello,\n\nPlease see the attached remittance. INV-1050 was short paid for damaged goods. Also: order SO-88812.\n\nRegards,\nJane',
      attachments: [{ filename: 'remit.pdf', contentType: 'application/pdf', content: pdf }],
    }),
  );
}

describe.each(ENGINES)('import remittance on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  const count = async (table: string) =>
    (await t.database.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${table}`))[0]!.n;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ctx = await t.database.transaction(({ client }) =>
      createCompany(client, { code: 'co', name: 'Globex Corporation', baseCurrency: 'USD', actor }),
    );
  });
  afterAll(async () => t?.dispose());

  it('stores an e-mail with a PDF attachment as one advice with its lines', async () => {
    const path = await emailWithPdf();
    const { summary, lines } = await runRemittanceImport(t.database, ctx, { path, actor });
    expect(summary).toMatchObject({ kind: 'email', advicesNew: 1, advicesExisting: 0, linesNew: 3 });
    expect(lines[0]).toBe(
      'acme-remittance.eml (email): remittance advices 1 new, 0 already there; 3 lines stored',
    );
    expect(lines.join('\n')).toContain('not understood (kept for review, not matched): SO-88812');

    const [advice] = await t.database.query<Record<string, unknown>>(
      `SELECT payer, payment_reference, amount_minor, currency, received_via, payment_date::text AS payment_date,
              advice_date::text AS advice_date, payer_email, details->>'subject' AS subject, f.format, f.file_name
         FROM remittance_advice a JOIN bank_file f ON f.company_id = a.company_id AND f.file_id = a.file_id`,
    );
    expect(advice).toEqual({
      payer: 'ACME CORP.',
      payment_reference: '021000021234567',
      amount_minor: 1376_00,
      currency: 'USD',
      received_via: 'email',
      payment_date: '2024-03-15',
      advice_date: '2024-03-15',
      payer_email: 'ap@acme.example',
      subject: 'Remittance advice - ACH trace 021000021234567',
      format: 'remittance-email',
      file_name: 'acme-remittance.eml',
    });
    const rows = await t.database.query<Record<string, unknown>>(
      `SELECT line_no, document_number, amount_paid_minor, amount_invoiced_minor, document_type, adjustments,
              details->>'invoice_date' AS invoice_date
         FROM remittance_line ORDER BY line_no`,
    );
    expect(rows).toEqual([
      {
        line_no: 1,
        document_number: 'INV-1043',
        amount_paid_minor: 1200_00,
        amount_invoiced_minor: 1200_00,
        document_type: 'invoice',
        adjustments: [],
        invoice_date: '2024-03-01',
      },
      {
        line_no: 2,
        document_number: 'INV-1050',
        amount_paid_minor: 276_00,
        amount_invoiced_minor: 426_00,
        document_type: 'invoice',
        adjustments: [{ reason_code: 'DAMAGED', reason_text: 'damaged goods', amount_minor: -150_00 }],
        invoice_date: '2024-03-05',
      },
      {
        line_no: 3,
        document_number: 'CM-0007',
        amount_paid_minor: -100_00,
        amount_invoiced_minor: null,
        document_type: 'credit-memo',
        adjustments: [],
        invoice_date: null,
      },
    ]);
  });

  it('adds nothing when the same e-mail is imported again (no second file row either)', async () => {
    const files = await count('bank_file');
    const { summary, lines } = await runRemittanceImport(t.database, ctx, {
      path: await emailWithPdf(),
      actor,
    });
    expect(summary).toMatchObject({ fileId: null, advicesNew: 0, advicesExisting: 1, linesNew: 0 });
    expect(lines[1]).toContain('already there');
    expect(await count('remittance_advice')).toBe(1);
    expect(await count('remittance_line')).toBe(3);
    expect(await count('bank_file')).toBe(files);
  });

  it('stores a customer CSV as one advice per payment, idempotently', async () => {
    const path = write(
      'customer-remit.csv',
      [
        'Payer,Check No,Payment Date,Currency,Invoice #,Amount Paid,Deduction,Deduction Reason',
        'Initech LLC,5501,2024-04-02,USD,INV-2001,900.00,100.00,promo allowance',
        'Initech LLC,5501,2024-04-02,USD,INV-2002,475.00,,',
        'Initech LLC,5502,2024-04-09,USD,INV-2003,80.00,,',
      ].join('\n'),
    );
    const first = await runRemittanceImport(t.database, ctx, { path, actor });
    expect(first.summary).toMatchObject({ kind: 'csv', advicesNew: 2, advicesExisting: 0, linesNew: 3 });
    const again = await runRemittanceImport(t.database, ctx, { path, actor });
    expect(again.summary).toMatchObject({ advicesNew: 0, advicesExisting: 2, linesNew: 0 });
    const stored = await t.database.query<Record<string, unknown>>(
      `SELECT payment_reference, amount_minor, payment_date::text AS payment_date, received_via FROM remittance_advice
        WHERE received_via = 'csv' ORDER BY payment_reference`,
    );
    expect(stored).toEqual([
      { payment_reference: '5501', amount_minor: 1375_00, payment_date: '2024-04-02', received_via: 'csv' },
      { payment_reference: '5502', amount_minor: 80_00, payment_date: '2024-04-09', received_via: 'csv' },
    ]);
  });

  it('stores a text file and a PDF file given directly', async () => {
    const text = write('note.txt', 'Please apply our wire (ref WR-44120) of $640.00 to invoice INV-3001.\n');
    expect((await runRemittanceImport(t.database, ctx, { path: text, actor })).summary).toMatchObject({
      kind: 'text',
      advicesNew: 1,
      linesNew: 1,
      advices: [{ payment_reference: 'WR-44120', amount: '640.00', currency: 'USD' }],
    });
    const pdf = write(
      'remit.pdf',
      await buildTablePdf(
        ['Invoice', 'Paid'],
        [
          ['Q-100', '50.00'],
          ['Q-101', '25.00'],
        ],
        ['Check No: 7001'],
      ),
    );
    expect((await runRemittanceImport(t.database, ctx, { path: pdf, actor })).summary).toMatchObject({
      kind: 'pdf',
      advicesNew: 1,
      linesNew: 2,
      advices: [{ payment_reference: '7001', amount: '75.00' }],
    });
  });

  it('refuses a bad CSV naming file, line and column, and stores nothing', async () => {
    const before = [
      await count('bank_file'),
      await count('remittance_advice'),
      await count('remittance_line'),
    ];
    const path = write('bad.csv', 'Invoice #,Amount Paid\nINV-1,10.00\nINV-2,ten dollars\n');
    const error = await runRemittanceImport(t.database, ctx, { path, actor }).catch((e) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect(error.message).toContain('bad.csv:line 3');
    expect(error.message).toContain('field Amount Paid; expected an amount');
    expect([
      await count('bank_file'),
      await count('remittance_advice'),
      await count('remittance_line'),
    ]).toEqual(before);
  });

  it('refuses an e-mail that holds no remittance advice, and stores nothing', async () => {
    const before = await count('remittance_advice');
    const path = write('lunch.eml', buildEml({ from: 'bob@example.com', subject: 'Lunch', text: 'Friday?' }));
    const error = await runRemittanceImport(t.database, ctx, { path, actor }).catch((e) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect(error.message).toContain('lunch.eml: no remittance advice found; nothing was stored');
    expect(error.message).toContain('expected a remittance advice');
    expect(await count('remittance_advice')).toBe(before);
  });

  it('bank import stores its advices through the same function, with the bank-file channel', async () => {
    const path = write('remit.820', interchange({ groups: [{ transactions: [{}] }] }));
    const first = await importBankFile(t.database, ctx, { path, actor });
    expect(first).toMatchObject({ remittancesNew: 1, remittancesExisting: 0 });
    const again = await importBankFile(t.database, ctx, { path, actor });
    expect(again).toMatchObject({ remittancesNew: 0, remittancesExisting: 1 });
    const [advice] = await t.database.query<Record<string, unknown>>(
      `SELECT payer, payment_reference, amount_minor, received_via, payment_date::text AS payment_date,
              (SELECT count(*) FROM remittance_line l WHERE l.advice_id = a.advice_id)::int8 AS lines
         FROM remittance_advice a WHERE received_via = 'bank-file'`,
    );
    expect(advice).toEqual({
      payer: 'ACME SUPPLY CO',
      payment_reference: 'TRACE123',
      amount_minor: 1500_00,
      received_via: 'bank-file',
      payment_date: '2025-01-16',
      lines: 2,
    });
  });

  it('describes what was not understood', () => {
    const lines = describeRemittanceImport({
      fileId: null,
      file: 'x.eml',
      kind: 'email',
      advicesNew: 1,
      advicesExisting: 0,
      linesNew: 0,
      warnings: [],
      advices: [
        {
          status: 'new',
          payer: null,
          payer_email: 'ap@x.example',
          payment_reference: null,
          amount: '10.00',
          currency: 'USD',
          payment_date: null,
          lines: 0,
          unparsed_references: ['1043-1045'],
          warnings: ['"1043-1045" looks like a range of documents'],
        },
      ],
    });
    expect(lines).toEqual([
      'x.eml (email): remittance advices 1 new, 0 already there; 0 lines stored',
      '  payer unknown <ap@x.example>; no payment reference; 10.00 USD; 0 lines; new',
      '    not understood (kept for review, not matched): 1043-1045',
      '    note: "1043-1045" looks like a range of documents',
    ]);
  });

  // Each command opens the database afresh (PGlite: seconds on a loaded machine): a generous limit.
  it('runs as `openar import remittance`: exit 0 and the summary, exit 1 and the reason for a bad file', {
    timeout: 300_000,
  }, async () => {
    // PGlite in memory cannot be opened twice: the command gets its own data directory there.
    const target = engine === 'pglite' ? join(dir, 'cli-data') : t.url;
    const out: string[] = [];
    const err: string[] = [];
    const stdout = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk) => out.push(String(chunk)) > 0);
    const stderr = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk) => err.push(String(chunk)) > 0);
    try {
      const cli = (...args: string[]) => main(['node', 'openar', '--db', target, '--user', actor, ...args]);
      if (engine === 'pglite') expect(await cli('init', '--code', 'co')).toBe(0);
      const good = write('cli.txt', 'Payment of $42.00 for invoice INV-4242, check 4242001.\n');
      expect(await cli('--company', 'co', 'import', 'remittance', good)).toBe(0);
      expect(out.join('')).toContain(
        'cli.txt (text): remittance advices 1 new, 0 already there; 1 lines stored',
      );
      const bad = write('cli-bad.csv', 'Invoice #,Amount Paid\nINV-1,abc\n');
      expect(await cli('--company', 'co', 'import', 'remittance', bad)).toBe(1);
      expect(err.join('')).toContain(
        'cli-bad.csv:line 2: bad value; nothing was imported; field Amount Paid',
      );
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });
});
