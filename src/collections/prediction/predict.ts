import { uuidv7 } from 'uuidv7';
import { disputeCountsByCustomer } from '../../disputes/holds.js';
import { CopyBuffer, copyLine } from '../../imports/csv-out.js';
import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import { collectionFacts } from '../activity/holds.js';
import { addDays, assertIsoDate } from '../core/dates.js';
import { invariant } from './core/errors.js';
import {
  assertGraceDays,
  DEFAULT_GRACE_DAYS,
  type LabelledRow,
  MAX_TRAINING_ROWS,
  type PaymentModel,
  type Prediction,
  predictOpen,
  trainPaymentModel,
} from './core/model.js';
import {
  buildPredictionInput,
  KIND_OPEN,
  KIND_TRAINING,
  labelledOf,
  type OpenInput,
  openOf,
  readInput,
} from './features.js';

/**
 * `openar predict`: trains the payment model on the ledger's history up to the as-of date and
 * predicts every invoice and debit memo open on that date, in one transaction. The run keeps the
 * model (coefficients, priors, how it was trained), one row per open document (probability of
 * paying late, predicted payment date, the features that pushed the probability most) and one row
 * per customer with something open (its payment behaviour). Older runs beyond KEEP_RUNS are pruned.
 */

export const KEEP_RUNS = 10;
export const DEFAULT_TRAINING_DAYS = 730;
export const DEFAULT_TRAINING_ROWS = 100_000;
/** An as-of date's open documents beyond this are refused rather than half-predicted. */
export const MAX_OPEN_DOCUMENTS = 5_000_000;

export interface PredictOptions {
  asOf: string;
  actor: string;
  graceDays?: number;
  /** Train on documents due within this many days before the as-of date. */
  trainingDays?: number;
  /** At most this many training rows (the latest by due date). */
  trainingRows?: number;
}

/** What the activity module says of each customer on the date, when the caller has it already. */
export type Facts = Awaited<ReturnType<typeof collectionFacts>>;

export interface PredictionRunSummary {
  runId: string;
  asOf: string;
  modelVersion: string;
  graceDays: number;
  training: PaymentModel['training'];
  priors: PaymentModel['priors'];
  documents: number;
  customers: number;
  alreadyLate: number;
  openBaseMinor: number;
  expectedLateBaseMinor: number;
  elapsedMs: number;
}

interface CustomerAggregate {
  paidCount: number;
  avgDaysLate: number;
  trendDays: number;
  lateShare: number;
  tenureDays: number;
  overdueCount: number;
  documents: number;
  openBaseMinor: number;
  expectedLate: number;
}

export function resolvePredictOptions(o: PredictOptions): Required<PredictOptions> {
  assertIsoDate(o.asOf, 'as-of date');
  const graceDays = o.graceDays ?? DEFAULT_GRACE_DAYS;
  assertGraceDays(graceDays);
  const trainingDays = o.trainingDays ?? DEFAULT_TRAINING_DAYS;
  const trainingRows = o.trainingRows ?? DEFAULT_TRAINING_ROWS;
  invariant(
    Number.isSafeInteger(trainingDays) && trainingDays >= 30 && trainingDays <= 3650,
    'bad-option',
    'training days must be from 30 to 3650',
  );
  invariant(
    Number.isSafeInteger(trainingRows) && trainingRows >= 1 && trainingRows <= MAX_TRAINING_ROWS,
    'bad-option',
    `training rows must be from 1 to ${MAX_TRAINING_ROWS}`,
  );
  invariant(o.actor.length > 0 && o.actor.length <= 200, 'bad-actor', 'who runs the prediction is required');
  return { asOf: o.asOf, actor: o.actor, graceDays, trainingDays, trainingRows };
}

/** Trains on the history up to `asOf` and predicts its open documents; stores the run. */
export async function runPrediction(
  client: SqlClient,
  ctx: CompanyContext,
  options: PredictOptions,
  facts?: Facts,
): Promise<PredictionRunSummary> {
  const started = performance.now();
  const o = resolvePredictOptions(options);
  const input = await buildPredictionInput(client, ctx.companyId, {
    asOf: o.asOf,
    graceDays: o.graceDays,
    trainFrom: addDays(o.asOf, -o.trainingDays),
    trainLimit: o.trainingRows,
  });
  invariant(
    input.open <= MAX_OPEN_DOCUMENTS,
    'too-many-documents',
    `${input.open} open documents is more than ${MAX_OPEN_DOCUMENTS}`,
  );
  const training: LabelledRow[] = [];
  await readInput(client, KIND_TRAINING, (rows) => {
    for (const r of rows) training.push(labelledOf(r));
  });
  const model = trainPaymentModel(training, { graceDays: o.graceDays });
  training.length = 0;

  const runId = uuidv7();
  await client.query(
    `INSERT INTO prediction_run (company_id, run_id, as_of_date, model_version, grace_days, model, training,
       documents, customers, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $8)`,
    [
      ctx.companyId,
      runId,
      o.asOf,
      model.version,
      o.graceDays,
      JSON.stringify({ priors: model.priors, late: model.late, days: model.days, features: model.features }),
      JSON.stringify({ ...model.training, trainingDays: o.trainingDays, trainingRowsLimit: o.trainingRows }),
      o.actor,
    ],
  );

  const totals = { documents: 0, alreadyLate: 0, openBaseMinor: 0, expectedLate: 0 };
  const customers = new Map<string, CustomerAggregate>();
  await readInput(client, KIND_OPEN, async (rows) => {
    const copy = new CopyBuffer();
    for (const row of rows) {
      const doc = openOf(row);
      const p = predictOpen(model, doc.facts, doc.dueDate, o.asOf);
      copy.append(documentLine(ctx.companyId, runId, doc, p));
      totals.documents++;
      if (p.alreadyLate) totals.alreadyLate++;
      totals.openBaseMinor += doc.openBaseMinor;
      totals.expectedLate += doc.openBaseMinor * p.pLate;
      addToCustomer(customers, doc, p);
    }
    await client.copyFromCsv(
      `COPY prediction_document (company_id, run_id, document_id, customer_id, document_number, currency,
         document_date, due_date, open_minor, open_base_minor, days_past_due, p_late, already_late,
         predicted_days_late, predicted_payment_date, reasons) FROM STDIN WITH (FORMAT csv)`,
      copy.data(),
    );
  });
  const { documents, alreadyLate, openBaseMinor, expectedLate } = totals;

  await storeCustomers(client, ctx, runId, o.asOf, customers, facts);
  // The worklist reads this run next: let the planner know how big it is.
  await client.query('ANALYZE prediction_document');
  await client.query('ANALYZE prediction_customer');
  await client.query(
    'UPDATE prediction_run SET documents = $3, customers = $4 WHERE company_id = $1 AND run_id = $2',
    [ctx.companyId, runId, documents, customers.size],
  );
  await pruneRuns(client, ctx.companyId);
  return {
    runId,
    asOf: o.asOf,
    modelVersion: model.version,
    graceDays: o.graceDays,
    training: model.training,
    priors: model.priors,
    documents,
    customers: customers.size,
    alreadyLate,
    openBaseMinor,
    expectedLateBaseMinor: Math.round(expectedLate),
    elapsedMs: performance.now() - started,
  };
}

function documentLine(companyId: string, runId: string, doc: OpenInput, p: Prediction): string {
  return copyLine([
    companyId,
    runId,
    doc.documentId,
    doc.customerId,
    doc.documentNumber,
    doc.currency,
    doc.documentDate,
    doc.dueDate,
    doc.openMinor,
    doc.openBaseMinor,
    p.daysPastDue,
    p.pLate,
    p.alreadyLate ? 't' : 'f',
    p.predictedDaysLate,
    p.predictedPaymentDate,
    JSON.stringify(p.reasons),
  ]);
}

/** The customer's behaviour (the same on all its documents) and its open and expected-late sums. */
function addToCustomer(customers: Map<string, CustomerAggregate>, doc: OpenInput, p: Prediction): void {
  let c = customers.get(doc.customerId);
  if (!c) {
    const b = p.behaviour;
    c = {
      paidCount: b.paidCount,
      avgDaysLate: b.paidCount > 0 ? b.rawDaysLate : 0,
      trendDays: b.trendDays,
      lateShare: b.rawLateShare,
      tenureDays: b.tenureDays,
      overdueCount: b.overdueCount,
      documents: 0,
      openBaseMinor: 0,
      expectedLate: 0,
    };
    customers.set(doc.customerId, c);
  }
  c.documents++;
  c.openBaseMinor += doc.openBaseMinor;
  c.expectedLate += doc.openBaseMinor * p.pLate;
}

/** Customers' behaviour, with disputes of the last year and broken promises from their modules. */
async function storeCustomers(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
  asOf: string,
  customers: Map<string, CustomerAggregate>,
  known: Facts | undefined,
): Promise<void> {
  if (customers.size === 0) return;
  const disputes = await disputeCountsByCustomer(client, ctx.companyId, addDays(asOf, -365));
  const facts = known ?? (await collectionFacts(client, ctx.companyId, asOf));
  const copy = new CopyBuffer();
  for (const [customerId, c] of customers) {
    copy.append(
      copyLine([
        ctx.companyId,
        runId,
        customerId,
        c.paidCount,
        c.avgDaysLate,
        c.trendDays,
        Math.min(1, Math.max(0, c.lateShare)),
        Math.round(c.tenureDays),
        c.overdueCount,
        c.documents,
        c.openBaseMinor,
        Math.round(c.expectedLate),
        disputes.get(customerId)?.cases ?? 0,
        facts.get(customerId)?.promisesBroken ?? 0,
      ]),
    );
  }
  await client.copyFromCsv(
    `COPY prediction_customer (company_id, run_id, customer_id, paid_count, avg_days_late, trend_days, late_share,
       tenure_days, overdue_count, open_documents, open_base_minor, expected_late_base_minor, disputes_365,
       promises_broken) FROM STDIN WITH (FORMAT csv)`,
    copy.data(),
  );
}

async function pruneRuns(client: SqlClient, companyId: string): Promise<void> {
  await client.query(
    `DELETE FROM prediction_run
      WHERE company_id = $1 AND run_id IN (
        SELECT run_id FROM prediction_run WHERE company_id = $1
         ORDER BY created_at DESC, run_id DESC OFFSET ${KEEP_RUNS})`,
    [companyId],
  );
}
