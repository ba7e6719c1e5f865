import { describe, expect, it } from 'vitest';
import {
  compileDateFormat,
  DATE_CONFLICT,
  DATE_INVALID,
  DATE_NEEDS_ORDER,
  type DateFormat,
  DateReader,
  monthFromName,
} from './dates.js';

function format(source: string): DateFormat {
  const compiled = compileDateFormat(source);
  if (typeof compiled === 'string') throw new Error(compiled);
  return compiled;
}

describe('DateReader without a format', () => {
  it('reads unambiguous shapes', () => {
    const reader = new DateReader();
    expect(reader.read('2024-03-05', null)).toBe('2024-03-05');
    expect(reader.read('2017-04-25T03:15:53', null)).toBe('2017-04-25');
    expect(reader.read('2024/03/05', null)).toBe('2024-03-05');
    expect(reader.read('20240305', null)).toBe('2024-03-05');
    expect(reader.read('05-Mar-2024', null)).toBe('2024-03-05');
    expect(reader.read('5 März 2024', null)).toBe('2024-03-05');
    expect(reader.read('Mar 5, 2024', null)).toBe('2024-03-05');
    expect(reader.read('5 févr. 2024', null)).toBe('2024-02-05');
    expect(reader.read('05/05/2024', null)).toBe('2024-05-05');
    expect(reader.order).toBeNull();
  });

  it('waits for the day/month order, then learns it from a value > 12', () => {
    const reader = new DateReader();
    expect(reader.read('05/03/2024', null)).toBe(DATE_NEEDS_ORDER);
    expect(reader.read('13/03/2024', null)).toBe('2024-03-13');
    expect(reader.order).toBe('DM');
    expect(reader.read('05/03/2024', null)).toBe('2024-03-05');
    expect(reader.read('03/13/2024', null)).toBe(DATE_CONFLICT);
  });

  it('reads dotted dates day-first without waiting', () => {
    const reader = new DateReader();
    expect(reader.read('05.03.2024', null)).toBe('2024-03-05');
    expect(reader.order).toBeNull();
  });

  it('learns month/day order from a second part > 12', () => {
    const reader = new DateReader();
    expect(reader.read('11/27/2013', null)).toBe('2013-11-27');
    expect(reader.order).toBe('MD');
    expect(reader.read('8/10/2016', null)).toBe('2016-08-10');
  });

  it('reads two-digit years with a 1970 pivot', () => {
    const reader = new DateReader();
    reader.order = 'DM';
    expect(reader.read('05/03/24', null)).toBe('2024-03-05');
    expect(reader.read('05/03/95', null)).toBe('1995-03-05');
  });

  it('rejects impossible and non-date values', () => {
    const reader = new DateReader();
    for (const bad of [
      '',
      'Posted Transactions',
      '2024-02-30',
      '2023-02-29',
      '32.01.2024',
      '13/13/2024',
      '2024-13-01',
      '1234',
      '5 Foo 2024',
      '05.03.2024x',
    ]) {
      expect(reader.read(bad, null), bad).toBe(DATE_INVALID);
    }
    expect(reader.read('2024-02-29', null)).toBe('2024-02-29');
  });

  it('picks the order under which a sequence is sorted', () => {
    expect(DateReader.orderFromSequence(['01/02/2024', '03/02/2024', '02/03/2024'])).toBe('DM');
    expect(DateReader.orderFromSequence(['02/01/2024', '02/03/2024', '03/02/2024'])).toBe('MD');
    expect(DateReader.orderFromSequence(['01/02/2024', '03/02/2024', '05/02/2024'])).toBeNull();
    expect(DateReader.orderFromSequence(['01/01/2024'])).toBeNull();
  });
});

describe('DateReader with a mapping format', () => {
  it('reads the listed formats', () => {
    const reader = new DateReader();
    expect(reader.read('05.03.2024', format('DD.MM.YYYY'))).toBe('2024-03-05');
    expect(reader.read('03/05/2024', format('MM/DD/YYYY'))).toBe('2024-03-05');
    expect(reader.read('3/5/2024', format('M/D/YYYY'))).toBe('2024-03-05');
    expect(reader.read('2024-03-05', format('YYYY-MM-DD'))).toBe('2024-03-05');
    expect(reader.read('05/03/24', format('DD/MM/YY'))).toBe('2024-03-05');
    expect(reader.read('20240305', format('YYYYMMDD'))).toBe('2024-03-05');
    expect(reader.read('050324', format('DDMMYY'))).toBe('2024-03-05');
    expect(reader.read('05-Mar-2024', format('DD-MMM-YYYY'))).toBe('2024-03-05');
  });

  it('rejects values in another format', () => {
    const reader = new DateReader();
    expect(reader.read('2024-03-05', format('DD.MM.YYYY'))).toBe(DATE_INVALID);
    expect(reader.read('05/03/2024', format('DD/MM/YY'))).toBe(DATE_INVALID);
    expect(reader.read('13/05/2024', format('MM/DD/YYYY'))).toBe(DATE_INVALID);
  });

  it('explains formats it cannot compile', () => {
    expect(compileDateFormat('DD.MM')).toMatch(/must contain D, M and Y/);
    expect(compileDateFormat('DD.MM.YYY')).toMatch(/YY or YYYY/);
    expect(compileDateFormat('DD.MM.YYYY HH:mm')).toMatch(/unexpected/);
    expect(compileDateFormat('DMYYYY')).toMatch(/fixed width/);
  });
});

describe('monthFromName', () => {
  it('knows English, German, Dutch, French and Spanish names', () => {
    expect(monthFromName('Okt')).toBe(10);
    expect(monthFromName('mrt')).toBe(3);
    expect(monthFromName('août')).toBe(8);
    expect(monthFromName('dic.')).toBe(12);
    expect(monthFromName('Mai')).toBe(5);
    expect(monthFromName('xyz')).toBe(0);
  });
});
