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
  trimmedRange,
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
  // The mark is read in place: no result object for a function that runs once per entry.
  let mark: Mark;
  const c = text.charCodeAt(at);
  if (c === 67 /* C */) mark = 'C';
  else if (c === 68 /* D */) mark = 'D';
  else if (c === 82 /* R */ && text.charCodeAt(at + 1) === 67) mark = 'RC';
  else if (c === 82 && text.charCodeAt(at + 1) === 68) mark = 'RD';
  else if (Number.isNaN(c) || (c === 82 && at + 1 >= text.length))
    return fail('missing debit/credit mark', 'C, D, RC or RD', true);
  else return fail('unknown debit/credit mark', 'C, D, RC or RD', false);
  at += mark.length;
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
  const transactionType = transactionTypeAt(text, at);
  at += 4;
  const split = text.indexOf('//', at);
  const customer = customerReferenceAt(text, at, split >= 0 ? split : text.length);
  const bank = split >= 0 ? trimmedRange(text, split + 2, text.length) : '';
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

/** The last customer reference read: many banks repeat one ("NONREF"), so it is not cut again. */
let lastCustomerReference = 'NONREF';

/** `trimmedRange(text, from, to)`, answering the last reference when the range holds exactly it. */
function customerReferenceAt(text: string, from: number, to: number): string {
  const last = lastCustomerReference;
  if (to - from === last.length && holdsAt(text, from, last)) return last;
  const reference = trimmedRange(text, from, to);
  if (reference.length > 0) lastCustomerReference = reference;
  return reference;
}

/** The last two transaction types read: runs of entries share a few ("NTRF", "NDDT"), not cut again. */
const recentTransactionTypes = ['NTRF', 'NDDT'];

/** `text.slice(at, at + 4).trimEnd()`. */
function transactionTypeAt(text: string, at: number): string {
  const recent = recentTransactionTypes;
  const first = recent[0]!;
  if (first.length === 4 && holdsAt(text, at, first)) return first;
  const second = recent[1]!;
  if (second.length === 4 && holdsAt(text, at, second)) {
    recent[1] = first;
    recent[0] = second;
    return second;
  }
  const type = text.slice(at, at + 4).trimEnd();
  recent[1] = first;
  recent[0] = type;
  return type;
}

/** Whether `text` holds `word` at `at` (a character loop: cheaper than startsWith for a few characters). */
function holdsAt(text: string, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (text.charCodeAt(at + i) !== word.charCodeAt(i)) return false;
  return true;
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
