import type { SqlClient } from '../store/client.js';
import type { CompanyContext } from './context.js';

export interface TieOutLine {
  currency: string;
  subledgerMinor: number;
  glMinor: number;
  differenceMinor: number;
}

export interface TieOut {
  /** AR subledger (open documents less on-account credits) against the AR control account, base currency. */
  arBase: { subledgerMinor: number; glMinor: number; differenceMinor: number };
  /** Unapplied cash on receipts against the unapplied-cash account (a credit balance), base currency. */
  unappliedBase: { subledgerMinor: number; glMinor: number; differenceMinor: number };
  /** The same AR tie in each transaction currency. */
  arByCurrency: TieOutLine[];
  tied: boolean;
}

/** Subledger vs GL control accounts, computed set-based from the cached balances and the journal. */
export async function tieOut(client: SqlClient, ctx: CompanyContext, asOf?: string): Promise<TieOut> {
  if (asOf !== undefined) return tieOutAsOf(client, ctx, asOf);
  const { rows: ar } = await client.query<{ currency: string; sub_minor: number; sub_base: number }>(
    `SELECT currency, sum(minor)::int8 AS sub_minor, sum(base)::int8 AS sub_base FROM (
       SELECT currency, CASE WHEN doc_type = 'credit_memo' THEN -open_minor ELSE open_minor END AS minor,
              CASE WHEN doc_type = 'credit_memo' THEN -open_base_minor ELSE open_base_minor END AS base
         FROM document WHERE company_id = $1 AND open_minor > 0
       UNION ALL
       SELECT currency, -on_account_minor, -on_account_base_minor
         FROM receipt WHERE company_id = $1 AND on_account_minor > 0) s
     GROUP BY currency`,
    [ctx.companyId],
  );
  const { rows: gl } = await client.query<{ currency: string; gl_minor: number; gl_base: number }>(
    `SELECT currency, sum(amount_minor)::int8 AS gl_minor, sum(base_amount_minor)::int8 AS gl_base
       FROM journal_line WHERE company_id = $1 AND account_code = $2 GROUP BY currency`,
    [ctx.companyId, ctx.accounts.ar_control],
  );
  const { rows: un } = await client.query<{ sub_base: number; gl_base: number }>(
    `SELECT (SELECT coalesce(sum(unapplied_base_minor), 0)::int8 FROM receipt WHERE company_id = $1) AS sub_base,
            (SELECT coalesce(-sum(base_amount_minor), 0)::int8 FROM journal_line
              WHERE company_id = $1 AND account_code = $2) AS gl_base`,
    [ctx.companyId, ctx.accounts.unapplied_cash],
  );
  return assemble(ar, gl, un[0]!);
}

/**
 * The tie as of a past date, rebuilt from history: documents and receipts dated on or before it,
 * less applications and adjustments posted on or before it.
 */
async function tieOutAsOf(client: SqlClient, ctx: CompanyContext, asOf: string): Promise<TieOut> {
  const { rows: ar } = await client.query<{ currency: string; sub_minor: number; sub_base: number }>(
    `WITH docs AS (
       SELECT document_id, currency, CASE WHEN doc_type = 'credit_memo' THEN -1 ELSE 1 END AS sign,
              amount_minor, base_amount_minor
         FROM document WHERE company_id = $1 AND document_date <= $2),
     later_revisions AS (
       SELECT document_id, sum(amount_delta_minor) AS delta, sum(base_delta_minor) AS base_delta
         FROM document_revision WHERE company_id = $1 AND posting_date > $2 GROUP BY document_id)
     SELECT currency, sum(minor)::int8 AS sub_minor, sum(base)::int8 AS sub_base FROM (
       SELECT d.currency, d.sign * (d.amount_minor - coalesce(r.delta, 0)) AS minor,
              d.sign * (d.base_amount_minor - coalesce(r.base_delta, 0)) AS base
         FROM docs d LEFT JOIN later_revisions r USING (document_id)
       UNION ALL
       SELECT a.currency, -a.applied_minor, -a.document_base_minor FROM application a
        WHERE a.company_id = $1 AND a.posting_date <= $2 AND a.kind = 'payment'
       UNION ALL
       SELECT a.currency, -a.applied_minor, -a.document_base_minor FROM application a
        WHERE a.company_id = $1 AND a.posting_date <= $2 AND a.kind = 'credit_memo'
       UNION ALL
       SELECT a.currency, a.cash_minor, a.source_base_minor FROM application a
        WHERE a.company_id = $1 AND a.posting_date <= $2 AND a.kind = 'credit_memo'
       UNION ALL
       SELECT a.currency, -a.cash_minor, -a.source_base_minor FROM application a
        WHERE a.company_id = $1 AND a.posting_date <= $2 AND a.kind = 'on_account'
       UNION ALL
       SELECT d.currency, -d.sign * j.amount_minor, -d.sign * j.base_amount_minor
         FROM adjustment j JOIN docs d ON d.document_id = j.document_id
        WHERE j.company_id = $1 AND j.posting_date <= $2) s
     GROUP BY currency`,
    [ctx.companyId, asOf],
  );
  const { rows: gl } = await client.query<{ currency: string; gl_minor: number; gl_base: number }>(
    `SELECT l.currency, sum(l.amount_minor)::int8 AS gl_minor, sum(l.base_amount_minor)::int8 AS gl_base
       FROM journal_line l JOIN journal_entry e ON e.company_id = l.company_id AND e.entry_id = l.entry_id
      WHERE l.company_id = $1 AND l.account_code = $2 AND e.posting_date <= $3 GROUP BY l.currency`,
    [ctx.companyId, ctx.accounts.ar_control, asOf],
  );
  const { rows: un } = await client.query<{ sub_base: number; gl_base: number }>(
    `SELECT (SELECT coalesce(sum(base_amount_minor), 0)::int8 FROM receipt WHERE company_id = $1 AND receipt_date <= $3)
          - (SELECT coalesce(sum(source_base_minor), 0)::int8 FROM application
              WHERE company_id = $1 AND receipt_id IS NOT NULL AND posting_date <= $3) AS sub_base,
            (SELECT coalesce(-sum(l.base_amount_minor), 0)::int8 FROM journal_line l
               JOIN journal_entry e ON e.company_id = l.company_id AND e.entry_id = l.entry_id
              WHERE l.company_id = $1 AND l.account_code = $2 AND e.posting_date <= $3) AS gl_base`,
    [ctx.companyId, ctx.accounts.unapplied_cash, asOf],
  );
  return assemble(ar, gl, un[0]!);
}

function assemble(
  ar: { currency: string; sub_minor: number; sub_base: number }[],
  gl: { currency: string; gl_minor: number; gl_base: number }[],
  un: { sub_base: number; gl_base: number },
): TieOut {
  const currencies = new Set([...ar.map((r) => r.currency.trim()), ...gl.map((r) => r.currency.trim())]);
  const arByCurrency = [...currencies].sort().map((currency) => {
    const subledgerMinor = Number(ar.find((r) => r.currency.trim() === currency)?.sub_minor ?? 0);
    const glMinor = Number(gl.find((r) => r.currency.trim() === currency)?.gl_minor ?? 0);
    return { currency, subledgerMinor, glMinor, differenceMinor: subledgerMinor - glMinor };
  });
  const subBase = ar.reduce((s, r) => s + Number(r.sub_base), 0);
  // The AR control account also carries base-only FX lines? No: FX goes to its own account.
  const glBase = gl.reduce((s, r) => s + Number(r.gl_base), 0);
  const arBase = { subledgerMinor: subBase, glMinor: glBase, differenceMinor: subBase - glBase };
  const unappliedBase = {
    subledgerMinor: Number(un.sub_base),
    glMinor: Number(un.gl_base),
    differenceMinor: Number(un.sub_base) - Number(un.gl_base),
  };
  const tied =
    arBase.differenceMinor === 0 &&
    unappliedBase.differenceMinor === 0 &&
    arByCurrency.every((l) => l.differenceMinor === 0);
  return { arBase, unappliedBase, arByCurrency, tied };
}

export interface InvariantViolation {
  rule: string;
  detail: string;
}

/**
 * Recomputes every cached balance from the append-only history and reports disagreements:
 * document open = amount − applications − adjustments; receipt unapplied/on-account = amount −
 * what left it; every journal entry balances; and the subledger ties to the GL.
 */
export async function checkInvariants(client: SqlClient, ctx: CompanyContext): Promise<InvariantViolation[]> {
  const violations: InvariantViolation[] = [];
  const { rows: docs } = await client.query<{
    document_number: string;
    open_minor: number;
    expected: number;
  }>(
    `SELECT d.document_number, d.open_minor,
            (d.amount_minor - coalesce(a.applied, 0) - coalesce(c.credited, 0) - coalesce(j.adjusted, 0))::int8 AS expected
       FROM document d
       LEFT JOIN (SELECT document_id, sum(applied_minor) AS applied FROM application
                   WHERE company_id = $1 AND document_id IS NOT NULL GROUP BY document_id) a USING (document_id)
       LEFT JOIN (SELECT credit_document_id AS document_id, sum(cash_minor) AS credited FROM application
                   WHERE company_id = $1 AND credit_document_id IS NOT NULL GROUP BY credit_document_id) c USING (document_id)
       LEFT JOIN (SELECT document_id, sum(amount_minor) AS adjusted FROM adjustment
                   WHERE company_id = $1 GROUP BY document_id) j USING (document_id)
      WHERE d.company_id = $1
        AND d.open_minor <> d.amount_minor - coalesce(a.applied, 0) - coalesce(c.credited, 0) - coalesce(j.adjusted, 0)
      LIMIT 20`,
    [ctx.companyId],
  );
  for (const d of docs)
    violations.push({
      rule: 'document-open-balance',
      detail: `${d.document_number}: open ${d.open_minor}, history says ${d.expected}`,
    });

  const { rows: receipts } = await client.query<{
    receipt_key: string;
    unapplied_minor: number;
    on_account_minor: number;
    exp_unapplied: number;
    exp_on_account: number;
  }>(
    `SELECT r.receipt_key, r.unapplied_minor, r.on_account_minor,
            (r.amount_minor - coalesce(a.cash, 0))::int8 AS exp_unapplied, coalesce(a.on_account, 0)::int8 AS exp_on_account
       FROM receipt r
       LEFT JOIN (SELECT receipt_id, sum(cash_minor) AS cash,
                         sum(CASE WHEN kind = 'on_account' THEN cash_minor ELSE 0 END) AS on_account
                    FROM application WHERE company_id = $1 AND receipt_id IS NOT NULL GROUP BY receipt_id) a USING (receipt_id)
      WHERE r.company_id = $1
        AND (r.unapplied_minor <> r.amount_minor - coalesce(a.cash, 0) OR r.on_account_minor <> coalesce(a.on_account, 0))
      LIMIT 20`,
    [ctx.companyId],
  );
  for (const r of receipts) {
    violations.push({
      rule: 'receipt-balance',
      detail: `${r.receipt_key}: unapplied ${r.unapplied_minor} (history ${r.exp_unapplied}), on account ${r.on_account_minor} (history ${r.exp_on_account})`,
    });
  }

  const { rows: unbalanced } = await client.query<{ entry_id: string; total: number }>(
    `SELECT entry_id, sum(base_amount_minor)::int8 AS total FROM journal_line WHERE company_id = $1
      GROUP BY entry_id HAVING sum(base_amount_minor) <> 0 LIMIT 20`,
    [ctx.companyId],
  );
  for (const e of unbalanced)
    violations.push({ rule: 'entry-balances', detail: `entry ${e.entry_id} is off by ${e.total}` });

  const tie = await tieOut(client, ctx);
  if (!tie.tied) violations.push({ rule: 'subledger-ties-to-gl', detail: JSON.stringify(tie) });
  return violations;
}
