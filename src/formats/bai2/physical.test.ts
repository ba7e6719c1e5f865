import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors.js';
import { LineSplitter, type LineSplitterOptions } from './physical.js';
import { findRecordCut, findRecordEnd } from './records.js';

function split(parts: string[], options: Partial<LineSplitterOptions> = {}): [string, number][] {
  const lines: [string, number][] = [];
  const splitter = new LineSplitter({
    fileName: 'f',
    onLine: (text, n) => lines.push([text, n]),
    ...options,
  });
  for (const part of parts) splitter.push(part);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits LF, CRLF and CR-only text with line numbers, across chunk boundaries', () => {
    expect(split(['a\r\nb', 'b\nc'])).toEqual([
      ['a', 1],
      ['bb', 2],
      ['c', 3],
    ]);
    expect(split(['x\ry\r'])).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
    expect(split(['a\r', '\nb'])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('removes a UTF-8 byte-order mark read as latin1', () => {
    expect(split(['\u00ef\u00bb\u00bfhead\n'])).toEqual([['head', 1]]);
  });

  it('cuts fixed-width records when the head says so', () => {
    const lines = split(['AAAABBBB', 'CCCCDD'], { detectFixedWidth: () => 4 });
    expect(lines.map(([t]) => t)).toEqual(['AAAA', 'BBBB', 'CCCC', 'DD']);
  });

  it('cuts an over-long line at record boundaries and keeps its line number', () => {
    const records = Array.from({ length: 400 }, (_, i) => `16,142,${i},Z,,,TEXT/`).join(' ');
    const lines = split([records, '\n49,1,2/\n'], { maxLineChars: 100, findCut: findRecordCut });
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(0, -1).every(([, n]) => n === 1)).toBe(true);
    expect(lines.at(-1)).toEqual(['49,1,2/', 2]);
    expect(
      lines
        .slice(0, -1)
        .map(([t]) => t)
        .join(''),
    ).toBe(records);
  });

  it('throws a ParseError for an over-long line without a boundary', () => {
    expect(() => split(['x'.repeat(5000)], { maxLineChars: 100, findCut: findRecordCut })).toThrow(
      ParseError,
    );
  });
});

describe('record boundaries', () => {
  it('ends a record at "/" followed by end of line or another record code only', () => {
    expect(findRecordEnd('16,1,2,Z,,,A/B/ 88,X', 3)).toBe(14);
    expect(findRecordEnd('16,1,2,Z,,,DATED 13/05/24', 3)).toBe(-1);
    expect(findRecordEnd('49,1,2/  ', 3)).toBe(6);
    expect(findRecordEnd('16,1,2,Z,,,A/16X', 3)).toBe(-1);
  });
});
