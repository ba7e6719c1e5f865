import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { columnSources, FieldReader } from './fields.js';
import { DEFAULT_MAPPING, ImportMappingSchema } from './mapping.js';
import { readRowBatches, readRows } from './reader.js';

const tmp = mkdtempSync(join(tmpdir(), 'openar-reader-'));
const write = (name: string, text: string) => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

async function both(path: string, mapping = DEFAULT_MAPPING) {
  const rows: { line: number; values: Record<string, string> }[] = [];
  for await (const row of readRows(path, mapping)) rows.push(row);
  const batched: { line: number; values: Record<string, string> }[] = [];
  for await (const batch of readRowBatches(path, mapping)) {
    batch.records.forEach((record, i) => {
      const values: Record<string, string> = {};
      batch.header.forEach((h, j) => {
        values[h] = record[j] ?? '';
      });
      batched.push({ line: batch.lines[i]!, values });
    });
  }
  return { rows, batched };
}

describe('the batched CSV reader', () => {
  it('numbers lines and reads fields exactly as the row reader does', async () => {
    const path = write(
      'tricky.csv',
      [
        '\uFEFFInvoice_Number , Amount,Description',
        'A-1,10.00,plain',
        '',
        '  A-2 ,"1,234.50","quoted, with comma"',
        'A-3,5,"two',
        'lines"',
        'A-4,6',
        'A-5,7,"a ""quote"" inside",extra',
      ].join('\r\n'),
    );
    const { rows, batched } = await both(path);
    expect(batched).toEqual(rows);
    expect(rows.map((r) => r.line).slice(0, 2)).toEqual([2, 4]);
    expect(rows).toHaveLength(5);
    expect(rows[1]!.values).toEqual({
      invoice_number: 'A-2',
      amount: '1,234.50',
      description: 'quoted, with comma',
    });
  });

  it('skips rows before the header and splits on another delimiter', async () => {
    const mapping = ImportMappingSchema.parse({ skip_rows: 2, delimiter: ';' });
    const path = write(
      'skip.csv',
      ['report of invoices', 'exported today', 'beleg;betrag', 'M-1;1,5', 'M-2;2'].join('\n'),
    );
    const { rows, batched } = await both(path, mapping);
    expect(batched).toEqual(rows);
    expect(rows.map((r) => r.line)).toEqual([4, 5]);
  });

  it('fails on a quote left open, as the row reader does', async () => {
    const path = write('open-quote.csv', 'a,b\n1,"2\n3,4\n');
    const drain = async (iterable: AsyncIterable<unknown>) => {
      for await (const _ of iterable);
    };
    const expected = await drain(readRows(path, DEFAULT_MAPPING)).catch((e: Error) => e.message);
    expect(expected).toMatch(/Quote Not Closed/);
    await expect(drain(readRowBatches(path, DEFAULT_MAPPING))).rejects.toThrow(expected as string);
  });
});

describe('reading cells through a mapping', () => {
  it('reads mapped columns, constants, and the last of a repeated header', () => {
    const mapping = ImportMappingSchema.parse({
      columns: { invoice_number: 'beleg', amount: 'missing' },
      constants: { currency: 'EUR' },
    });
    const sources = columnSources(['beleg', 'note', 'note'], mapping);
    const reader = new FieldReader('f.csv', sources, mapping);
    reader.reset(7, [' M-1 ', 'first', 'second']);
    expect(reader.raw('invoice_number')).toBe('M-1');
    expect(reader.raw('amount')).toBe('');
    expect(reader.raw('currency')).toBe('EUR');
    expect(reader.raw('note')).toBe('second');
    expect(reader.raw('beleg')).toBe('M-1');
    expect(reader.text('customer_id', { required: true })).toBeNull();
    expect(reader.errors).toEqual([{ file: 'f.csv', line: 7, column: 'customer_id', expected: 'a value' }]);
    reader.reset(8, ['M-2']);
    expect(reader.errors).toEqual([]);
    expect(reader.raw('note')).toBe('');
  });
});
