import type { CompanyContext } from '../../ledger/index.js';
import { minorUnitExponent, parseDecimalToMinor } from '../../money/index.js';
import type { SqlClient } from '../../store/client.js';
import { DEFAULT_CONFIG } from './core/config.js';
import { formatAmount } from './core/templates.js';
import { runDunning } from './run.js';
import { loadConfig, saveConfig } from './store.js';

/**
 * The demo's dunning run: loads the default strategy (unless one is loaded already), runs dunning
 * as of the demo's date sending to `smtpUrl` (the lead's local SMTP sink), and returns the lines
 * to print: the letters per level and action, and who was held back and why.
 */
export async function runDemoDunning(
  client: SqlClient,
  ctx: CompanyContext,
  asOfDate: string,
  smtpUrl: string,
): Promise<string[]> {
  const actor = 'demo';
  if ((await loadConfig(client, ctx)).configId === null)
    await saveConfig(client, ctx, DEFAULT_CONFIG, 'built-in default (loaded by the demo)', actor);
  const s = await runDunning((work) => work(client), ctx, { asOf: asOfDate, dryRun: false, actor, smtpUrl });
  const lines = [
    `Dunning run ${s.runId} as of ${s.asOf} (${s.strategySource}): ${s.counts.sent} e-mails sent${s.counts.failed > 0 ? `, ${s.counts.failed} failed` : ''}, ${s.counts.actions} follow-up steps, ${s.counts.charges} fees/interest posted, ${s.counts.skipped} held back`,
  ];
  const levels = new Map<string, { letters: number; documents: number; totals: Map<string, number> }>();
  for (const l of s.letters) {
    const key = `level ${l.level} ${l.step} (${l.action}${l.strategy === 'standard' ? '' : `, ${l.strategy}`})`;
    const g = levels.get(key) ?? { letters: 0, documents: 0, totals: new Map<string, number>() };
    g.letters += 1;
    g.documents += l.documents.length;
    for (const [currency, t] of Object.entries(l.totals))
      g.totals.set(
        currency,
        (g.totals.get(currency) ?? 0) + parseDecimalToMinor(t.open, minorUnitExponent(currency)),
      );
    levels.set(key, g);
  }
  const keys = [...levels.keys()].sort(
    (a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1]) || (a < b ? -1 : 1),
  );
  for (const key of keys) {
    const g = levels.get(key)!;
    const totals = [...g.totals].map(([c, m]) => formatAmount(m, c, 'en')).join(' + ');
    lines.push(
      `  ${key}: ${g.letters} ${g.letters === 1 ? 'customer' : 'customers'}, ${g.documents} documents, ${totals}`,
    );
  }
  const held = new Map<string, Set<string>>();
  for (const k of s.skipped) {
    const set = held.get(k.code) ?? new Set<string>();
    set.add(k.customerNumber);
    held.set(k.code, set);
  }
  for (const [code, customers] of [...held].sort()) {
    const list = [...customers].slice(0, 5).join(', ');
    lines.push(
      `  held back (${code.replaceAll('_', ' ')}): ${customers.size} customers — ${list}${customers.size > 5 ? ', …' : ''}`,
    );
  }
  return lines;
}
