import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors.js';
import { parser } from './index.js';
import { amounts, parseBytes } from './test-helpers.js';
import { cellText, columnLetters, excelNumberToDecimal } from './xlsx.js';

async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function statementSheet(wb: ExcelJS.Workbook, name = 'Umsätze'): ExcelJS.Worksheet {
  const sheet = wb.addWorksheet(name);
  sheet.addRow(['Kontoauszug']);
  sheet.addRow(['IBAN', 'DE89370400440532013000']);
  sheet.addRow([]);
  sheet.addRow(['Buchungstag', 'Verwendungszweck', 'Betrag', 'Saldo']);
  sheet.addRow([new Date(Date.UTC(2024, 2, 1)), 'RE-1', 1234.56, 11234.56]);
  sheet.addRow([
    new Date(Date.UTC(2024, 2, 2)),
    { richText: [{ text: 'RE-' }, { text: '2' }] },
    -0.1,
    11234.46,
  ]);
  sheet.addRow(['03.03.2024', 'Formel', { formula: 'C5+C6', result: 1234.46 }, 12468.92]);
  return sheet;
}

describe('xlsx reader', () => {
  it('reads the first sheet below its preamble', async () => {
    const bytes = await workbook((wb) => {
      statementSheet(wb);
      wb.addWorksheet('Other').addRow(['Date', 'Amount']);
    });
    expect(parser.sniff(bytes.subarray(0, 64 * 1024))).toBe(true);
    const result = await parseBytes(bytes, { chunkSize: 4096 });
    expect(result.warnings).toEqual([]);
    expect(result.statements).toHaveLength(1);
    expect(result.statements[0]).toMatchObject({
      account: 'DE89370400440532013000',
      opening_balance: '10000.00',
      closing_balance: '12468.92',
      sheet: 'Umsätze',
    });
    expect(amounts(result)).toEqual(['1234.56', '-0.1', '1234.46']);
    expect(result.statements[0]!.entries.map((e) => e.booking_date)).toEqual([
      '2024-03-01',
      '2024-03-02',
      '2024-03-03',
    ]);
    expect(result.statements[0]!.entries[1]!.remittance.text).toBe('RE-2');
  });

  it('reads the sheet a mapping names, and says when there is none', async () => {
    const bytes = await workbook((wb) => {
      wb.addWorksheet('Cover').addRow(['nothing here']);
      const sheet = wb.addWorksheet('Data');
      sheet.addRow(['Date', 'Amount']);
      sheet.addRow(['2024-01-02', 5]);
    });
    expect(amounts(await parseBytes(bytes, { mapping: { sheet: 'data' } }))).toEqual(['5']);
    expect(amounts(await parseBytes(bytes, { mapping: { sheet: 1 } }))).toEqual(['5']);
    await expect(parseBytes(bytes, { mapping: { sheet: 'Missing' } })).rejects.toMatchObject({
      code: 'sheet',
      location: { found: 'Cover, Data' },
    });
  });

  it('reports an unreadable amount with the cell address', async () => {
    const bytes = await workbook((wb) => {
      const sheet = wb.addWorksheet('S');
      sheet.addRow(['Date', 'Amount']);
      sheet.addRow(['2024-01-02', 'twelve']);
    });
    await expect(parseBytes(bytes)).rejects.toMatchObject({
      code: 'amount',
      location: { line: 2, path: 'S!B2', field: 'Amount', found: 'twelve' },
    });
  });

  it('reads Excel serial numbers in a date column', async () => {
    const bytes = await workbook((wb) => {
      const sheet = wb.addWorksheet('S');
      sheet.addRow(['Date', 'Amount']);
      sheet.addRow([45292, 1]);
    });
    expect((await parseBytes(bytes)).statements[0]!.entries[0]!.booking_date).toBe('2024-01-01');
  });

  it('rejects a damaged workbook and other zip files with a ParseError', async () => {
    const bytes = await workbook((wb) => statementSheet(wb));
    await expect(parseBytes(bytes.subarray(0, Math.floor(bytes.length / 2)))).rejects.toBeInstanceOf(
      ParseError,
    );
    const notXlsx = Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.alloc(100, 1)]);
    await expect(parseBytes(notXlsx)).rejects.toBeInstanceOf(ParseError);
  });

  it('gives up with a ParseError on a workbook without its workbook part, which it reads again first', async () => {
    // Renamed in the zip's headers (same length, so the zip stays whole): the worksheets are read
    // with no workbook model, as in exceljs's occasional race, but every time.
    const bytes = await workbook((wb) => statementSheet(wb));
    const renamed = Buffer.from(
      bytes.toString('latin1').replaceAll('xl/workbook.xml', 'xl/workbooq.xml'),
      'latin1',
    );
    expect(renamed.length).toBe(bytes.length);
    const read = parseBytes(renamed);
    await expect(read).rejects.toBeInstanceOf(ParseError);
    await expect(read).rejects.toThrow(/not a readable XLSX workbook: .*reading 'sheets'/);
  });
});

describe('xlsx cell values', () => {
  it('turns numbers into exact decimals at Excel precision', () => {
    expect(excelNumberToDecimal(1234.5599999999999)).toBe('1234.56');
    expect(excelNumberToDecimal(0.1 + 0.2)).toBe('0.3');
    expect(excelNumberToDecimal(-12)).toBe('-12');
    expect(excelNumberToDecimal(1.5e-7)).toBe('0.00000015');
    expect(excelNumberToDecimal(1e21)).toBe('1000000000000000000000');
    expect(excelNumberToDecimal(-0)).toBe('0');
    expect(excelNumberToDecimal(Number.NaN)).toBeNull();
  });

  it('reads formulas, rich text, hyperlinks, booleans and dates', () => {
    expect(cellText({ formula: 'A1', result: 2.5 })).toEqual({ text: '2.5', numeric: true });
    expect(cellText({ richText: [{ text: 'a' }, { text: 'b' }] })).toEqual({ text: 'ab', numeric: false });
    expect(cellText({ text: 'link', hyperlink: 'http://x' })).toEqual({ text: 'link', numeric: false });
    expect(cellText(true)).toEqual({ text: 'TRUE', numeric: false });
    expect(cellText(new Date(Date.UTC(2024, 0, 31)))).toEqual({ text: '2024-01-31', numeric: false });
    expect(cellText(null)).toEqual({ text: '', numeric: false });
  });

  it('names columns by letters', () => {
    expect([0, 25, 26, 701, 702].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'ZZ', 'AAA']);
  });
});
