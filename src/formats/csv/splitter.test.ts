import { parse as csvParse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSplitter, CsvSyntaxError, type TextDecoding } from './splitter.js';

interface Record {
  cells: string[];
  line: number;
}

/** Splits `text` pushed in pieces of `size` characters, carrying unfinished records like the reader does. */
function split(
  text: string,
  delimiter = ',',
  size = text.length || 1,
  decoding: TextDecoding | null = null,
): Record[] {
  const records: Record[] = [];
  const splitter = new CsvSplitter(delimiter, (cells, line) => records.push({ cells, line }), '"', decoding);
  let carry = '';
  for (let i = 0; i < text.length; i += size) {
    const piece = carry + text.slice(i, i + size);
    carry = piece.slice(splitter.push(piece, false));
  }
  splitter.push(carry, true);
  return records;
}

describe('CsvSplitter', () => {
  it('splits plain lines on the delimiter (LF and CRLF)', () => {
    expect(split('a;b;c\r\n1;2;3\n', ';')).toEqual([
      { cells: ['a', 'b', 'c'], line: 1 },
      { cells: ['1', '2', '3'], line: 2 },
    ]);
  });

  it('reads a last line without a line break', () => {
    expect(split('a,b\n1,2')).toEqual([
      { cells: ['a', 'b'], line: 1 },
      { cells: ['1', '2'], line: 2 },
    ]);
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks', () => {
    const text =
      '"Date","Text","Amount"\n"2024-01-02","Smith, ""Bob""\nline two","-1,50"\n2024-01-03,plain,2\n';
    expect(split(text)).toEqual([
      { cells: ['Date', 'Text', 'Amount'], line: 1 },
      { cells: ['2024-01-02', 'Smith, "Bob"\nline two', '-1,50'], line: 2 },
      { cells: ['2024-01-03', 'plain', '2'], line: 4 },
    ]);
  });

  it('keeps a quote inside an unquoted field as a character', () => {
    expect(split('a,12" pipe,b\n')[0]?.cells).toEqual(['a', '12" pipe', 'b']);
  });

  it('gives the same records whatever the chunk size', () => {
    const text = 'h1;h2;h3\r\n"x;1";"y\r\nz";3\r\nplain;"";\r\n"a""b";c;d\r\n';
    const whole = split(text, ';');
    for (const size of [1, 2, 3, 5, 7, 11]) expect(split(text, ';', size)).toEqual(whole);
  });

  it('rejects text after a closing quote', () => {
    expect(() => split('a,"b"x,c\n')).toThrow(CsvSyntaxError);
    try {
      split('ok,ok\n"a" ,b\n');
    } catch (error) {
      expect((error as CsvSyntaxError).line).toBe(2);
    }
  });

  it('rejects an unterminated quoted field at the end of the input', () => {
    expect(() => split('a,b\n1,"open\n2,3\n')).toThrow(/closing quote/);
  });

  it('decodes only lines and fields with non-ASCII bytes', () => {
    const raw = Buffer.from('Name;Betrag\nMüller;1\n"Café";2\nplain;3\n', 'utf8').toString('latin1');
    const decoding: TextDecoding = {
      decodeRaw: (s) => Buffer.from(s, 'latin1').toString('utf8'),
      decodeRange: (text, start, end) => Buffer.from(text.slice(start, end), 'latin1').toString('utf8'),
    };
    const expected = ['Name', 'Müller', 'Café', 'plain'];
    expect(split(raw, ';', raw.length, decoding).map((r) => r.cells[0])).toEqual(expected);
    const records: string[] = [];
    new CsvSplitter(';', (cells) => records.push(cells[0]!), '"', decoding).push(
      raw,
      true,
      Buffer.from(raw, 'latin1'),
    );
    expect(records).toEqual(expected);
  });

  it('agrees with csv-parse on RFC 4180 files', () => {
    const field = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', ' ', '1', '.', '-') }),
      fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', ' ', 'é') }),
    );
    const row = fc.array(field, { minLength: 2, maxLength: 6 });
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 17 }),
        (rows, size) => {
          const width = rows[0]!.length;
          const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
          const quote = (f: string) => (/[,"\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f);
          const text = `${table.map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`;
          const expected = csvParse(text, { relax_column_count: true }) as string[][];
          expect(split(text, ',', size).map((r) => r.cells)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
