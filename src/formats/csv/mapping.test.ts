import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinMappingNames, loadMapping, MappingError, validateMapping } from './mapping.js';

function errorsOf(value: unknown): string[] {
  const result = validateMapping(value);
  return result.ok ? [] : result.errors;
}

describe('validateMapping', () => {
  it('accepts a complete mapping', () => {
    const mapping = {
      name: 'my-bank',
      encoding: 'windows-1252',
      delimiter: ';',
      skipRows: 3,
      columns: { date: 'Buchungstag', valueDate: 1, amount: 'Betrag', description: ['Verwendungszweck', 4] },
      dateFormat: 'DD.MM.YYYY',
      decimalSeparator: ',',
      thousandsSeparator: '.',
      invertSign: false,
      account: 'DE89370400440532013000',
      currency: 'EUR',
      balanceOrder: 'descending',
    };
    expect(validateMapping(mapping)).toEqual({ ok: true, mapping });
  });

  it('names each bad field and what it expects', () => {
    const errors = errorsOf({
      dateFromat: 'DD.MM.YYYY',
      delimiter: ';;',
      skipRows: -1,
      columns: { date: -2, amout: 'Betrag' },
      dateFormat: 'DD.MM',
      decimalSeparator: ';',
      currency: 'euro',
      encoding: 'klingon',
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^dateFromat: unknown mapping field/),
        expect.stringMatching(/^delimiter: expected one character/),
        expect.stringMatching(/^skipRows: expected an integer >= 0, found -1/),
        expect.stringMatching(/^columns\.date: expected a header name or a 0-based index, found -2/),
        expect.stringMatching(/^columns\.amout: unknown column role/),
        expect.stringMatching(/^dateFormat: .*must contain D, M and Y/),
        expect.stringMatching(/^decimalSeparator: expected "," or "."/),
        expect.stringMatching(/^currency: expected an ISO 4217 code/),
        expect.stringMatching(/^encoding: expected a charset name/),
      ]),
    );
    expect(errors).toHaveLength(9);
  });

  it('checks rules between fields', () => {
    expect(errorsOf({ hasHeader: false, columns: { date: 'Datum' } })).toEqual([
      'columns.amount (or columns.debit/columns.credit): required when hasHeader is false',
      'columns.date: a file without header needs a 0-based column index, found "Datum"',
    ]);
    expect(errorsOf({ hasHeader: false })).toHaveLength(2);
    expect(errorsOf({ indicatorValues: { debit: ['D'], credit: ['C'] } })).toEqual([
      'indicatorValues: needs columns.indicator (the column that holds them)',
    ]);
    expect(errorsOf({ decimalSeparator: ',', thousandsSeparator: ',' })).toEqual([
      'thousandsSeparator: must differ from decimalSeparator',
    ]);
    expect(errorsOf({ columns: { amount: 'A', debit: 'D' } })).toEqual([
      'columns: give either amount or debit/credit, not both',
    ]);
    expect(errorsOf({ indicatorValues: { debit: [], credit: ['C'] }, columns: { indicator: 2 } })[0]).toMatch(
      /^indicatorValues: expected/,
    );
  });

  it('rejects what is not an object', () => {
    expect(errorsOf('eu-semicolon')).toEqual(['mapping: expected a JSON object, found "eu-semicolon"']);
    expect(errorsOf(null)).toHaveLength(1);
  });
});

describe('loadMapping', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openar-mappings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { OPENAR_MAPPINGS_DIR: dir };

  it('reads <name>.json from OPENAR_MAPPINGS_DIR, and paths', async () => {
    writeFileSync(join(dir, 'sparkasse.json'), JSON.stringify({ delimiter: ';', dateFormat: 'DD.MM.YY' }));
    expect(await loadMapping('sparkasse', env)).toEqual({
      name: 'sparkasse',
      delimiter: ';',
      dateFormat: 'DD.MM.YY',
    });
    expect(await loadMapping(join(dir, 'sparkasse.json'), env)).toMatchObject({ delimiter: ';' });
  });

  it('falls back to the built-in mappings, which are all valid', async () => {
    const names = await builtinMappingNames();
    expect(names).toEqual(
      expect.arrayContaining(['eu-semicolon', 'us-debit-credit', 'credit-card-inverted', 'nl-ing']),
    );
    for (const name of names) expect((await loadMapping(name, env)).name).toBe(name);
  });

  it('explains what is wrong', async () => {
    writeFileSync(join(dir, 'broken.json'), '{"delimiter": ";",');
    writeFileSync(join(dir, 'invalid.json'), JSON.stringify({ decimalSeparator: 'x' }));
    await expect(loadMapping('broken', env)).rejects.toThrow(/not valid JSON/);
    await expect(loadMapping('invalid', env)).rejects.toThrow(/decimalSeparator: expected/);
    await expect(loadMapping('nope', env)).rejects.toThrow(/no mapping named "nope"/);
    await expect(loadMapping('../etc', env)).rejects.toBeInstanceOf(MappingError);
    await expect(loadMapping('bad name', env)).rejects.toThrow(/use letters, digits/);
  });
});
