import type { CompanyContext } from '../ledger/index.js';
import { formatMinor, minorUnitExponent } from '../money/index.js';
import type { SqlClient } from '../store/client.js';

/**
 * What people look at: the queue of receipts that need a person, one row per application for
 * export, and how well cash application does. These are reporting reads across the ledger's,
 * banking's and disputes' tables (read only; every write goes through the owning module).
 */

const money = (minor: number, currency: string) => formatMinor(minor, minorUnitExponent(currency));

interface StoredLine {
  kind: string;
  invoice_number: string | null;
  credit_number: string | null;
  cash_minor: number;
  discount_minor: number;
  write_off_minor: number;
  deduction_minor: number;
  amount_minor: number;
}

interface StoredProposal {
  rank: number;
  confidence: number;
  scenario: string;
  customer_number: string | null;
  lines: StoredLine[];
  reasons: string[];
}

/** A proposal's lines as rows of the export's kinds (payment, discount, write_off, deduction, on_account, credit_memo). */
export function expandLines(lines: readonly StoredLine[], currency: string) {
  const out: { invoice_number: string | null; amount: string; kind: string }[] = [];
  for (const l of lines) {
    if (l.kind === 'on_account')
      out.push({ invoice_number: null, amount: money(l.amount_minor, currency), kind: 'on_account' });
    else if (l.kind === 'credit_memo')
      out.push({
        invoice_number: l.invoice_number,
        amount: money(l.amount_minor, currency),
        kind: 'credit_memo',
      });
    else {
      const parts: [string, number][] = [
        ['payment', l.cash_minor],
        ['discount', l.discount_minor],
        ['write_off', l.write_off_minor],
        ['deduction', l.deduction_minor],
      ];
      for (const [kind, minor] of parts)
        if (minor > 0) out.push({ invoice_number: l.invoice_number, amount: money(minor, currency), kind });
    }
  }
  return out;
}

export interface QueueItem {
  receipt_id: string;
  receipt_key: string;
  bank_reference: string | null;
  end_to_end_id: string | null;
  receipt_date: string;
  amount: string;
  currency: string;
  payer_name: string | null;
  customer_number: string | null;
  status: 'proposed' | 'unapplied';
  confidence: number | null;
  reasons: string[];
  suggestions: {
    rank: number;
    score: number;
    customer_number: string | null;
    scenario: string;
    lines: ReturnType<typeof expandLines>;
    reasons: string[];
  }[];
}

export async function cashappQueue(
  client: SqlClient,
  ctx: CompanyContext,
  limit = 100_000,
): Promise<QueueItem[]> {
  const { rows } = await client.query<{
    receipt_id: string;
    receipt_key: string;
    bank_reference: string | null;
    end_to_end_id: string | null;
    receipt_date: string;
    unapplied_minor: number;
    currency: string;
    payer_name: string | null;
    customer_number: string | null;
    guessed_number: string | null;
    outcome: string | null;
    confidence: string | null;
    reasons: string[] | null;
    suggestions: StoredProposal[] | null;
  }>(
    `SELECT r.receipt_id, r.receipt_key, b.bank_reference, b.end_to_end_id, r.receipt_date, r.unapplied_minor, r.currency,
            r.payer_name, c.customer_number, g.customer_number AS guessed_number, d.outcome, d.confidence::text AS confidence,
            d.reasons, d.suggestions
       FROM receipt r
       LEFT JOIN bank_entry b ON b.company_id = r.company_id AND b.bank_entry_id = r.bank_entry_id
       LEFT JOIN customer c ON c.company_id = r.company_id AND c.customer_id = r.customer_id
       LEFT JOIN LATERAL (
         SELECT outcome, confidence, reasons, suggestions, customer_id FROM cashapp_decision x
          WHERE x.company_id = r.company_id AND x.receipt_id = r.receipt_id AND x.run_id IS NOT NULL AND x.outcome <> 'reverted'
          ORDER BY x.decision_id DESC LIMIT 1) d ON true
       LEFT JOIN customer g ON g.company_id = r.company_id AND g.customer_id = d.customer_id
      WHERE r.company_id = $1 AND r.unapplied_minor > 0
      ORDER BY r.unapplied_minor DESC, r.receipt_id
      LIMIT $2`,
    [ctx.companyId, limit],
  );
  return rows.map((r) => {
    const currency = r.currency.trim();
    return {
      receipt_id: r.receipt_id,
      receipt_key: r.receipt_key,
      bank_reference: r.bank_reference,
      end_to_end_id: r.end_to_end_id,
      receipt_date: r.receipt_date,
      amount: money(r.unapplied_minor, currency),
      currency,
      payer_name: r.payer_name,
      customer_number: r.customer_number ?? r.guessed_number,
      status: r.outcome === 'proposed' ? 'proposed' : 'unapplied',
      confidence: r.confidence === null ? null : Number(r.confidence),
      reasons: r.reasons ?? [],
      suggestions: (r.suggestions ?? []).map((s) => ({
        rank: s.rank,
        score: s.confidence,
        customer_number: s.customer_number,
        scenario: s.scenario,
        lines: expandLines(s.lines, currency),
        reasons: s.reasons,
      })),
    };
  });
}

export interface ApplicationRow {
  bank_reference: string | null;
  end_to_end_id: string | null;
  receipt_id: string | null;
  customer_id: string | null;
  customer_number: string | null;
  invoice_number: string | null;
  amount: string;
  currency: string;
  kind: string;
  confidence: number | null;
  mode: 'auto' | 'manual';
  posting_date: string | null;
}

export const APPLICATION_COLUMNS: (keyof ApplicationRow)[] = [
  'bank_reference',
  'end_to_end_id',
  'receipt_id',
  'customer_id',
  'customer_number',
  'invoice_number',
  'amount',
  'currency',
  'kind',
  'confidence',
  'mode',
  'posting_date',
];

/** One row per live application part, open deduction and unapplied remainder. */
export async function exportApplications(client: SqlClient, ctx: CompanyContext): Promise<ApplicationRow[]> {
  const { rows } = await client.query<{
    bank_reference: string | null;
    end_to_end_id: string | null;
    receipt_id: string | null;
    customer_id: string | null;
    customer_number: string | null;
    invoice_number: string | null;
    amount_minor: number;
    currency: string;
    kind: string;
    confidence: string | null;
    origin: string;
    posting_date: string | null;
  }>(
    `WITH live AS (
       SELECT a.* FROM application a
        WHERE a.company_id = $1 AND a.reverses_application_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM application x WHERE x.company_id = $1 AND x.reverses_application_id = a.application_id)
     ), parts AS (
       SELECT l.receipt_id, l.document_id, l.credit_document_id, l.currency, l.confidence, l.origin, l.posting_date, p.kind, p.amount_minor
         FROM live l
        CROSS JOIN LATERAL (VALUES
          (CASE l.kind WHEN 'payment' THEN 'payment' WHEN 'on_account' THEN 'on_account' ELSE 'credit_memo' END,
           CASE l.kind WHEN 'payment' THEN l.cash_minor ELSE l.applied_minor END),
          ('discount', l.discount_minor),
          ('write_off', l.write_off_minor)) AS p(kind, amount_minor)
        WHERE p.amount_minor > 0
       UNION ALL
       SELECT d.receipt_id, d.document_id, NULL, d.currency, NULL, CASE WHEN d.run_id IS NULL THEN 'manual' ELSE 'cashapp' END,
              NULL, 'deduction', d.amount_minor
         FROM deduction d WHERE d.company_id = $1 AND d.status <> 'cancelled'
       UNION ALL
       SELECT r.receipt_id, NULL, NULL, r.currency, NULL, 'cashapp', NULL, 'unapplied', r.unapplied_minor
         FROM receipt r WHERE r.company_id = $1 AND r.unapplied_minor > 0
     )
     SELECT b.bank_reference, b.end_to_end_id, p.receipt_id, coalesce(r.customer_id, doc.customer_id) AS customer_id,
            c.customer_number, doc.document_number AS invoice_number, p.amount_minor, p.currency, p.kind,
            p.confidence::text AS confidence, p.origin, p.posting_date
       FROM parts p
       LEFT JOIN receipt r ON r.company_id = $1 AND r.receipt_id = p.receipt_id
       LEFT JOIN bank_entry b ON b.company_id = $1 AND b.bank_entry_id = r.bank_entry_id
       LEFT JOIN document doc ON doc.company_id = $1 AND doc.document_id = p.document_id
       LEFT JOIN customer c ON c.company_id = $1 AND c.customer_id = coalesce(r.customer_id, doc.customer_id)
      ORDER BY p.receipt_id NULLS LAST, p.kind, doc.document_number`,
    [ctx.companyId],
  );
  return rows.map((r) => {
    const currency = r.currency.trim();
    return {
      bank_reference: r.bank_reference,
      end_to_end_id: r.end_to_end_id,
      receipt_id: r.receipt_id,
      customer_id: r.customer_id,
      customer_number: r.customer_number,
      invoice_number: r.invoice_number,
      amount: money(r.amount_minor, currency),
      currency,
      kind: r.kind,
      confidence: r.confidence === null ? null : Number(r.confidence),
      mode: r.origin === 'cashapp' ? 'auto' : 'manual',
      posting_date: r.posting_date,
    };
  });
}

export interface StatsRow {
  group: string;
  receipts: number;
  identified: number;
  straightThrough: number;
  lineItemRight: number;
  corrected: number;
  proposed: number;
  unapplied: number;
}

/**
 * How cash application did, from its own history: a receipt's first automatic decision against
 * what people did afterwards. Straight-through = posted automatically and never corrected;
 * wrong = posted automatically and later corrected by hand; line-item right = straight-through,
 * or proposed and accepted unchanged; identified = the payer was known or found.
 */
export async function cashappStats(
  client: SqlClient,
  ctx: CompanyContext,
  by: 'source' | 'scenario' | 'customer' | 'all',
): Promise<StatsRow[]> {
  const { rows } = await client.query<{
    receipt_id: string;
    outcome: string;
    scenario: string | null;
    source: string | null;
    customer_number: string | null;
    customer_id: string | null;
    accepted_rank: number | null;
    run_id: string | null;
  }>(
    `SELECT d.receipt_id, d.outcome, d.scenario, d.source, c.customer_number, coalesce(d.customer_id, r.customer_id) AS customer_id,
            d.accepted_rank, d.run_id
       FROM cashapp_decision d
       JOIN receipt r ON r.company_id = d.company_id AND r.receipt_id = d.receipt_id
       LEFT JOIN customer c ON c.company_id = d.company_id AND c.customer_id = coalesce(d.customer_id, r.customer_id)
      WHERE d.company_id = $1
      ORDER BY d.receipt_id, d.decision_id`,
    [ctx.companyId],
  );
  const perReceipt = new Map<string, typeof rows>();
  for (const r of rows) perReceipt.set(r.receipt_id, [...(perReceipt.get(r.receipt_id) ?? []), r]);
  const groups = new Map<string, StatsRow>();
  for (const history of perReceipt.values()) {
    const first = history.find(
      (h) => h.run_id !== null && ['auto', 'proposed', 'unapplied'].includes(h.outcome),
    );
    if (!first) continue;
    const manual = history.filter((h) => h.outcome === 'manual');
    const lastManual = manual[manual.length - 1];
    const key =
      by === 'source'
        ? (first.source ?? 'unknown')
        : by === 'scenario'
          ? (first.scenario ?? 'none')
          : by === 'customer'
            ? (history.at(-1)!.customer_number ?? '(unidentified)')
            : 'all';
    const g = groups.get(key) ?? {
      group: key,
      receipts: 0,
      identified: 0,
      straightThrough: 0,
      lineItemRight: 0,
      corrected: 0,
      proposed: 0,
      unapplied: 0,
    };
    groups.set(key, g);
    g.receipts++;
    if (history.some((h) => h.customer_id !== null)) g.identified++;
    const auto = first.outcome === 'auto';
    if (auto && manual.length === 0) g.straightThrough++;
    if (auto && manual.length > 0) g.corrected++;
    if ((auto && manual.length === 0) || (first.outcome === 'proposed' && lastManual?.accepted_rank === 1))
      g.lineItemRight++;
    if (first.outcome === 'proposed') g.proposed++;
    if (first.outcome === 'unapplied') g.unapplied++;
  }
  return [...groups.values()].sort((a, b) => b.receipts - a.receipts);
}
