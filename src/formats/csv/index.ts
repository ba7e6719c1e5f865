/**
 * CSV and XLSX bank exports: any delimiter, quoted fields, BOM, UTF-8/Windows-1252/UTF-16; columns
 * recognized from the header in several languages or named by a saved mapping; locale amounts and dates;
 * preamble lines; running balances. See docs/formats/csv.md.
 */
import { ParseError } from '../errors.js';
import type { FormatParser, ParseOptions, ParseSink } from '../model.js';
import { parseCsv } from './csv.js';
import { type BankCsvMapping, loadMapping, MappingError, validateMapping } from './mapping.js';
import { isZip, sniffCsv } from './sniff.js';

export type { ColumnRole } from './columns.js';
export type { BankCsvMapping, ColumnRef, MappedRole, MappingValidation } from './mapping.js';
export { builtinMappingNames, loadMapping, MappingError, mappingsDir, validateMapping } from './mapping.js';

/** The mapping of `options.mapping`: a saved name or path, or an inline object; null when none. */
export async function resolveMapping(options: ParseOptions): Promise<BankCsvMapping | null> {
  const given = options.mapping;
  if (given === undefined || given === null) return null;
  try {
    if (typeof given === 'string') return await loadMapping(given);
    const result = validateMapping(given);
    if (!result.ok) throw new MappingError('the mapping is not valid', result.errors);
    return result.mapping;
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    throw new ParseError('mapping', { file: options.fileName, field: 'mapping' }, error.message, {
      cause: error,
    });
  }
}

/** The first chunk, and the whole input again (first chunk included). */
async function peek(input: AsyncIterable<Buffer>): Promise<{ first: Buffer; all: AsyncIterable<Buffer> }> {
  const iterator = input[Symbol.asyncIterator]();
  const next = await iterator.next();
  const first = next.done
    ? Buffer.alloc(0)
    : Buffer.isBuffer(next.value)
      ? next.value
      : Buffer.from(next.value);
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    if (next.done) return;
    for (;;) {
      const more = await iterator.next();
      if (more.done) return;
      yield more.value;
    }
  }
  return { first, all: all() };
}

async function parse(input: AsyncIterable<Buffer>, options: ParseOptions, sink: ParseSink): Promise<void> {
  const mapping = await resolveMapping(options);
  const { first, all } = await peek(input);
  if (isZip(first)) {
    // exceljs is loaded only for workbooks: it is big, and CSV parsing should not carry it in memory.
    const { parseXlsx } = await import('./xlsx.js');
    await parseXlsx(all, options, mapping, sink);
    return;
  }
  await parseCsv(all, options, mapping, sink);
}

export const parser: FormatParser = {
  format: 'csv',
  sniff: sniffCsv,
  parse,
};
