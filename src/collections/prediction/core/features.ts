import { invariant } from './errors.js';

/**
 * Payment-behaviour features of an invoice at a point in time T, from the customer's history before
 * T only (so a model trained on invoices as they were issued never sees its own outcome). The
 * ledger's SQL (../features.ts) sums the history; this file turns the sums into the model's inputs
 * and into sentences a collector can read.
 *
 * Averages are shrunk towards the company's (the priors) by SHRINK invoices' worth of weight, so a
 * customer with one late invoice is not treated as a habitual late payer.
 */

/** The sums of a customer's history before T, and the invoice's own facts. */
export interface HistoryFacts {
  /** Documents of the customer fully settled before T. */
  paidCount: number;
  /** Their days late (settled date − due date, capped to [−60, 180]), summed. */
  daysLateSum: number;
  /** How many of them were settled after due date + grace. */
  lateCount: number;
  /** The same for documents settled in the RECENT_DAYS before T. */
  recentPaidCount: number;
  recentDaysLateSum: number;
  /** Documents issued before T and their base amounts. */
  issuedCount: number;
  issuedBaseMinor: number;
  /** Base amount issued before T and not settled before T. */
  openBaseMinor: number;
  /** Documents past due + grace and unsettled at T. */
  overdueCount: number;
  /** Days since the customer's first document (0: none before T). */
  tenureDays: number;
  /** This document. */
  amountBaseMinor: number;
  termsDays: number;
}

/** The company's own averages (over the training history), towards which customers are shrunk. */
export interface Priors {
  daysLate: number;
  lateShare: number;
}

export const SHRINK = 3;
export const RECENT_DAYS = 90;
export const DAYS_LATE_FLOOR = -60;
export const DAYS_LATE_CAP = 180;

export const FEATURES = [
  'avg_days_late',
  'raw_days_late',
  'late_share',
  'trend_days',
  'paid_history',
  'size_vs_usual',
  'open_vs_usual',
  'overdue_documents',
  'tenure',
  'terms',
  'no_history',
] as const;
export type FeatureName = (typeof FEATURES)[number];

/**
 * What a customer's history says, in the units a person reads (before any log transform). The
 * model sees the shrunk averages; sentences quote the customer's own (raw) figures.
 */
export interface Behaviour {
  paidCount: number;
  avgDaysLate: number;
  rawDaysLate: number;
  /** The customer's own share paid late (0 with no history). */
  rawLateShare: number;
  lateShare: number;
  trendDays: number;
  usualBaseMinor: number;
  sizeRatio: number;
  openRatio: number;
  overdueCount: number;
  tenureDays: number;
  termsDays: number;
}

export function behaviourOf(h: HistoryFacts, priors: Priors): Behaviour {
  for (const [key, value] of Object.entries(h))
    invariant(Number.isFinite(value), 'bad-history', `${key} is not a number: ${value}`);
  invariant(h.paidCount >= 0 && h.recentPaidCount <= h.paidCount, 'bad-history', 'inconsistent paid counts');
  const avgDaysLate = (h.daysLateSum + SHRINK * priors.daysLate) / (h.paidCount + SHRINK);
  const lateShare = (h.lateCount + SHRINK * priors.lateShare) / (h.paidCount + SHRINK);
  const recent = (h.recentDaysLateSum + SHRINK * avgDaysLate) / (h.recentPaidCount + SHRINK);
  const usualBaseMinor =
    h.issuedCount > 0 ? h.issuedBaseMinor / h.issuedCount : Math.max(h.amountBaseMinor, 1);
  return {
    paidCount: h.paidCount,
    avgDaysLate,
    rawDaysLate: h.paidCount > 0 ? h.daysLateSum / h.paidCount : priors.daysLate,
    rawLateShare: h.paidCount > 0 ? h.lateCount / h.paidCount : 0,
    lateShare,
    trendDays: recent - avgDaysLate,
    usualBaseMinor,
    sizeRatio: h.issuedCount > 0 && usualBaseMinor > 0 ? h.amountBaseMinor / usualBaseMinor : 1,
    openRatio: usualBaseMinor > 0 ? Math.max(0, h.openBaseMinor) / usualBaseMinor : 0,
    overdueCount: Math.max(0, h.overdueCount),
    tenureDays: Math.max(0, h.tenureDays),
    termsDays: h.termsDays,
  };
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The model's inputs, in FEATURES order. */
export function featureVector(b: Behaviour): number[] {
  return [
    b.avgDaysLate,
    b.rawDaysLate,
    b.lateShare,
    clamp(b.trendDays, -60, 60),
    Math.log1p(b.paidCount),
    clamp(Math.log(Math.max(b.sizeRatio, 1e-6)), -4, 4),
    Math.log1p(b.openRatio),
    Math.log1p(b.overdueCount),
    Math.log1p(b.tenureDays / 30),
    clamp(b.termsDays, -365, 3650) / 30,
    b.paidCount === 0 ? 1 : 0,
  ];
}

const days = (n: number) => `${Math.round(Math.abs(n))} day${Math.round(Math.abs(n)) === 1 ? '' : 's'}`;

/** One feature's value as a sentence about the customer or invoice. */
export function describeFeature(name: FeatureName, b: Behaviour): string {
  switch (name) {
    case 'avg_days_late':
      if (b.paidCount === 0)
        return `no paid invoices yet: company average of ${Math.round(b.avgDaysLate)} days late assumed`;
      return `pays ${days(b.rawDaysLate)} ${b.rawDaysLate <= -0.5 ? 'early' : 'late'} on average (${b.paidCount} paid)`;
    case 'raw_days_late':
      return b.paidCount === 0
        ? `no paid invoices yet: company average of ${Math.round(b.rawDaysLate)} days late assumed`
        : `pays ${days(b.rawDaysLate)} ${b.rawDaysLate <= -0.5 ? 'early' : 'late'} on average (${b.paidCount} paid)`;
    case 'late_share':
      return b.paidCount === 0
        ? `company average: ${Math.round(b.lateShare * 100)}% paid late`
        : `${Math.round(b.rawLateShare * 100)}% of ${b.paidCount} paid invoices late`;
    case 'trend_days':
      return Math.abs(b.trendDays) < 0.5
        ? 'paying as usual lately'
        : `paying ${days(b.trendDays)} ${b.trendDays > 0 ? 'later' : 'earlier'} lately than usual`;
    case 'paid_history':
      return `${b.paidCount} paid invoice${b.paidCount === 1 ? '' : 's'} on record`;
    case 'size_vs_usual':
      return `invoice ${b.sizeRatio.toFixed(1)}× the customer's usual size`;
    case 'open_vs_usual':
      return `open balance ${b.openRatio.toFixed(1)}× a usual invoice`;
    case 'overdue_documents':
      return `${b.overdueCount} invoice${b.overdueCount === 1 ? '' : 's'} already overdue`;
    case 'tenure':
      return b.tenureDays === 0 ? 'new customer' : `customer for ${Math.round(b.tenureDays / 30.44)} months`;
    case 'terms':
      return `${b.termsDays}-day terms`;
    case 'no_history':
      return b.paidCount === 0 ? 'no payment history' : 'has payment history';
  }
}
