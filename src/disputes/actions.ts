import { createHash } from 'node:crypto';
import { newId } from '../imports/ids.js';
import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import { insertEvents } from './cases.js';
import { addDays, assertIsoDate } from './core/dates.js';
import { DisputeError, invariant } from './core/errors.js';
import { type CaseStatus, isLive, WORKING_STATUSES } from './core/outcome.js';

export interface CaseRow {
  caseId: string;
  caseNumber: string;
  customerId: string;
  customerNumber: string | null;
  customerName: string | null;
  origin: string;
  deductionId: string | null;
  receiptId: string | null;
  currency: string;
  amountMinor: number;
  baseAmountMinor: number;
  reasonCode: string;
  externalCode: string | null;
  reasonText: string | null;
  productLine: string | null;
  status: CaseStatus;
  owner: string;
  team: string | null;
  manager: string | null;
  ruleId: string | null;
  openedOn: string;
  deadline: string;
  escalationLevel: number;
  outcome: string | null;
  creditMinor: number | null;
  collectMinor: number | null;
  finding: string | null;
  resolvedOn: string | null;
  resolvedBy: string | null;
}

export interface CaseSqlRow {
  case_id: string;
  case_number: string;
  customer_id: string;
  customer_number: string | null;
  customer_name: string | null;
  origin: string;
  deduction_id: string | null;
  receipt_id: string | null;
  currency: string;
  amount_minor: number;
  base_amount_minor: number;
  reason_code: string;
  external_code: string | null;
  reason_text: string | null;
  product_line: string | null;
  status: CaseStatus;
  owner: string;
  owner_team: string | null;
  manager: string | null;
  rule_id: string | null;
  opened_on: string;
  deadline: string;
  escalation_level: number;
  outcome: string | null;
  credit_minor: number | null;
  collect_minor: number | null;
  finding: string | null;
  resolved_on: string | null;
  resolved_by: string | null;
}

export const CASE_COLUMNS = `c.case_id, c.case_number, c.customer_id, cu.customer_number, cu.name AS customer_name, c.origin,
  c.deduction_id, c.receipt_id, c.currency, c.amount_minor, c.base_amount_minor, c.reason_code, c.external_code, c.reason_text,
  c.product_line, c.status, c.owner, c.owner_team, c.manager, c.rule_id, c.opened_on, c.deadline, c.escalation_level,
  c.outcome, c.credit_minor, c.collect_minor, c.finding, c.resolved_on, c.resolved_by`;

/** The customer's number and name, read from the ledger's customer table (reporting read). */
export const CASE_FROM = `dispute_case c LEFT JOIN customer cu ON cu.company_id = c.company_id AND cu.customer_id = c.customer_id`;

export function caseOf(r: CaseSqlRow): CaseRow {
  return {
    caseId: r.case_id,
    caseNumber: r.case_number,
    customerId: r.customer_id,
    customerNumber: r.customer_number,
    customerName: r.customer_name,
    origin: r.origin,
    deductionId: r.deduction_id,
    receiptId: r.receipt_id,
    currency: r.currency.trim(),
    amountMinor: r.amount_minor,
    baseAmountMinor: r.base_amount_minor,
    reasonCode: r.reason_code,
    externalCode: r.external_code,
    reasonText: r.reason_text,
    productLine: r.product_line,
    status: r.status,
    owner: r.owner,
    team: r.owner_team,
    manager: r.manager,
    ruleId: r.rule_id,
    openedOn: r.opened_on,
    deadline: r.deadline,
    escalationLevel: r.escalation_level,
    outcome: r.outcome,
    creditMinor: r.credit_minor,
    collectMinor: r.collect_minor,
    finding: r.finding,
    resolvedOn: r.resolved_on,
    resolvedBy: r.resolved_by,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A case by its number (DC-000042, or just 42) or id; locked for update when asked. */
export async function findCase(
  client: SqlClient,
  ctx: CompanyContext,
  key: string,
  opts: { lock?: boolean } = {},
): Promise<CaseRow> {
  const k = key.trim();
  const number = /^\d{1,12}$/.test(k) ? `DC-${k.padStart(6, '0')}` : k.toUpperCase();
  const { rows } = await client.query<CaseSqlRow>(
    `SELECT ${CASE_COLUMNS} FROM ${CASE_FROM}
      WHERE c.company_id = $1 AND ${UUID.test(k) ? 'c.case_id = $2::uuid' : 'c.case_number = $2'}
      ${opts.lock ? 'FOR UPDATE OF c' : ''}`,
    [ctx.companyId, UUID.test(k) ? k : number],
  );
  if (rows.length === 0) throw new DisputeError('no-case', `no dispute case ${key}`);
  return caseOf(rows[0]!);
}

export interface CaseFilter {
  /** 'live' (not resolved or closed), 'all', or one status. */
  status?: 'live' | 'all' | CaseStatus;
  owner?: string;
  customerId?: string;
  reasonCode?: string;
  /** Only live cases past their deadline on this date. */
  overdueOn?: string;
  limit?: number;
}

export async function listCases(
  client: SqlClient,
  ctx: CompanyContext,
  f: CaseFilter = {},
): Promise<CaseRow[]> {
  const status = f.status ?? 'live';
  const limit = Math.min(f.limit ?? 1000, 100_000);
  const { rows } = await client.query<CaseSqlRow>(
    `SELECT ${CASE_COLUMNS} FROM ${CASE_FROM}
      WHERE c.company_id = $1
        AND ($2 = 'all' OR ($2 = 'live' AND c.status NOT IN ('resolved', 'closed')) OR c.status = $2)
        AND ($3::text IS NULL OR c.owner = $3 OR c.owner_team = $3)
        AND ($4::uuid IS NULL OR c.customer_id = $4)
        AND ($5::text IS NULL OR c.reason_code = $5)
        AND ($6::date IS NULL OR (c.status NOT IN ('resolved', 'closed') AND c.deadline < $6::date))
      ORDER BY c.deadline, c.case_number
      LIMIT $7`,
    [
      ctx.companyId,
      status,
      f.owner ?? null,
      f.customerId ?? null,
      f.reasonCode ?? null,
      f.overdueOn ?? null,
      limit,
    ],
  );
  return rows.map(caseOf);
}

export interface CaseDetail {
  case: CaseRow;
  lines: {
    lineNo: number;
    documentId: string;
    documentNumber: string | null;
    amountMinor: number;
    creditMinor: number | null;
    openMinor: number | null;
  }[];
  events: {
    at: string;
    actor: string;
    kind: string;
    fromStatus: string | null;
    toStatus: string | null;
    text: string | null;
    data: unknown;
  }[];
  attachments: {
    attachmentId: string;
    kind: string;
    fileName: string;
    mediaType: string;
    sizeBytes: number;
    sha256: string;
    path: string | null;
    stored: boolean;
    addedAt: string;
    addedBy: string;
  }[];
  resolutions: {
    resolutionId: string;
    outcome: string;
    creditMinor: number;
    collectMinor: number;
    finding: string;
    status: string;
    proposedBy: string;
    decidedBy: string | null;
    decisionReason: string | null;
    postingDate: string;
    creditDocumentId: string | null;
  }[];
  notifications: {
    level: number;
    recipient: string;
    subject: string;
    transport: string;
    asOf: string;
    sentAt: string | null;
    error: string | null;
  }[];
}

/** A case with its documents, history, attachments (metadata), resolutions and notifications. */
export async function caseDetail(client: SqlClient, ctx: CompanyContext, key: string): Promise<CaseDetail> {
  const c = await findCase(client, ctx, key);
  const p = [ctx.companyId, c.caseId];
  const lines = await client.query<{
    line_no: number;
    document_id: string;
    document_number: string | null;
    amount_minor: number;
    credit_minor: number | null;
    open_minor: number | null;
  }>(
    `SELECT l.line_no, l.document_id, d.document_number, l.amount_minor, l.credit_minor, d.open_minor
       FROM dispute_case_line l LEFT JOIN document d ON d.company_id = l.company_id AND d.document_id = l.document_id
      WHERE l.company_id = $1 AND l.case_id = $2 ORDER BY l.line_no`,
    p,
  );
  const events = await client.query<{
    at: Date;
    actor: string;
    kind: string;
    from_status: string | null;
    to_status: string | null;
    text: string | null;
    data: unknown;
  }>(
    `SELECT at, actor, kind, from_status, to_status, text, data FROM dispute_event
      WHERE company_id = $1 AND case_id = $2 ORDER BY at, event_id`,
    p,
  );
  const attachments = await client.query<{
    attachment_id: string;
    kind: string;
    file_name: string;
    media_type: string;
    size_bytes: number;
    sha256: string;
    path: string | null;
    stored: boolean;
    added_at: Date;
    added_by: string;
  }>(
    `SELECT attachment_id, kind, file_name, media_type, size_bytes, sha256, path, content IS NOT NULL AS stored, added_at, added_by
       FROM dispute_attachment WHERE company_id = $1 AND case_id = $2 ORDER BY attachment_id`,
    p,
  );
  const resolutions = await client.query<{
    resolution_id: string;
    outcome: string;
    credit_minor: number;
    collect_minor: number;
    finding: string;
    status: string;
    proposed_by: string;
    decided_by: string | null;
    decision_reason: string | null;
    posting_date: string;
    credit_document_id: string | null;
  }>(
    `SELECT resolution_id, outcome, credit_minor, collect_minor, finding, status, proposed_by, decided_by, decision_reason,
            posting_date, credit_document_id
       FROM dispute_resolution WHERE company_id = $1 AND case_id = $2 ORDER BY resolution_id`,
    p,
  );
  const notes = await client.query<{
    level: number;
    recipient: string;
    subject: string;
    transport: string;
    as_of: string;
    sent_at: Date | null;
    error: string | null;
  }>(
    `SELECT level, recipient, subject, transport, as_of, sent_at, error FROM dispute_notification
      WHERE company_id = $1 AND case_id = $2 ORDER BY level`,
    p,
  );
  const iso = (d: Date) => new Date(d).toISOString();
  return {
    case: c,
    lines: lines.rows.map((l) => ({
      lineNo: l.line_no,
      documentId: l.document_id,
      documentNumber: l.document_number,
      amountMinor: l.amount_minor,
      creditMinor: l.credit_minor,
      openMinor: l.open_minor,
    })),
    events: events.rows.map((e) => ({
      at: iso(e.at),
      actor: e.actor,
      kind: e.kind,
      fromStatus: e.from_status,
      toStatus: e.to_status,
      text: e.text,
      data: e.data,
    })),
    attachments: attachments.rows.map((a) => ({
      attachmentId: a.attachment_id,
      kind: a.kind,
      fileName: a.file_name,
      mediaType: a.media_type,
      sizeBytes: a.size_bytes,
      sha256: a.sha256,
      path: a.path,
      stored: a.stored,
      addedAt: iso(a.added_at),
      addedBy: a.added_by,
    })),
    resolutions: resolutions.rows.map((r) => ({
      resolutionId: r.resolution_id,
      outcome: r.outcome,
      creditMinor: r.credit_minor,
      collectMinor: r.collect_minor,
      finding: r.finding,
      status: r.status,
      proposedBy: r.proposed_by,
      decidedBy: r.decided_by,
      decisionReason: r.decision_reason,
      postingDate: r.posting_date,
      creditDocumentId: r.credit_document_id,
    })),
    notifications: notes.rows.map((n) => ({
      level: n.level,
      recipient: n.recipient,
      subject: n.subject,
      transport: n.transport,
      asOf: n.as_of,
      sentAt: n.sent_at === null ? null : iso(n.sent_at),
      error: n.error,
    })),
  };
}

function requireReason(reason: string, what: string): string {
  const r = reason.trim();
  invariant(
    r.length > 0 && r.length <= 2000,
    'reason-missing',
    `${what} needs a reason (1 to 2000 characters)`,
  );
  return r;
}

/**
 * Hands a case to another owner (and optionally team, manager, deadline). A new deadline or owner
 * starts escalation over: the notification levels already sent stay recorded, the case's level
 * goes back to 0.
 */
export async function assignCase(
  client: SqlClient,
  ctx: CompanyContext,
  key: string,
  a: {
    owner: string;
    team?: string | null;
    manager?: string | null;
    deadline?: string | null;
    reason: string;
    actor: string;
  },
): Promise<CaseRow> {
  const c = await findCase(client, ctx, key, { lock: true });
  invariant(isLive(c.status), 'case-closed', `${c.caseNumber} is ${c.status}`);
  const owner = a.owner.trim();
  invariant(owner.length > 0 && owner.length <= 120, 'bad-owner', 'the owner must be 1 to 120 characters');
  const reason = requireReason(a.reason, 'an assignment');
  const deadline = a.deadline ? assertIsoDate(a.deadline, 'deadline') : c.deadline;
  invariant(
    deadline >= c.openedOn,
    'bad-deadline',
    `the deadline cannot be before the case was opened (${c.openedOn})`,
  );
  // Escalation starts over for the new owner or deadline: a new round, level 0 (the notifications
  // of earlier rounds stay as history).
  await client.query(
    `UPDATE dispute_case SET owner = $3, owner_team = $4, manager = $5, deadline = $6, escalation_level = 0,
            escalation_round = escalation_round + 1, updated_at = now(), updated_by = $7
      WHERE company_id = $1 AND case_id = $2`,
    [
      ctx.companyId,
      c.caseId,
      owner,
      a.team === undefined ? c.team : a.team,
      a.manager === undefined ? c.manager : a.manager,
      deadline,
      a.actor,
    ],
  );
  await insertEvents(
    client,
    ctx,
    [
      {
        event_id: newId(),
        case_id: c.caseId,
        kind: 'assigned',
        text: reason,
        data: {
          from: { owner: c.owner, team: c.team, manager: c.manager, deadline: c.deadline },
          to: { owner, team: a.team ?? c.team, manager: a.manager ?? c.manager, deadline },
        },
      },
    ],
    a.actor,
  );
  return findCase(client, ctx, c.caseId);
}

/** A note on a case, optionally moving it between working statuses (with the note as the why). */
export async function addNote(
  client: SqlClient,
  ctx: CompanyContext,
  key: string,
  n: { text: string; status?: CaseStatus | null; actor: string },
): Promise<CaseRow> {
  const c = await findCase(client, ctx, key, { lock: true });
  const text = requireReason(n.text, 'a note');
  const events: Record<string, unknown>[] = [{ event_id: newId(), case_id: c.caseId, kind: 'note', text }];
  if (n.status && n.status !== c.status) {
    invariant(
      isLive(c.status),
      'case-closed',
      `${c.caseNumber} is ${c.status}: resolve or close cannot be undone by a note`,
    );
    invariant(
      WORKING_STATUSES.includes(n.status),
      'bad-status',
      `a note can set ${WORKING_STATUSES.join(', ')}; use resolve or close for the others`,
    );
    await client.query(
      `UPDATE dispute_case SET status = $3, updated_at = now(), updated_by = $4 WHERE company_id = $1 AND case_id = $2`,
      [ctx.companyId, c.caseId, n.status, n.actor],
    );
    events.push({
      event_id: newId(),
      case_id: c.caseId,
      kind: 'status',
      from_status: c.status,
      to_status: n.status,
      text,
    });
  }
  await insertEvents(client, ctx, events, n.actor);
  return findCase(client, ctx, c.caseId);
}

export const ATTACHMENT_KINDS = [
  'pod',
  'po',
  'w9',
  'lien_release',
  'pricing_agreement',
  'claim',
  'photo',
  'other',
] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];
/** Stored attachments are bounded; larger proof is linked by path (with its checksum). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_CASE = 200;

/**
 * Attaches a file: its bytes stored in the database (up to 10 MiB), or only linked by path; either
 * way with its size and SHA-256, so a linked file can be checked later. Append-only.
 */
export async function attachFile(
  client: SqlClient,
  ctx: CompanyContext,
  key: string,
  f: {
    fileName: string;
    mediaType: string;
    bytes: Uint8Array;
    path: string | null;
    store: boolean;
    kind: AttachmentKind;
    actor: string;
    note?: string | null;
  },
): Promise<string> {
  const c = await findCase(client, ctx, key, { lock: true });
  invariant(
    ATTACHMENT_KINDS.includes(f.kind),
    'bad-kind',
    `attachment kind must be one of ${ATTACHMENT_KINDS.join(', ')}`,
  );
  invariant(
    f.fileName.length > 0 && f.fileName.length <= 255,
    'bad-name',
    'a file name is 1 to 255 characters',
  );
  invariant(
    !f.store || f.bytes.length <= MAX_ATTACHMENT_BYTES,
    'too-large',
    `${f.fileName} is larger than ${MAX_ATTACHMENT_BYTES} bytes: attach it by path (--link)`,
  );
  invariant(f.store || f.path !== null, 'no-path', 'a linked attachment needs its path');
  const { rows } = await client.query<{ n: number }>(
    'SELECT count(*)::int8 AS n FROM dispute_attachment WHERE company_id = $1 AND case_id = $2',
    [ctx.companyId, c.caseId],
  );
  invariant(
    rows[0]!.n < MAX_ATTACHMENTS_PER_CASE,
    'too-many',
    `a case holds at most ${MAX_ATTACHMENTS_PER_CASE} attachments`,
  );
  const id = newId();
  const sha256 = createHash('sha256').update(f.bytes).digest('hex');
  await client.query(
    `INSERT INTO dispute_attachment (company_id, attachment_id, case_id, kind, file_name, media_type, size_bytes, sha256, path,
       content, added_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      ctx.companyId,
      id,
      c.caseId,
      f.kind,
      f.fileName,
      f.mediaType.slice(0, 120),
      f.bytes.length,
      sha256,
      f.path?.slice(0, 1000) ?? null,
      f.store ? f.bytes : null,
      f.actor,
    ],
  );
  await insertEvents(
    client,
    ctx,
    [
      {
        event_id: newId(),
        case_id: c.caseId,
        kind: 'attached',
        text: `${f.kind} ${f.fileName} (${f.bytes.length} bytes, sha256 ${sha256.slice(0, 12)}…)${f.note ? `: ${f.note}` : ''}`,
        data: { attachment_id: id, sha256, stored: f.store },
      },
    ],
    f.actor,
  );
  return id;
}

/** An attachment's stored bytes (null when it was only linked by path). */
export async function attachmentContent(
  client: SqlClient,
  ctx: CompanyContext,
  attachmentId: string,
): Promise<{ fileName: string; content: Uint8Array | null; path: string | null; sha256: string }> {
  const { rows } = await client.query<{
    file_name: string;
    content: Uint8Array | null;
    path: string | null;
    sha256: string;
  }>(
    'SELECT file_name, content, path, sha256 FROM dispute_attachment WHERE company_id = $1 AND attachment_id = $2',
    [ctx.companyId, attachmentId],
  );
  if (rows.length === 0) throw new DisputeError('no-attachment', `no attachment ${attachmentId}`);
  return {
    fileName: rows[0]!.file_name,
    content: rows[0]!.content,
    path: rows[0]!.path,
    sha256: rows[0]!.sha256,
  };
}

/**
 * Closes a case without an outcome on the ledger (opened in error, a duplicate case, the customer
 * paid the amount after all). Its deductions are marked resolved with the reason. Nothing posts.
 */
export async function closeCase(
  client: SqlClient,
  ctx: CompanyContext,
  key: string,
  a: { reason: string; actor: string; on: string },
): Promise<CaseRow> {
  const c = await findCase(client, ctx, key, { lock: true });
  invariant(isLive(c.status), 'case-closed', `${c.caseNumber} is already ${c.status}`);
  const reason = requireReason(a.reason, 'closing a case');
  const on = assertIsoDate(a.on, 'closing date');
  invariant(on >= c.openedOn, 'bad-date', `a case cannot close before it opened (${c.openedOn})`);
  await closeCases(client, ctx, [c.caseId], { reason, actor: a.actor, on, deductionStatus: 'resolved' });
  return findCase(client, ctx, c.caseId);
}

/**
 * Closes live cases (withdrawn), set-based, and their open deductions with the given status.
 * Used by closeCase and when cash application cancels the deductions behind cases.
 */
export async function closeCases(
  client: SqlClient,
  ctx: CompanyContext,
  caseIds: readonly string[],
  a: { reason: string; actor: string; on: string; deductionStatus: 'resolved' | 'cancelled' | null },
): Promise<number> {
  if (caseIds.length === 0) return 0;
  const { rows } = await client.query<{ case_id: string; from_status: string }>(
    `WITH target AS (
       SELECT case_id, status FROM dispute_case
        WHERE company_id = $1 AND case_id = ANY($2::uuid[]) AND status NOT IN ('resolved', 'closed') FOR UPDATE)
     UPDATE dispute_case c SET status = 'closed', outcome = 'withdrawn', finding = left($3, 2000),
            resolved_on = greatest($5::date, c.opened_on), resolved_by = $4, updated_at = now(), updated_by = $4
       FROM target t WHERE c.company_id = $1 AND c.case_id = t.case_id
     RETURNING c.case_id, t.status AS from_status`,
    [ctx.companyId, caseIds, a.reason, a.actor, a.on],
  );
  if (a.deductionStatus !== null && rows.length > 0) {
    await client.query(
      `UPDATE deduction SET status = $4, closed_at = now(), closed_by = $3, close_reason = left($5, 2000)
        WHERE company_id = $1 AND status = 'open' AND deduction_id IN (
          SELECT deduction_id FROM dispute_case WHERE company_id = $1 AND case_id = ANY($2::uuid[]) AND deduction_id IS NOT NULL
          UNION
          SELECT deduction_id FROM dispute_case_line WHERE company_id = $1 AND case_id = ANY($2::uuid[]) AND deduction_id IS NOT NULL)`,
      [ctx.companyId, rows.map((r) => r.case_id), a.actor, a.deductionStatus, `case closed: ${a.reason}`],
    );
  }
  await insertEvents(
    client,
    ctx,
    rows.map((r) => ({
      event_id: newId(),
      case_id: r.case_id,
      kind: 'closed',
      from_status: r.from_status,
      to_status: 'closed',
      text: a.reason,
      data: { on: a.on },
    })),
    a.actor,
  );
  return rows.length;
}

/** Days from a date: used to give a case a deadline N days out. */
export const deadlineIn = (from: string, days: number): string => addDays(from, days);
