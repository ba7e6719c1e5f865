/**
 * The :61: statement line, read by hand (no regex) because its grammar is positional and banks bend
 * it: value date YYMMDD, optional entry date MMDD (or four spaces), mark C/D/RC/RD, optional funds
 * code (the third letter of the currency: "CR" is a credit with funds code R, "RCR" a reversed credit
 * with funds code R), amount with decimal comma, transaction type (N/F/S… + 3 characters), customer
 * reference up to "//", bank reference after it. Supplementary details are the field's next line.
 */
import {
  readEntryMmdd,
  readYymmdd,
  type SwiftAmount,
  type SwiftDate,
  scanAmount,
  twoDigits,
} from './values.js';

export type Mark = 'C' | 'D' | 'RC' | 'RD';

export interface StatementLine {
  valueDate: SwiftDate;
  entryDate: SwiftDate | null;
  mark: Mark;
  fundsCode: string | null;
  amount: SwiftAmount;
  /** "NTRF", "N024", "S051", "FMSC"… */
  transactionType: string;
  customerReference: string | null;
  bankReference: string | null;
}

/** What could not be read, for the ParseError; `incomplete` means the text ended too early. */
export interface StatementLineProblem {
  problem: string;
  expected: string;
  incomplete: boolean;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function fail(problem: string, expected: string, incomplete: boolean): StatementLineProblem {
  return { problem, expected, incomplete };
}

export function readStatementLine(text: string): StatementLine | StatementLineProblem {
  const valueDate = readYymmdd(text, 0);
  if (valueDate === null) {
    return fail('unreadable value date', 'value date YYMMDD', text.length < 6);
  }
  let at = 6;
  let entryDate: SwiftDate | null = null;
  if (isDigit(text.charCodeAt(at))) {
    if (twoDigits(text, at) < 0 || twoDigits(text, at + 2) < 0) {
      return fail('unreadable entry date', 'entry date MMDD', text.length < at + 4);
    }
    entryDate = readEntryMmdd(text, at, valueDate);
    if (entryDate === null) return fail('unreadable entry date', 'entry date MMDD', false);
    at += 4;
  } else if (text.startsWith('    ', at)) {
    at += 4; // Citi and ASN send four spaces for "no entry date"
  }
  const markResult = readMark(text, at);
  if (typeof markResult !== 'object')
    return markResult === 'end'
      ? fail('missing debit/credit mark', 'C, D, RC or RD', true)
      : fail('unknown debit/credit mark', 'C, D, RC or RD', false);
  const { mark } = markResult;
  at = markResult.end;
  let fundsCode: string | null = null;
  if (isLetter(text.charCodeAt(at))) {
    fundsCode = text[at]!;
    at++;
  }
  const amount = scanAmount(text, at);
  if (amount === null) return fail('unreadable amount', 'amount with decimal comma', at >= text.length);
  at = amount.end;
  if (at + 4 > text.length) return fail('missing transaction type', 'transaction type such as NTRF', true);
  if (!isLetter(text.charCodeAt(at)))
    return fail('unreadable transaction type', 'transaction type such as NTRF', false);
  const transactionType = text.slice(at, at + 4).trimEnd();
  at += 4;
  const rest = text.slice(at);
  const split = rest.indexOf('//');
  const customer = (split >= 0 ? rest.slice(0, split) : rest).trim();
  const bank = split >= 0 ? rest.slice(split + 2).trim() : '';
  return {
    valueDate,
    entryDate,
    mark,
    fundsCode,
    amount,
    transactionType,
    customerReference: customer.length > 0 ? customer : null,
    bankReference: bank.length > 0 ? bank : null,
  };
}

function readMark(text: string, at: number): { mark: Mark; end: number } | 'end' | 'bad' {
  const c = text.charCodeAt(at);
  if (Number.isNaN(c)) return 'end';
  if (c === 67) return { mark: 'C', end: at + 1 };
  if (c === 68) return { mark: 'D', end: at + 1 };
  if (c === 82 /* R */) {
    const d = text.charCodeAt(at + 1);
    if (d === 67) return { mark: 'RC', end: at + 2 };
    if (d === 68) return { mark: 'RD', end: at + 2 };
    return Number.isNaN(d) ? 'end' : 'bad';
  }
  return 'bad';
}

export function isStatementLineProblem(
  value: StatementLine | StatementLineProblem,
): value is StatementLineProblem {
  return (value as StatementLineProblem).problem !== undefined;
}

/** D and RC (reversal of a credit) take money out; C and RD (reversal of a debit) put it in. */
export function markIsNegative(mark: Mark): boolean {
  return mark === 'D' || mark === 'RC';
}
