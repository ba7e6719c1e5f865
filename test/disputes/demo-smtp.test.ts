import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run.js';
import { seedDemoDisputes } from '../../src/disputes/demo.js';
import {
  deliverNotifications,
  disputedByDocument,
  disputeReport,
  listCases,
  loadMatrixFile,
  openCasesBulk,
  overdueCases,
  runEscalation,
} from '../../src/disputes/index.js';
import { type CompanyContext, checkInvariants, loadCompany, tieOut } from '../../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { MATRIX, seedCompany } from './setup.js';

const AS_OF = '2025-06-30';

/** The demo's disputes over a generated company: resolved valid, invalid, partial; overdue with owners. */
describe.each(ENGINES)('seedDemoDisputes on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let lines: string[];

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    await runDemo(t.database, { seed: 7, customers: 60, asOf: AS_OF, actor: 'tester', log: () => undefined });
    ctx = await t.database.transaction(({ client }) => loadCompany(client, 'demo'));
    lines = await t.database.transaction(({ client }) => seedDemoDisputes(client, ctx, AS_OF, 7));
  }, 600_000);
  afterAll(() => t?.dispose());

  it('opens, resolves and leaves overdue realistic cases; the ledger still ties', async () => {
    expect(lines[0]).toMatch(/^Disputes: \d+ cases .*routed by a 12-rule resolution matrix/);
    const all = await t.database.transaction(({ client }) =>
      listCases(client, ctx, { status: 'all', limit: 10_000 }),
    );
    const outcomes = new Set(all.map((c) => c.outcome));
    for (const o of ['valid', 'invalid', 'partial', null]) expect(outcomes.has(o)).toBe(true);
    const overdue = await t.database.transaction(({ client }) => overdueCases(client, ctx.companyId, AS_OF));
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.every((o) => o.owner.includes('@demo.example>'))).toBe(true);
    const held = await t.database.transaction(({ client }) => disputedByDocument(client, ctx.companyId));
    expect(held.size).toBe(all.filter((c) => c.status !== 'resolved' && c.status !== 'closed').length);
    const report = await t.database.transaction(({ client }) =>
      disputeReport(client, ctx, { by: 'reason', from: '2025-01-01', to: AS_OF }),
    );
    expect(report.total.opened).toBe(all.filter((c) => c.openedOn >= '2025-01-01').length);
    await t.database.transaction(async ({ client }) => {
      expect((await tieOut(client, ctx)).tied).toBe(true);
      expect(await checkInvariants(client, ctx)).toEqual([]);
    });
    // The same seed gives the same lines.
    expect(lines.join('\n')).toContain('resolved valid');
  });
});

describe.each(ENGINES)('escalation e-mail on %s', (engine) => {
  let t: TestDatabase;
  const received: { to: string[]; raw: string }[] = [];
  let server: SMTPServer;
  let url: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t?.dispose();
  });

  it('mails the owner, then the manager, once each', async () => {
    const { ctx, ids } = await t.database.transaction(({ client }) => seedCompany(client, 'mail'));
    await t.database.transaction(async ({ client }) => {
      await loadMatrixFile(
        client,
        ctx,
        { name: 'm.json', text: JSON.stringify(MATRIX) },
        { actor: 'manager' },
      );
      await openCasesBulk(
        client,
        ctx,
        [
          {
            customerId: ids.cobalt!,
            origin: 'claim',
            openedOn: '2026-10-01',
            reasonText: 'damaged',
            lines: [{ documentId: ids['INV-2']!, amountMinor: 100_00 }],
          },
        ],
        { actor: 'collector' },
      );
    });
    const escalate = async (asOf: string) => {
      const s = await t.database.transaction(({ client }) =>
        runEscalation(client, ctx, { asOf, actor: 'cron', smtp: true }),
      );
      const d = await deliverNotifications(t.database, ctx, { smtpUrl: url, from: 'ar@acme.example' });
      return [s.created.map((n) => [n.level, n.transport]), d];
    };
    expect(await escalate('2026-10-07')).toEqual([[[1, 'smtp']], { sent: 1, failed: 0 }]);
    expect(await escalate('2026-10-07')).toEqual([[], { sent: 0, failed: 0 }]);
    expect(await escalate('2026-10-12')).toEqual([[[2, 'smtp']], { sent: 1, failed: 0 }]);
    expect(received.map((m) => m.to)).toEqual([['lee@acme.example'], ['mia@acme.example']]);
    expect(received[0]!.raw).toContain('Subject: Dispute DC-000001 is 1 day past its deadline');
    expect(received[1]!.raw).toContain('owned by Lee Logistics');
    const [c] = await t.database.transaction(({ client }) => listCases(client, ctx));
    expect(c!.escalationLevel).toBe(2);
  });
});
