import { seedDemoActivity } from '../collections/activity/demo.js';
import { runDemoDunning } from '../collections/dunning/demo.js';
import { showDemoWorklist } from '../collections/worklist/demo.js';
import { seedDemoDisputes } from '../disputes/demo.js';
import { type NewDeduction, openDeductions } from '../disputes/index.js';
import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
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
  const deductions = await database.transaction(({ client }) => openDemoDeductions(client, ctx, asOfDate));
  const disputes = await database.transaction(async ({ client }) => [
    `${deductions} deductions taken on short payments opened as cases (as cash application does), then routed by the matrix below`,
    ...(await seedDemoDisputes(client, ctx, asOfDate, seed)),
  ]);
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

/** What customers write when they pay short, by the reason code cash application reads. */
const DEDUCTION_REASONS: [code: string, text: string][] = [
  ['PRICING', 'PRICE DIFFERENCE PER CONTRACT'],
  ['SHORTAGE', 'QUANTITY SHORTAGE ON DELIVERY'],
  ['DAMAGED', 'DAMAGED GOODS RECEIVED'],
  ['FREIGHT', 'FREIGHT DEDUCTED'],
  ['PROMOTION', 'PROMOTIONAL ALLOWANCE Q3'],
  ['RETURNS', 'RETURNED GOODS'],
];
const MAX_DEMO_DEDUCTIONS = 30;

/**
 * The demo's history comes in through the payments import, which records short payments but not
 * why: the recent short-paid invoices (a payment left between 1 % and 30 % open) become deductions
 * with the reasons customers give, exactly as a cash-application run opens them. Deterministic:
 * the same ledger gives the same deductions.
 */
async function openDemoDeductions(client: SqlClient, ctx: CompanyContext, asOfDate: string): Promise<number> {
  const { rows } = await client.query<{
    customer_id: string;
    document_id: string;
    receipt_id: string;
    application_id: string;
    currency: string;
    open_minor: number;
  }>(
    `SELECT DISTINCT ON (d.document_id) d.customer_id, d.document_id, a.receipt_id, a.application_id, d.currency, d.open_minor
       FROM document d
       JOIN application a ON a.company_id = d.company_id AND a.document_id = d.document_id
        AND a.kind = 'payment' AND a.reverses_application_id IS NULL
      WHERE d.company_id = $1 AND d.doc_type = 'invoice'
        AND d.open_minor * 100 BETWEEN d.amount_minor AND d.amount_minor * 30
        AND a.posting_date BETWEEN $2::date - 120 AND $2::date
        AND NOT EXISTS (SELECT 1 FROM deduction x WHERE x.company_id = d.company_id AND x.document_id = d.document_id)
      ORDER BY d.document_id, a.posting_date DESC
      LIMIT ${MAX_DEMO_DEDUCTIONS}`,
    [ctx.companyId, asOfDate],
  );
  const deductions: NewDeduction[] = rows.map((r, i) => {
    const [reasonCode, reasonText] = DEDUCTION_REASONS[i % DEDUCTION_REASONS.length]!;
    return {
      customerId: r.customer_id,
      documentId: r.document_id,
      receiptId: r.receipt_id,
      applicationId: r.application_id,
      currency: r.currency,
      amountMinor: Number(r.open_minor),
      reasonCode,
      reasonText,
    };
  });
  await openDeductions(client, ctx, deductions, { actor: 'cash.application' });
  return deductions.length;
}
