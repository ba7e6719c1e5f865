import { seedDemoActivity } from '../collections/activity/demo.js';
import { runDemoDunning } from '../collections/dunning/demo.js';
import { showDemoWorklist } from '../collections/worklist/demo.js';
import { seedDemoDisputes } from '../disputes/demo.js';
import type { CompanyContext } from '../ledger/index.js';
import type { Database } from '../store/database.js';
import { startSmtpSink } from './smtp-sink.js';

export interface CollectionsDay {
  activity: string[];
  disputes: string[];
  worklist: string[];
  dunning: string[];
  /** What the local SMTP sink received from the dunning run. */
  emailsReceived: number;
  emailsWithPdf: number;
}

/**
 * The collectors' morning on the demo company, after its year of history is in: calls, promises,
 * plans and credit holds; deductions opened, routed, some resolved; the worklist ranked; and a
 * dunning run sent over real SMTP to a sink started here (nothing leaves the machine).
 * Each step is its own transaction, in the order a team would work.
 */
export async function runCollectionsDay(
  database: Database,
  ctx: CompanyContext,
  asOfDate: string,
  seed: number,
): Promise<CollectionsDay> {
  const activity = await database.transaction(({ client }) => seedDemoActivity(client, ctx, asOfDate, seed));
  const disputes = await database.transaction(({ client }) => seedDemoDisputes(client, ctx, asOfDate, seed));
  const worklist = await database.transaction(({ client }) => showDemoWorklist(client, ctx, asOfDate));
  const sink = await startSmtpSink();
  try {
    const dunning = await database.transaction(({ client }) =>
      runDemoDunning(client, ctx, asOfDate, sink.url),
    );
    return {
      activity,
      disputes,
      worklist,
      dunning,
      emailsReceived: sink.messages.length,
      emailsWithPdf: sink.messages.filter((m) => m.attachments.some((a) => a.toLowerCase().endsWith('.pdf')))
        .length,
    };
  } finally {
    await sink.close();
  }
}

export function printCollectionsDay(day: CollectionsDay, log: (line: string) => void): void {
  const section = (title: string, lines: string[]) => {
    log('');
    log(title);
    for (const line of lines) log(`  ${line}`);
  };
  section('Collections activity (calls, promises, plans, credit holds):', day.activity);
  section('Disputes and deductions:', day.disputes);
  section("This morning's worklist:", day.worklist);
  section('Dunning run:', day.dunning);
  log(
    `  the local SMTP sink received ${day.emailsReceived} e-mails, ${day.emailsWithPdf} with the customer's statement as a PDF`,
  );
}
