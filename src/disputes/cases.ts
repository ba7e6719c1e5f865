import { newId } from '../imports/ids.js';
import type { CompanyContext } from '../ledger/index.js';
import { assertSafeMinor, formatMinor, minorUnitExponent } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import { activeMatrix, ensureDisputeSetup, loadReasonMaps, segmentsOf } from './config.js';
import { copyLines, copyRows, q } from './copy.js';
import { assertIsoDate, deadlineOf } from './core/dates.js';
import { DisputeError, invariant } from './core/errors.js';
import { MatrixIndex, routingExplanation } from './core/matrix.js';
import { baseShareOf } from './core/outcome.js';
import { resolveReason } from './core/reasons.js';
import { type DocumentFacts, documentsById } from './ledger-reads.js';

export type CaseOrigin = 'cashapp' | 'claim' | 'collector';

export interface NewCaseLine {
  documentId: string;
  amountMinor: number;
  deductionId?: string | null;
}

export interface NewCase {
  customerId: string;
  origin: CaseOrigin;
  lines: readonly NewCaseLine[];
  openedOn: string;
  deductionId?: string | null;
  receiptId?: string | null;
  /** The customer's own code or the 820 adjustment code (ADX02), as given. */
  externalCode?: string | null;
  /** What the customer wrote (remittance text, claim). */
  reasonText?: string | null;
  /** A catalogue reason chosen by a person (wins over codes and text). */
  reasonCode?: string | null;
  /** Defaults to the first document's description (documents carry no product line). */
  productLine?: string | null;
}

export interface OpenedCase {
  caseId: string;
  caseNumber: string;
  customerId: string;
  currency: string;
  amountMinor: number;
  baseAmountMinor: number;
  reasonCode: string;
  owner: string;
  team: string | null;
  manager: string | null;
  ruleId: string | null;
  deadline: string;
  /** Why this owner (the matrix rule, or the default owner and why). */
  routing: string;
}

export const MAX_LINES_PER_CASE = 500;
export const MAX_CASES_PER_CALL = 1_000_000;
/** Rows per INSERT statement: a JSON parameter of a few MB, which both engines take comfortably. */
const CHUNK = 20_000;
/**
 * Cases written per COPY when opening in bulk: small enough that a chunk's CSV lines die young
 * (the garbage collector then never copies them around), big enough that round trips do not count.
 */
const FLUSH_CASES = 2_000;

export const caseNumberOf = (n: number): string => `DC-${String(n).padStart(6, '0')}`;

/**
 * Opens and routes many cases at once, set-based: the documents, reason mappings, segments and
 * the active matrix are read once (a fixed number of queries), every case is resolved and routed
 * in memory by the pure core, and cases, lines and their opening and routing events are written
 * with one INSERT per table per 20,000 cases. Returns the cases in input order.
 */
export async function openCasesBulk(
  client: SqlClient,
  ctx: CompanyContext,
  cases: readonly NewCase[],
  opts: { actor: string },
): Promise<OpenedCase[]> {
  if (cases.length === 0) return [];
  invariant(cases.length <= MAX_CASES_PER_CALL, 'too-many', `at most ${MAX_CASES_PER_CALL} cases at once`);
  const settings = await ensureDisputeSetup(client, ctx, opts.actor);
  const docs = await documentsById(
    client,
    ctx,
    cases.flatMap((c) => c.lines.map((l) => l.documentId)),
  );
  const customerIds = [...new Set(cases.map((c) => c.customerId))];
  const maps = await loadReasonMaps(client, ctx, customerIds);
  const segments = await segmentsOf(client, ctx, customerIds);
  const matrix = await activeMatrix(client, ctx);
  const index = new MatrixIndex(matrix?.rules ?? []);
  const baseExp = minorUnitExponent(ctx.baseCurrency);

  const { rows } = await client.query<{ first: number }>(
    `UPDATE dispute_settings SET next_case_number = next_case_number + $2
      WHERE company_id = $1 RETURNING next_case_number - $2 AS first`,
    [ctx.companyId, cases.length],
  );
  const firstNumber = rows[0]!.first;

  // Per-case work is in memory; what repeats across cases (a rule's explanation, a date's
  // validation and deadline) is computed once.
  const routingText = new Map<string, string>();
  const deadlines = new Map<string, string>();
  const opened: OpenedCase[] = [];
  // Written chunk by chunk: the rows of one chunk die young, which keeps the garbage collector cheap.
  let caseRows: string[] = [];
  let lineRows: string[] = [];
  let eventRows: string[] = [];
  const company = ctx.companyId;
  const actor = q(opts.actor);
  for (const [i, c] of cases.entries()) {
    const lineDocs = checkLines(c, docs, i);
    const currency = lineDocs[0]!.currency;
    let amountMinor = 0;
    for (const l of c.lines) amountMinor += l.amountMinor;
    assertSafeMinor(amountMinor, 'disputed total');
    const baseAmountMinor = c.lines.reduce(
      (s, l, k) => s + baseShareOf(l.amountMinor, lineDocs[k]!.amountMinor, lineDocs[k]!.baseAmountMinor),
      0,
    );
    const openedOn = c.openedOn;
    const reason = resolveReason(maps, {
      customerId: c.customerId,
      externalCode: c.externalCode,
      reasonText: c.reasonText,
      given: c.reasonCode,
    });
    if (c.reasonCode && reason.via !== 'given')
      throw new DisputeError('unknown-reason', `case ${i + 1}: ${c.reasonCode} is not an active reason code`);
    const segment = segments.get(c.customerId) ?? null;
    const rule = index.match(reason.reasonCode, segment, baseAmountMinor);
    const term = rule ? `${openedOn}|${rule.deadlineDays}|${rule.businessDays}` : `${openedOn}|default`;
    let deadline = deadlines.get(term);
    if (deadline === undefined) {
      assertIsoDate(openedOn, `case ${i + 1}: opened on`);
      deadline = rule
        ? deadlineOf(openedOn, rule.deadlineDays, rule.businessDays)
        : deadlineOf(openedOn, settings.defaultDeadlineDays, false);
      deadlines.set(term, deadline);
    }
    let routing = rule ? routingText.get(rule.id) : undefined;
    if (routing === undefined) {
      routing = rule
        ? routingExplanation(rule, baseExp, ctx.baseCurrency)
        : `${matrix ? 'no matrix rule covers' : 'no matrix loaded for'} reason ${reason.reasonCode}, segment ${segment ?? '(none)'}, ${formatMinor(baseAmountMinor, baseExp)} ${ctx.baseCurrency}: default owner ${settings.defaultOwner}, ${settings.defaultDeadlineDays} days`;
      if (rule) routingText.set(rule.id, routing);
    }
    const caseId = newId();
    const caseNumber = caseNumberOf(firstNumber + i);
    const productLine = (c.productLine ?? lineDocs[0]!.description ?? null)?.trim().slice(0, 80) || null;
    const o: OpenedCase = {
      caseId,
      caseNumber,
      customerId: c.customerId,
      currency,
      amountMinor,
      baseAmountMinor,
      reasonCode: reason.reasonCode,
      owner: rule?.owner ?? settings.defaultOwner,
      team: rule?.team ?? null,
      manager: rule?.manager ?? null,
      ruleId: rule?.id ?? null,
      deadline,
      routing,
    };
    opened.push(o);
    // Ids and dates below were made here or checked against the database; texts are quoted.
    const matrixId = rule ? matrix!.matrixId : '';
    caseRows.push(
      [
        company,
        caseId,
        caseNumber,
        c.customerId,
        c.origin,
        q(c.deductionId),
        q(c.receiptId),
        currency,
        amountMinor,
        baseAmountMinor,
        q(o.reasonCode),
        q(c.externalCode?.trim().slice(0, 40) || null),
        q(c.reasonText?.slice(0, 2000) || null),
        q(productLine),
        'open',
        q(o.owner),
        q(o.team),
        q(o.manager),
        matrixId,
        q(o.ruleId),
        openedOn,
        deadline,
        actor,
        actor,
      ].join(','),
    );
    for (const [k, l] of c.lines.entries())
      lineRows.push([company, caseId, k + 1, l.documentId, l.amountMinor, q(l.deductionId)].join(','));
    // One event says where the case came from, how its reason was read and where it was routed.
    const data = {
      origin: c.origin,
      external_code: c.externalCode ?? null,
      reason_via: reason.via,
      deduction_id: c.deductionId ?? null,
      receipt_id: c.receiptId ?? null,
      rule_id: o.ruleId,
      matrix_id: rule ? matrix!.matrixId : null,
      segment,
    };
    const text = ['opened from ', ORIGIN_TEXT[c.origin], ': ', reason.explanation, '; routed by ', routing]
      .join('')
      .slice(0, 4000);
    // Joined from arrays: a flat string at once (a template literal builds a tree of pieces that
    // would survive, and be copied by the garbage collector, until the COPY).
    eventRows.push(
      [company, newId(), caseId, 'opened', 'open', q(text), q(JSON.stringify(data)), actor].join(','),
    );
    if (caseRows.length >= FLUSH_CASES || i === cases.length - 1) {
      await flush();
      caseRows = [];
      lineRows = [];
      eventRows = [];
    }
  }
  return opened;

  async function flush(): Promise<void> {
    await copyLines(
      client,
      'dispute_case',
      [
        'company_id',
        'case_id',
        'case_number',
        'customer_id',
        'origin',
        'deduction_id',
        'receipt_id',
        'currency',
        'amount_minor',
        'base_amount_minor',
        'reason_code',
        'external_code',
        'reason_text',
        'product_line',
        'status',
        'owner',
        'owner_team',
        'manager',
        'matrix_id',
        'rule_id',
        'opened_on',
        'deadline',
        'created_by',
        'updated_by',
      ],
      caseRows,
    );
    await copyLines(
      client,
      'dispute_case_line',
      ['company_id', 'case_id', 'line_no', 'document_id', 'amount_minor', 'deduction_id'],
      lineRows,
    );
    await copyLines(
      client,
      'dispute_event',
      ['company_id', 'event_id', 'case_id', 'kind', 'to_status', 'text', 'data', 'actor'],
      eventRows,
    );
  }
}

const ORIGIN_TEXT: Record<CaseOrigin, string> = {
  cashapp: 'a cash-application deduction',
  claim: "the customer's claim",
  collector: 'a collector',
};

/** Appends events (append-only history), set-based (COPY). */
export async function insertEvents(
  client: SqlClient,
  ctx: CompanyContext,
  events: readonly Record<string, unknown>[],
  actor: string,
): Promise<void> {
  if (events.length === 0) return;
  await copyRows(
    client,
    'dispute_event',
    ['company_id', 'event_id', 'case_id', 'kind', 'from_status', 'to_status', 'text', 'data', 'actor'],
    events.map((e) => [
      ctx.companyId,
      e.event_id,
      e.case_id,
      e.kind,
      e.from_status ?? null,
      e.to_status ?? null,
      typeof e.text === 'string' ? e.text.slice(0, 4000) : null,
      e.data ?? null,
      actor,
    ]),
  );
}

/** The documents of a case, checked; messages are only built for a failure (this runs per case). */
function checkLines(c: NewCase, docs: ReadonlyMap<string, DocumentFacts>, i: number): DocumentFacts[] {
  const fail = (code: string, message: string): never => {
    throw new DisputeError(code, `case ${i + 1}: ${message}`);
  };
  if (c.lines.length === 0) fail('no-lines', 'a case needs at least one document');
  if (c.lines.length > MAX_LINES_PER_CASE) fail('too-many-lines', `at most ${MAX_LINES_PER_CASE} documents`);
  const out: DocumentFacts[] = [];
  for (const l of c.lines) {
    const d = docs.get(l.documentId) ?? fail('no-document', `no document ${l.documentId}`);
    if (c.lines.length > 1 && out.some((o) => o.documentId === d.documentId))
      fail('duplicate-document', `${d.documentNumber} is named twice`);
    if (d.docType === 'credit_memo')
      fail('wrong-document', `${d.documentNumber} is a credit memo, not a charge to dispute`);
    if (d.customerId !== c.customerId)
      fail('customer-mismatch', `${d.documentNumber} belongs to another customer`);
    if (!Number.isSafeInteger(l.amountMinor) || l.amountMinor <= 0 || l.amountMinor > d.openMinor) {
      const exp = minorUnitExponent(d.currency);
      fail(
        'amount-not-open',
        `${d.documentNumber} is open for ${formatMinor(d.openMinor, exp)} ${d.currency}; cannot dispute ${Number.isSafeInteger(l.amountMinor) ? formatMinor(l.amountMinor, exp) : l.amountMinor}`,
      );
    }
    if (out.length > 0 && d.currency !== out[0]!.currency)
      fail('currency-mismatch', 'the documents of one case share a currency');
    out.push(d);
  }
  return out;
}

/**
 * Routes live cases again by the active matrix: those routed by an earlier matrix (or by none) and
 * never assigned by hand. Their deadline is recomputed from their opening date. Set-based: the
 * cases are read once, matched in memory, and updated with one statement; each gets a routing event.
 */
export async function rerouteLiveCases(
  client: SqlClient,
  ctx: CompanyContext,
  opts: { actor: string },
): Promise<number> {
  await ensureDisputeSetup(client, ctx, opts.actor);
  const matrix = await activeMatrix(client, ctx);
  if (!matrix) return 0;
  const { rows } = await client.query<{
    case_id: string;
    customer_id: string;
    reason_code: string;
    base_amount_minor: number;
    opened_on: string;
  }>(
    `SELECT c.case_id, c.customer_id, c.reason_code, c.base_amount_minor, c.opened_on FROM dispute_case c
      WHERE c.company_id = $1 AND c.status NOT IN ('resolved', 'closed') AND c.matrix_id IS DISTINCT FROM $2
        AND NOT EXISTS (SELECT 1 FROM dispute_event e WHERE e.company_id = $1 AND e.case_id = c.case_id AND e.kind = 'assigned')
      FOR UPDATE OF c`,
    [ctx.companyId, matrix.matrixId],
  );
  if (rows.length === 0) return 0;
  const segments = await segmentsOf(
    client,
    ctx,
    rows.map((r) => r.customer_id),
  );
  const index = new MatrixIndex(matrix.rules);
  const baseExp = minorUnitExponent(ctx.baseCurrency);
  const updates: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  for (const r of rows) {
    const segment = segments.get(r.customer_id) ?? null;
    const rule = index.match(r.reason_code, segment, r.base_amount_minor);
    if (!rule) continue;
    const deadline = deadlineOf(r.opened_on, rule.deadlineDays, rule.businessDays);
    updates.push({
      case_id: r.case_id,
      owner: rule.owner,
      team: rule.team,
      manager: rule.manager,
      rule_id: rule.id,
      deadline,
    });
    events.push({
      event_id: newId(),
      case_id: r.case_id,
      kind: 'routed',
      text: `routed again by the new matrix: ${routingExplanation(rule, baseExp, ctx.baseCurrency)}`,
      data: { rule_id: rule.id, matrix_id: matrix.matrixId, segment, owner: rule.owner, deadline },
    });
  }
  for (let start = 0; start < updates.length; start += CHUNK) {
    await client.query(
      `UPDATE dispute_case c SET owner = x.owner, owner_team = x.team, manager = x.manager, rule_id = x.rule_id,
              matrix_id = $3, deadline = x.deadline, escalation_level = 0, escalation_round = c.escalation_round + 1,
              updated_at = now(), updated_by = $4
         FROM jsonb_to_recordset($2::jsonb) AS x(case_id uuid, owner text, team text, manager text, rule_id text, deadline date)
        WHERE c.company_id = $1 AND c.case_id = x.case_id`,
      [ctx.companyId, JSON.stringify(updates.slice(start, start + CHUNK)), matrix.matrixId, opts.actor],
    );
  }
  await insertEvents(client, ctx, events, opts.actor);
  return updates.length;
}
