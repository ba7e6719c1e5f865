import { describe, expect, it } from 'vitest';
import {
  bucketIndex,
  bucketsOf,
  CollectionsError,
  cei,
  computeMetrics,
  countbackDays,
  dso,
  lowerBounds,
  monthsInPeriod,
  NO_PAYMENTS,
  parseThresholds,
  periodOf,
  trendPeriods,
} from '../../src/collections/index.js';

/** The worked examples of docs/metrics.md, figure for figure. */
describe('metrics: the worked examples of docs/metrics.md', () => {
  it('DSO, Best Possible DSO and ADD (CRF Performance Measures example: 4.6M AR, 9M sales, 90 days)', () => {
    expect(dso(4_600_000, 9_000_000, 90)).toBeCloseTo(46.0, 10);
    expect(dso(2_070_000, 9_000_000, 90)).toBeCloseTo(20.7, 10);
    const m = computeMetrics(
      { from: '2026-01-01', to: '2026-03-31', days: 90, months: 3 },
      {
        arBeginMinor: 4_600_000,
        arEndMinor: 4_600_000,
        currentEndMinor: 2_070_000,
        over90EndMinor: 0,
        creditSalesMinor: 9_000_000,
        payments: NO_PAYMENTS,
        dsoCountback: null,
      },
      'crf',
    );
    expect(m.dso).toBeCloseTo(46.0, 10);
    expect(m.best_possible_dso).toBeCloseTo(20.7, 10);
    expect(m.add).toBeCloseTo(25.3, 10);
    expect(m.percent_current).toBeCloseTo(45.0, 10);
    expect(m.percent_past_due).toBeCloseTo(55.0, 10);
  });

  it('CEI, CRF convention: the three-month sample (sales 10,890, AR 6,200 → 6,340, current 3,590) is 55.9', () => {
    const value = cei(6_200, 10_890, 6_340, 3_590, 3, 'crf');
    expect(value).toBeCloseTo((3_490 / 6_240) * 100, 10);
    expect(value!.toFixed(1)).toBe('55.9');
    // The same figures under the total-sales convention.
    expect(cei(6_200, 10_890, 6_340, 3_590, 3, 'total_sales')!.toFixed(2)).toBe('79.63');
  });

  it('CEI, total-sales convention: the quarter (400,000 + 1,200,000 − 350,000 over … − 280,000) is 94.7', () => {
    expect(cei(400_000, 1_200_000, 350_000, 280_000, 3, 'total_sales')!.toFixed(1)).toBe('94.7');
    // The CRF convention divides the quarter's sales by its three months.
    expect(cei(400_000, 1_200_000, 350_000, 280_000, 3, 'crf')!.toFixed(2)).toBe('86.54');
    // One month: both conventions agree (71.43).
    expect(cei(10_000_000, 3_000_000, 8_000_000, 6_000_000, 1, 'crf')!.toFixed(2)).toBe('71.43');
    expect(cei(10_000_000, 3_000_000, 8_000_000, 6_000_000, 1, 'total_sales')!.toFixed(2)).toBe('71.43');
  });

  it('countback DSO: AR 2,000 at 31 January against 200, 400, 600, 700, 500 is 129 days', () => {
    const months = [
      { start: '2020-01-01', end: '2020-01-31', salesMinor: 200 },
      { start: '2019-12-01', end: '2019-12-31', salesMinor: 400 },
      { start: '2019-11-01', end: '2019-11-30', salesMinor: 600 },
      { start: '2019-10-01', end: '2019-10-31', salesMinor: 700 },
      { start: '2019-09-01', end: '2019-09-30', salesMinor: 500 },
    ];
    expect(countbackDays(2_000, months)).toBeCloseTo(129, 10);
    // Exactly one month of sales outstanding is that month's days; nothing outstanding is zero.
    expect(countbackDays(200, months)).toBeCloseTo(31, 10);
    expect(countbackDays(0, months)).toBe(0);
    // Beyond the months given, what is left counts at their average daily sales.
    expect(countbackDays(2_500, months)).toBeCloseTo(153 + 100 / (2_400 / 153), 10);
    expect(countbackDays(100, [{ start: '2020-01-01', end: '2020-01-31', salesMinor: 0 }])).toBeNull();
  });

  it('AR turnover: 800,000 credit sales over an average AR of 100,000 is 8 times', () => {
    const m = computeMetrics(
      { from: '2025-01-01', to: '2025-12-31', days: 365, months: 12 },
      {
        arBeginMinor: 95_000,
        arEndMinor: 105_000,
        currentEndMinor: 105_000,
        over90EndMinor: 0,
        creditSalesMinor: 800_000,
        payments: NO_PAYMENTS,
        dsoCountback: null,
      },
      'crf',
    );
    expect(m.ar_turnover).toBeCloseTo(8, 10);
    expect(m.ar_turnover_annualized).toBeCloseTo(8, 10);
  });

  it("openar's own example (docs/metrics.md): the March portfolio", () => {
    const m = computeMetrics(
      periodOf('2026-03-01', '2026-03-31'),
      {
        arBeginMinor: 1_600_00,
        arEndMinor: 2_600_00,
        currentEndMinor: 2_300_00,
        over90EndMinor: 0,
        creditSalesMinor: 2_300_00,
        payments: {
          count: 2,
          daysSum: 38 + 33,
          beyondSum: 8 + 3,
          weight: 1_300_00,
          daysWeighted: 1_000_00 * 38 + 300_00 * 33,
          beyondWeighted: 1_000_00 * 8 + 300_00 * 3,
        },
        dsoCountback: countbackDays(2_600_00, [
          { start: '2026-03-01', end: '2026-03-31', salesMinor: 2_300_00 },
          { start: '2026-02-01', end: '2026-02-28', salesMinor: 1_600_00 },
        ]),
      },
      'crf',
    );
    expect(m.dso).toBeCloseTo((2_600 / 2_300) * 31, 10);
    expect(m.dso_countback).toBeCloseTo(36.25, 10);
    expect(m.best_possible_dso).toBeCloseTo(31, 10);
    expect(m.cei).toBeCloseTo(81.25, 10);
    expect(m.percent_current).toBeCloseTo((2_300 / 2_600) * 100, 10);
    expect(m.ar_turnover).toBeCloseTo(2_300 / 2_100, 10);
    expect(m.average_days_to_pay).toBeCloseTo(35.5, 10);
    expect(m.weighted_days_to_pay).toBeCloseTo(47_900 / 1_300, 10);
    expect(m.average_days_beyond_terms).toBeCloseTo(5.5, 10);
    expect(m.weighted_days_beyond_terms).toBeCloseTo(8_900 / 1_300, 10);
  });

  it('gives null, not a number, where a denominator is zero', () => {
    const m = computeMetrics(
      periodOf('2026-03-01', '2026-03-31'),
      {
        arBeginMinor: 0,
        arEndMinor: 0,
        currentEndMinor: 0,
        over90EndMinor: 0,
        creditSalesMinor: 0,
        payments: NO_PAYMENTS,
        dsoCountback: 0,
      },
      'crf',
    );
    expect(m).toMatchObject({
      dso: null,
      best_possible_dso: null,
      add: null,
      cei: null,
      percent_current: null,
    });
    expect(m.average_days_to_pay).toBeNull();
  });

  it('counts months by the share of each calendar month in the period', () => {
    expect(monthsInPeriod('2026-01-01', '2026-03-31')).toBeCloseTo(3, 12);
    expect(monthsInPeriod('2026-02-01', '2026-02-28')).toBeCloseTo(1, 12);
    expect(monthsInPeriod('2026-01-01', '2026-01-15')).toBeCloseTo(15 / 31, 12);
    expect(monthsInPeriod('2026-01-16', '2026-02-14')).toBeCloseTo(16 / 31 + 14 / 28, 12);
    expect(periodOf('2024-01-01', '2024-12-31')).toMatchObject({ days: 366 });
    expect(() => periodOf('2026-02-01', '2026-01-31')).toThrow(CollectionsError);
  });

  it('cuts a trend at calendar month and quarter ends, part periods at either end', () => {
    expect(trendPeriods('2026-01-15', '2026-03-10', 'month')).toEqual([
      { from: '2026-01-15', to: '2026-01-31' },
      { from: '2026-02-01', to: '2026-02-28' },
      { from: '2026-03-01', to: '2026-03-10' },
    ]);
    expect(trendPeriods('2025-11-01', '2026-07-31', 'quarter')).toEqual([
      { from: '2025-11-01', to: '2025-12-31' },
      { from: '2026-01-01', to: '2026-03-31' },
      { from: '2026-04-01', to: '2026-06-30' },
      { from: '2026-07-01', to: '2026-07-31' },
    ]);
    expect(trendPeriods('2026-02-10', '2026-02-10', 'quarter')).toEqual([
      { from: '2026-02-10', to: '2026-02-10' },
    ]);
    expect(trendPeriods('2016-01-01', '2025-12-31', 'month')).toHaveLength(120);
    expect(() => trendPeriods('2016-01-01', '2026-01-01', 'month')).toThrow(/at most 120 periods/);
    expect(() => trendPeriods('2026-02-01', '2026-01-31', 'month')).toThrow(CollectionsError);
  });
});

describe('buckets', () => {
  it('labels and bounds the default due-date buckets', () => {
    const spec = { thresholds: [30, 60, 90, 120], basis: 'due' as const };
    expect(bucketsOf(spec).map((b) => b.label)).toEqual([
      'current',
      '1-30',
      '31-60',
      '61-90',
      '91-120',
      'over 120',
    ]);
    expect(lowerBounds(spec)).toEqual([1, 31, 61, 91, 121]);
    expect([-3, 0, 1, 30, 31, 60, 61, 90, 91, 120, 121, 999].map((d) => bucketIndex(d, spec))).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5,
    ]);
  });

  it('has no "current" bucket by invoice date', () => {
    const spec = { thresholds: [30, 60], basis: 'invoice' as const };
    expect(bucketsOf(spec).map((b) => b.label)).toEqual(['0-30', '31-60', 'over 60']);
    expect([0, 30, 31, 60, 61].map((d) => bucketIndex(d, spec))).toEqual([0, 0, 1, 1, 2]);
  });

  it('parses thresholds strictly', () => {
    expect(parseThresholds('30,60,90,120')).toEqual([30, 60, 90, 120]);
    expect(parseThresholds(' 7, 14 ')).toEqual([7, 14]);
    for (const bad of ['', '30,30', '60,30', '0,30', '30,x', '-1', '1.5'])
      expect(() => parseThresholds(bad)).toThrow(CollectionsError);
  });
});
