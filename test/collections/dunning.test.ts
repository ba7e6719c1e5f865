import type { AddressInfo } from 'node:net';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCreditRole } from '../../src/collections/activity/credit.js';
import { createPlan } from '../../src/collections/activity/plans.js';
import { createPromise } from '../../src/collections/activity/promises.js';
import {
  customerDunning,
  DunningError,
  type InTransaction,
  listRuns,
  parseConfigText,
  releaseAsCreditManager,
  runDemoDunning,
  runDunning,
  saveConfig,
  setCustomerDunning,
  showRun,
  undoRun,
} from '../../src/collections/dunning/index.js';
import { statementsFor } from '../../src/collections/statement/index.js';
import { openCasesBulk } from '../../src/disputes/cases.js';
import { type CompanyContext, createCompany, postDocument, tieOut } from '../../src/ledger/index.js';
import type { SqlClient } from '../../src/store/client.js';
import type { Database } from '../../src/store/database.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';

const actor = 'dunning-test';

/** A real SMTP server on a free port that keeps every message it receives (raw and parsed). */
interface SmtpSink {
  url: string;
  messages: { rcptTo: string[]; raw: Buffer }[];
  parsed(): Promise<Awaited<ReturnType<typeof PostalMime.parse>>[]>;
  close(): Promise<void>;
}

async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SmtpSink['messages'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    parsed: () => Promise.all(messages.map((m) => PostalMime.parse(m.raw))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface SetupCustomer {
  number: string;
  email?: string | null;
  currency?: string;
  parent?: string;
  collector?: string;
}

async function companyWith(
  database: Database,
  code: string,
  customers: readonly SetupCustomer[],
): Promise<{ ctx: CompanyContext; ids: Record<string, string> }> {
  return database.transaction(async ({ client }) => {
    const ctx = await createCompany(client, { code, name: `${code} Corp`, baseCurrency: 'USD', actor });
    const ids: Record<string, string> = {};
    for (const c of customers) {
      ids[c.number] = uuidv7();
      await client.query(
        `INSERT INTO customer (company_id, customer_id, customer_number, name, parent_customer_id, currency, collector,
           email, created_by, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
        [
          ctx.companyId,
          ids[c.number],
          c.number,
          `Customer ${c.number}`,
          c.parent ? ids[c.parent] : null,
          c.currency ?? 'USD',
          c.collector ?? null,
          c.email === undefined ? `ap@${c.number.toLowerCase()}.example` : c.email,
          actor,
        ],
      );
    }
    return { ctx, ids };
  });
}

function invoicer(client: SqlClient, ctx: CompanyContext, ids: Record<string, string>) {
  return (
    number: string,
    customer: string,
    documentDate: string,
    dueDate: string,
    amountMinor: number,
    opts: { currency?: string; fxRate?: string; type?: 'invoice' | 'credit_memo' | 'debit_memo' } = {},
  ) =>
    postDocument(client, ctx, {
      documentNumber: number,
      customerId: ids[customer]!,
      docType: opts.type ?? 'invoice',
      documentDate,
      dueDate,
      currency: opts.currency ?? 'USD',
      fxRate: opts.fxRate,
      amountMinor,
      actor,
    });
}

const AS_OF = '2026-03-31';

type Parsed = Awaited<ReturnType<typeof PostalMime.parse>>;
const to = (m: Parsed) => (m.to ?? []).map((a) => ('address' in a ? a.address : '')).join(',');
const header = (m: Parsed, key: string) => m.headers.find((h) => h.key === key.toLowerCase())?.value;

async function count(client: SqlClient, table: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${table}`);
  return rows[0]!.n;
}

/**
 * A company whose customers each show one thing dunning must do or not do as of 2026-03-31 (see
 * the comments), dunned against a real SMTP server whose received messages are parsed and checked.
 */
describe.each(ENGINES)('dunning on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;
  let smtp: SmtpSink;
  let tx: InTransaction;
  const docs: Record<string, string> = {};

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    smtp = await startSmtpSink();
    tx = (work) => t.database.transaction(({ client }) => work(client));
    ({ ctx, ids } = await companyWith(t.database, 'dun', [
      { number: 'A' },
      { number: 'B' },
      { number: 'C', collector: 'carla' },
      { number: 'D' },
      { number: 'E' },
      { number: 'F', email: null },
      { number: 'G', currency: 'EUR' },
      { number: 'H' },
    ]));
    await t.database.transaction(async ({ client }) => {
      const inv = invoicer(client, ctx, ids);
      docs.A1 = await inv('A1', 'A', '2026-02-14', '2026-03-16', 1000_00); // +15: second reminder, fee
      docs.A2 = await inv('A2', 'A', '2026-03-04', '2026-04-03', 250_00); // -3: friendly reminder
      docs.B1 = await inv('B1', 'B', '2026-02-21', '2026-03-23', 400_00); // +8: first reminder
      docs.B2 = await inv('B2', 'B', '2026-02-19', '2026-03-21', 90_00); // disputed
      docs.C1 = await inv('C1', 'C', '2026-01-20', '2026-02-19', 800_00); // +40: final notice + call
      docs.D1 = await inv('D1', 'D', '2026-02-19', '2026-03-21', 500_00); // promise to pay
      docs.E1 = await inv('E1', 'E', '2026-02-09', '2026-03-11', 600_00); // payment plan
      docs.F1 = await inv('F1', 'F', '2026-02-19', '2026-03-21', 700_00); // no e-mail address
      docs.G1 = await inv('G1', 'G', '2026-02-14', '2026-03-16', 300_00, { currency: 'EUR', fxRate: '1.1' });
      docs.H1 = await inv('H1', 'H', '2025-12-30', '2026-01-29', 300_00); // +61: up to credit hold
      await openCasesBulk(
        client,
        ctx,
        [
          {
            customerId: ids.B!,
            origin: 'collector',
            lines: [{ documentId: docs.B2!, amountMinor: 90_00 }],
            openedOn: '2026-03-25',
            reasonText: 'price does not match the contract',
          },
        ],
        { actor },
      );
      await createPromise(client, ctx, {
        customerId: ids.D!,
        amountMinor: 500_00,
        promisedDate: '2026-04-05',
        madeOn: '2026-03-29',
        channel: 'phone',
        promisedBy: 'Dana at D',
        documentIds: [docs.D1!],
        actor,
      });
      await createPlan(client, ctx, {
        customerId: ids.E!,
        installments: 3,
        firstDate: '2026-04-10',
        documentIds: [docs.E1!],
        madeOn: '2026-03-28',
        actor,
      });
      await setCustomerDunning(client, ctx, 'B', {
        language: 'de',
        actor,
        reason: 'German-speaking AP team',
      });
      await setCustomerDunning(client, ctx, 'C', {
        language: 'fr',
        actor,
        reason: 'French-speaking AP team',
      });
    });
  });

  afterAll(async () => {
    await smtp?.close();
    await t?.dispose();
  });

  it('dry-run shows who would get what and sends and records nothing', async () => {
    const activitiesBefore = await t.database.transaction(({ client }) => count(client, 'activity'));
    const s = await runDunning(tx, ctx, { asOf: AS_OF, dryRun: true, actor });
    expect(s.runId).toBeNull();
    expect(
      s.letters.filter((l) => l.action === 'email').map((l) => [l.customerNumber, l.step, l.status]),
    ).toEqual([
      ['A', 'overdue_15', 'would_send'],
      ['B', 'overdue_7', 'would_send'],
      ['C', 'final_30', 'would_send'],
      ['G', 'overdue_15', 'would_send'],
      ['H', 'final_30', 'would_send'],
    ]);
    expect(s.letters.find((l) => l.customerNumber === 'B')!.subject).toMatch(/Zahlungserinnerung/);
    expect(smtp.messages).toHaveLength(0);
    await t.database.transaction(async ({ client }) => {
      for (const table of [
        'dunning_run',
        'dunning_letter',
        'dunning_letter_item',
        'dunning_charge',
        'credit_hold',
      ])
        expect(await count(client, table), table).toBe(0);
      expect(await count(client, 'activity')).toBe(activitiesBefore);
      const fees = await client.query(
        `SELECT 1 FROM document WHERE company_id = $1 AND doc_type = 'debit_memo'`,
        [ctx.companyId],
      );
      expect(fees.rows).toHaveLength(0);
    });
  });

  it('refuses a real run without SMTP_URL, before recording anything', async () => {
    await expect(
      runDunning(tx, ctx, { asOf: AS_OF, dryRun: false, actor, smtpUrl: undefined }),
    ).rejects.toThrow(DunningError);
    expect(await t.database.transaction(({ client }) => count(client, 'dunning_run'))).toBe(0);
  });

  let runId: string;

  it('e-mails one letter per customer in its language with the statement attached, and skips what must wait', async () => {
    const s = await runDunning(tx, ctx, { asOf: AS_OF, dryRun: false, actor, smtpUrl: smtp.url });
    runId = s.runId!;
    expect(s.counts).toMatchObject({ emails: 5, sent: 5, failed: 0 });
    expect(s.skipped.map((k) => [k.customerNumber, k.document, k.code]).sort()).toEqual([
      ['B', 'B2', 'disputed'],
      ['D', null, 'promise'],
      ['E', null, 'plan'],
      ['F', null, 'no_email'],
    ]);

    const messages = await smtp.parsed();
    expect(messages).toHaveLength(5);
    expect(smtp.messages.map((m) => m.rcptTo.join(',')).sort()).toEqual([
      'ap@a.example',
      'ap@b.example',
      'ap@c.example',
      'ap@g.example',
      'ap@h.example',
    ]);
    const byTo = new Map(messages.map((m) => [to(m), m]));
    const a = byTo.get('ap@a.example')!;
    expect(a.subject).toBe('Second reminder: your account is overdue (Customer A)');
    expect(header(a, 'content-language')).toBe('en');
    expect(a.text).toContain('A1');
    expect(a.text).toContain('A2'); // the reminder for what falls due in 3 days rides along
    expect(a.text).toContain('Late fee: 10.00 USD');
    expect(a.text).toContain('Total: 1,260.00 USD');
    const b = byTo.get('ap@b.example')!;
    expect(b.subject).toBe('Zahlungserinnerung: überfällige Posten (Customer B)');
    expect(header(b, 'content-language')).toBe('de');
    expect(b.text).toContain('B1');
    expect(b.text).not.toContain('B2');
    expect(b.text).toContain('400,00 USD');
    const c = byTo.get('ap@c.example')!;
    expect(c.subject).toBe('Dernier avis avant recouvrement (Customer C)');
    expect(c.text).toContain('C1');
    // 800.00 × 8% × 40 / 365 = 7.0137 → 7.01
    expect(c.text).toContain("Intérêts de retard (8.00 % l'an, 40 jours): 7,01 USD");
    for (const m of messages) {
      const pdfs = m.attachments.filter((x) => x.mimeType === 'application/pdf');
      expect(pdfs).toHaveLength(1);
      const bytes = Buffer.from(pdfs[0]!.content as ArrayBuffer);
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
      expect(pdfs[0]!.filename).toMatch(/^statement-[A-H]-2026-03-31\.pdf$/);
    }
    expect(
      smtp.messages.some((m) => m.rcptTo.includes('ap@d.example') || m.rcptTo.includes('ap@e.example')),
    ).toBe(false);
  });

  it('posts fees and interest as debit memos through the ledger and records every step', async () => {
    await t.database.transaction(async ({ client }) => {
      const { rows } = await client.query<{
        customer_number: string;
        currency: string;
        amount_minor: number;
        description: string;
        base_amount_minor: number;
      }>(
        `SELECT c.customer_number, d.currency, d.amount_minor, d.base_amount_minor, d.description
           FROM document d JOIN customer c USING (company_id, customer_id)
          WHERE d.company_id = $1 AND d.doc_type = 'debit_memo' ORDER BY c.customer_number, d.amount_minor`,
        [ctx.companyId],
      );
      expect(rows.map((r) => [r.customer_number, r.currency.trim(), r.amount_minor])).toEqual([
        ['A', 'USD', 10_00],
        ['C', 'USD', 7_01],
        ['G', 'EUR', 10_00],
        ['H', 'USD', 4_01], // 300.00 × 8% × 61 / 365 = 4.0109
      ]);
      expect(rows[0]!.description).toMatch(/Dunning fee: dunning step overdue_15/);
      expect(rows[1]!.description).toMatch(/interest at 8.00% a year/);
      expect(rows[2]!.base_amount_minor).toBe(11_00); // at the EUR invoice's rate 1.1
      expect((await tieOut(client, ctx)).tied).toBe(true);

      const d = await showRun(client, ctx, runId);
      const actions = d.letters
        .filter((l) => l.action !== 'email')
        .map((l) => [l.customerNumber, l.action, l.step]);
      expect(actions).toEqual([
        ['C', 'call_task', 'call_35'],
        ['H', 'call_task', 'call_35'],
        ['H', 'escalation', 'escalate_45'],
        ['H', 'credit_hold', 'hold_60'],
      ]);
      expect(d.letters.find((l) => l.action === 'credit_hold')!.holdId).toMatch(/^[0-9a-f-]{36}$/);
      const holds = await client.query(
        `SELECT 1 FROM credit_hold WHERE company_id = $1 AND customer_id = $2 AND released_at IS NULL`,
        [ctx.companyId, ids.H],
      );
      expect(holds.rows).toHaveLength(1);
      const timeline = await client.query<{ kind: string; text: string; follow_up_date: string | null }>(
        `SELECT kind, text, follow_up_date FROM activity WHERE company_id = $1 AND customer_id = $2 ORDER BY created_at, text`,
        [ctx.companyId, ids.C],
      );
      expect(
        timeline.rows.some((r) => r.kind === 'dunning' && /e-mailed to ap@c\.example/.test(r.text)),
      ).toBe(true);
      const call = timeline.rows.find((r) => /^Call task/.test(r.text))!;
      expect(call.text).toMatch(/for carla/);
      expect(call.follow_up_date).toBe(AS_OF);
      const a = d.letters.find((l) => l.customerNumber === 'A')!;
      expect(a.items.map((i) => [i.document, i.level])).toEqual([
        ['A1', 4],
        ['A2', 1],
      ]);
      expect(a.status).toBe('sent');
      expect(a.reasons.join('\n')).toMatch(/fee 1000 USD: configured on step overdue_15/);
    });
  });

  it('sends nothing twice when run again the same day', async () => {
    const before = smtp.messages.length;
    const s = await runDunning(tx, ctx, { asOf: AS_OF, dryRun: false, actor, smtpUrl: smtp.url });
    expect(s.letters).toEqual([]);
    expect(smtp.messages.length).toBe(before);
    const fees = await t.database.transaction(({ client }) => count(client, 'dunning_charge'));
    expect(fees).toBe(4);
  });

  it('undo reverses fees, resets levels and flags holds; e-mails stay recorded as sent', async () => {
    const before = smtp.messages.length;
    const [latest] = await t.database.transaction(({ client }) => listRuns(client, ctx, 1));
    expect(latest!.letters).toBe(0); // the idempotent second run
    const s = await t.database.transaction(({ client }) =>
      undoRun(client, ctx, runId, { actor, reason: 'wrong strategy loaded' }),
    );
    expect(s.chargesReversed.map((c) => `${c.amount} ${c.currency}`).sort()).toEqual([
      '10.00 EUR',
      '10.00 USD',
      '4.01 USD',
      '7.01 USD',
    ]);
    expect(s.chargesNotReversed).toEqual([]);
    expect(s.emailsKeptAsSent).toBe(5);
    expect(s.holdsToRelease).toHaveLength(1);
    await t.database.transaction(async ({ client }) => {
      const open = await client.query<{ n: number }>(
        `SELECT count(*)::int8 AS n FROM document WHERE company_id = $1 AND doc_type IN ('debit_memo', 'credit_memo') AND open_minor > 0`,
        [ctx.companyId],
      );
      expect(open.rows[0]!.n).toBe(0);
      expect((await tieOut(client, ctx)).tied).toBe(true);
      const a = await customerDunning(client, ctx, 'A');
      expect(a.documents.map((d) => [d.document, d.level])).toEqual([
        ['A1', 0],
        ['A2', 0],
      ]);
      const d = await showRun(client, ctx, runId);
      expect(d.run.undoneAt).not.toBeNull();
      expect(
        d.letters.filter((l) => l.action === 'email').every((l) => l.status === 'sent' && l.undone),
      ).toBe(true);
      const followUp = await client.query(
        `SELECT 1 FROM activity WHERE company_id = $1 AND customer_id = $2 AND text LIKE 'Release credit hold%'`,
        [ctx.companyId, ids.H],
      );
      expect(followUp.rows).toHaveLength(1);
    });
    await expect(
      t.database.transaction(({ client }) => undoRun(client, ctx, runId, { actor, reason: 'again' })),
    ).rejects.toThrow(/already undone/);
    // With the levels reset, the next run dunns the same documents again.
    const again = await runDunning(tx, ctx, { asOf: AS_OF, dryRun: false, actor, smtpUrl: smtp.url });
    expect(again.counts.sent).toBe(5);
    expect(smtp.messages.length).toBe(before + 5);
    // A credit manager undoing it releases the hold the run placed, through the activity module.
    const released = await t.database.transaction(async ({ client }) => {
      await grantCreditRole(client, ctx, actor, 'credit_manager', actor);
      return undoRun(client, ctx, again.runId!, {
        actor,
        reason: 'undo with release',
        releaseHold: releaseAsCreditManager,
      });
    });
    expect(released.holdsReleased).toHaveLength(1);
    expect(released.holdsToRelease).toEqual([]);
    const active = await t.database.transaction(({ client }) =>
      client.query(
        `SELECT 1 FROM credit_hold WHERE company_id = $1 AND customer_id = $2 AND released_at IS NULL`,
        [ctx.companyId, ids.H],
      ),
    );
    expect(active.rows).toHaveLength(0);
  });

  it('attaches statements whose figures hold: opening + movements = closing = the aging', async () => {
    const statements = await t.database.transaction(({ client }) =>
      statementsFor(client, ctx, Object.values(ids), { from: '2026-03-01', to: AS_OF }),
    );
    for (const s of statements.values()) {
      for (const sec of s.sections) {
        const moved = sec.lines.reduce((sum, l) => sum + l.amountMinor, 0);
        expect(sec.openingMinor + moved).toBe(sec.closingMinor);
        expect(sec.aging.totalMinor).toBe(sec.closingMinor);
        expect(sec.balanced).toBe(true);
      }
    }
    const a = statements.get(ids.A!)!.sections[0]!;
    expect(a.openingMinor).toBe(1000_00); // A1, dated in February
    expect(a.lines.map((l) => [l.kind, l.reference])).toEqual(
      expect.arrayContaining([
        ['invoice', 'A2'],
        ['debit_memo', expect.stringMatching(/^DUN-20260331-/)],
      ]),
    );
  });

  it("loads a manager's strategy file, with segments and a template override", async () => {
    const file = JSON.stringify({
      version: 1,
      default_language: 'en',
      default_strategy: 'gentle',
      contact: { name: 'Credit Desk', email: 'credit@dun.example' },
      strategies: [
        { code: 'gentle', steps: [{ code: 'nudge', days: 1, action: 'email', template: 'nudge' }] },
        { code: 'euro', steps: [{ code: 'euro_nudge', days: 1, action: 'email', template: 'overdue' }] },
      ],
      segments: [{ code: 'eur', strategy: 'euro', match: { currencies: ['EUR'] } }],
      templates: {
        en: { nudge: { subject: 'A nudge for {{customer_name}}', body: '{{items_table}}\n{{totals}}' } },
      },
    });
    const config = parseConfigText(file, 'gentle.json');
    await t.database.transaction(async ({ client }) => {
      await saveConfig(client, ctx, config, 'gentle.json', actor);
      const inv = invoicer(client, ctx, ids);
      await inv('A9', 'A', '2026-03-01', '2026-03-29', 50_00);
      await inv('G9', 'G', '2026-03-01', '2026-03-29', 60_00, { currency: 'EUR', fxRate: '1.1' });
    });
    const s = await runDunning(tx, ctx, { asOf: AS_OF, dryRun: true, actor });
    const a = s.letters.find((l) => l.customerNumber === 'A')!;
    expect(a).toMatchObject({
      strategy: 'gentle',
      segment: 'default',
      step: 'nudge',
      subject: 'A nudge for Customer A',
    });
    expect(s.letters.find((l) => l.customerNumber === 'G')).toMatchObject({
      strategy: 'euro',
      segment: 'eur',
    });
    expect(() => parseConfigText('{"version": 2}', 'broken.json')).toThrow(
      /^broken\.json: version: expected 1, got 2/,
    );
  });

  it("runs the demo's dunning and says what it did", async () => {
    // A second company in the same database: the demo's run sees only its own.
    const { ctx: dctx } = await companyWith(t.database, 'demo', [{ number: 'X' }]);
    await t.database.transaction(({ client }) => createCompanyDocs(client, dctx));
    const lines = await t.database.transaction(({ client }) => runDemoDunning(client, dctx, AS_OF, smtp.url));
    expect(lines[0]).toMatch(/^Dunning run [0-9a-f-]{36} as of 2026-03-31 .*: 1 e-mails sent/);
    expect(
      lines.some((l) => /level 4 overdue_15 \(email\): 1 customer, 1 documents, 120\.00 USD/.test(l)),
    ).toBe(true);
  });
});

async function createCompanyDocs(client: SqlClient, ctx: CompanyContext): Promise<void> {
  const { rows } = await client.query<{ customer_id: string }>(
    'SELECT customer_id FROM customer WHERE company_id = $1',
    [ctx.companyId],
  );
  await postDocument(client, ctx, {
    documentNumber: 'X1',
    customerId: rows[0]!.customer_id,
    docType: 'invoice',
    documentDate: '2026-02-14',
    dueDate: '2026-03-14',
    currency: 'USD',
    amountMinor: 120_00,
    actor,
  });
}
