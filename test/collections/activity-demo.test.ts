import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectionFacts,
  dunningHolds,
  listPlans,
  listPromises,
} from '../../src/collections/activity/index.js';
import { runDemo } from '../../src/demo/run.js';
import { type CompanyContext, loadCompany } from '../../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';

const AS_OF = '2025-06-30';

/** The demo's activity over a generated company: realistic promises (kept and broken), plans, holds. */
describe.each(ENGINES)('seedDemoActivity on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let lines: string[];

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    // The demo works its collections morning itself, seedDemoActivity included (once: plans refuse
    // documents already in a plan).
    const summary = await runDemo(t.database, {
      seed: 7,
      customers: 60,
      asOf: AS_OF,
      actor: 'tester',
      log: () => undefined,
    });
    ctx = await t.database.transaction(({ client }) => loadCompany(client, 'demo'));
    lines = summary.collections!.activity;
  }, 600_000);
  afterAll(() => t?.dispose());

  it('adds kept, broken and live promises, plans, holds and a timeline, and says so', async () => {
    expect(lines[0]).toMatch(/^Collections activity as of 2025-06-30: \d+ calls, e-mails and notes logged/);
    const promises = await t.database.transaction(({ client }) => listPromises(client, ctx));
    const by = (status: string) => promises.filter((p) => p.status === status).length;
    expect(by('kept')).toBeGreaterThan(0);
    expect(by('broken') + by('partial')).toBeGreaterThan(0);
    expect(by('open')).toBeGreaterThan(0);
    const plans = await t.database.transaction(({ client }) => listPlans(client, ctx));
    expect(plans.length).toBeGreaterThan(0);
    const holds = await t.database.transaction(({ client }) => dunningHolds(client, ctx.companyId, AS_OF));
    expect([...holds.values()].flat().some((h) => h.kind === 'promise')).toBe(true);
    const facts = await t.database.transaction(({ client }) => collectionFacts(client, ctx.companyId, AS_OF));
    expect([...facts.values()].some((f) => f.onCreditHold)).toBe(true);
    expect([...facts.values()].some((f) => f.lastContactDate !== null)).toBe(true);
    expect(lines.join('\n')).toContain('promises to pay');
  });
});
