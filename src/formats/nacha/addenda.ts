import { ParseError } from '../errors.js';
import type { BankEntry, ParseSink, ParseWarning, RemittanceAdvice } from '../model.js';
import { parseX12820Text } from '../x12-820/index.js';
import { column, digits, fieldError, isBlank, type RecordLocation, text } from './fields.js';
import { isChangeCode } from './layouts.js';

/**
 * Addenda records (type 7) and what they add to their entry: payment-related text (05, IAT 17), a carried
 * X12 820 (CTX), returns (99), notifications of change (98), terminal data (02) and the IAT addenda 10-18.
 */

/** Best-effort invoice references in free addenda text: RMR segments (NACHA banking conventions) and "INV …". */
const HAS_INV = /inv/i;
const INVOICE_REFERENCE =
  /\bINV(?:OICE)?S?\b\.?\s*(?:NO\.?|NBR|NUM(?:BER)?|#)?\s*[:#-]?\s*([A-Z0-9][A-Z0-9\-/]{2,})/gi;

export function extractReferences(remittanceText: string): string[] {
  const found: string[] = [];
  // RMR segments by hand (the common case, on every CCD+ entry); the INV pattern only when there are none.
  let at = remittanceText.indexOf('RMR*');
  while (at >= 0) {
    const qualifierEnd = remittanceText.indexOf('*', at + 4);
    if (qualifierEnd < 0 || qualifierEnd - at > 7) break;
    let end = qualifierEnd + 1;
    while (end < remittanceText.length && !isSegmentStop(remittanceText.charCodeAt(end))) end++;
    addUnique(found, remittanceText.slice(qualifierEnd + 1, end));
    at = remittanceText.indexOf('RMR*', end);
  }
  if (found.length === 0 && HAS_INV.test(remittanceText)) {
    for (const match of remittanceText.matchAll(INVOICE_REFERENCE)) addUnique(found, match[1] as string);
  }
  return found;
}

/** Element separator `*` and the usual segment terminators `\` `~` `'` end an RMR02 reference. */
function isSegmentStop(c: number): boolean {
  return c === 42 || c === 92 || c === 126 || c === 39;
}

function addUnique(found: string[], value: string): void {
  const trimmed = value.trim();
  if (trimmed !== '' && !found.includes(trimmed)) found.push(trimmed);
}

/** Does the payment-related information carry X12 (an ISA envelope or a bare ST*820 transaction set)? */
export function looksLikeX12(info: string): boolean {
  let i = 0;
  while (i < info.length && info.charCodeAt(i) === 32) i++;
  const first = info.charCodeAt(i);
  // Only 'I' (ISA) or 'S' (ST) can start X12: skip the regexes for ordinary remittance text.
  if (first !== 73 && first !== 83) return false;
  const body = i === 0 ? info : info.slice(i);
  if (body.startsWith('ISA') && body.length > 3 && !/[A-Za-z0-9\s]/.test(body.charAt(3))) return true;
  return /^ST[^A-Za-z0-9\s]820[^A-Za-z0-9]/.test(body);
}

/** Runs of blanks (the padding between 80-character chunks) become one space; records hold no tabs or breaks. */
function collapse(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  return trimmed.includes('  ') ? trimmed.replace(/ {2,}/g, ' ') : trimmed;
}

/** Collects what an X12 reader sends, so a CTX 820 that fails half-way leaves nothing behind. */
class BufferSink implements ParseSink {
  readonly remittances: RemittanceAdvice[] = [];
  readonly warnings: ParseWarning[] = [];
  beginStatement(): void {}
  entry(): void {}
  endStatement(): void {}
  remittance(advice: RemittanceAdvice): void {
    this.remittances.push(advice);
  }
  warning(warning: ParseWarning): void {
    this.warnings.push(warning);
  }
}

export interface RemittanceContext {
  fileName: string;
  lenient: boolean;
  strict: boolean;
  sink: ParseSink;
  statementIndex: number;
}

/**
 * Turns the payment-related information of an entry (05 addenda concatenated in sequence order, untrimmed:
 * trailing blanks of a chunk are data when an X12 element spans two addenda) into the entry's remittance.
 * A carried X12 820 becomes remittance advices linked to the entry by its trace number; if it cannot be read,
 * the entry keeps the raw text and a warning says why (an error under `strict`), so one customer's broken
 * remittance does not block the cash of a whole ACH file.
 */
export function applyPaymentInfo(
  entry: BankEntry,
  info: string,
  line: number,
  context: RemittanceContext,
): void {
  if (looksLikeX12(info)) {
    const buffer = new BufferSink();
    try {
      parseX12820Text(info, { fileName: context.fileName, lenient: context.lenient, line }, buffer);
    } catch (error) {
      if (!(error instanceof ParseError) || context.strict) throw error;
      context.sink.warning({
        code: 'remittance-unreadable',
        message: `entry ${entry.bank_reference}: the X12 820 in its addenda cannot be read (${error.message}); kept as text`,
        line,
        statement: context.statementIndex,
      });
      entry.remittance.text = collapse(info);
      return;
    }
    for (const warning of buffer.warnings)
      context.sink.warning({ ...warning, statement: context.statementIndex });
    const references: string[] = [];
    for (const advice of buffer.remittances) {
      advice.payment_reference ??= entry.bank_reference;
      advice.trace_number = entry.bank_reference;
      for (const remittanceLine of advice.lines) {
        const document = remittanceLine.document_number;
        if (document !== null && !references.includes(document)) references.push(document);
      }
      context.sink.remittance(advice);
    }
    entry.remittance.references = references;
    return;
  }
  const remittanceText = collapse(info);
  entry.remittance.text = remittanceText;
  if (remittanceText !== null) entry.remittance.references = extractReferences(remittanceText);
}

/** Return (99): reason, original trace and RDFI, date of death and the free addenda information. */
export function applyReturn(entry: BankEntry, record: string, at: RecordLocation): void {
  entry.return_reason = column(record, 4, 6).trim();
  entry.original_trace = digits(record, 7, 21, 'original entry trace number', at);
  entry.original_rdfi = text(record, 28, 35, at);
  const dateOfDeath = column(record, 22, 27);
  if (!isBlank(record, 22, 27) && dateOfDeath !== '000000') entry.date_of_death = dateOfDeath;
  entry.return_information = text(record, 36, 79, at);
}

/** Notification of change (98): change code, original trace and RDFI, corrected data. */
export function applyNotificationOfChange(entry: BankEntry, record: string, at: RecordLocation): void {
  const changeCode = column(record, 4, 6);
  // A NOC moves no money: its change code is all it says, so an unknown one cannot be applied.
  if (!isChangeCode(changeCode))
    throw fieldError(at, 'change code', 4, 6, 'a NACHA change code C01-C14 or C61-C69', changeCode);
  entry.change_code = changeCode;
  entry.original_trace = digits(record, 7, 21, 'original entry trace number', at);
  entry.original_rdfi = text(record, 28, 35, at);
  entry.corrected_data = text(record, 36, 64, at);
}

/** Terminal information (02) of POS, SHR and MTE entries. */
export function applyTerminal(entry: BankEntry, record: string, at: RecordLocation): void {
  entry.terminal = {
    reference_information: text(record, 4, 13, at),
    terminal_id: text(record, 14, 19, at),
    transaction_serial: text(record, 20, 25, at),
    transaction_date: text(record, 26, 29, at),
    authorization_code: text(record, 30, 35, at),
    location: text(record, 36, 62, at),
    city: text(record, 63, 77, at),
    state: text(record, 78, 79, at),
  };
}

/** IAT transaction type codes (addenda 10, columns 4-6). */
const IAT_TRANSACTION_TYPES = new Set([
  'ANN',
  'BUS',
  'DEP',
  'LOA',
  'MIS',
  'MOR',
  'PEN',
  'RLS',
  'REM',
  'SAL',
  'TAX',
  'TEL',
  'WEB',
  'ARC',
  'BOC',
  'POP',
  'RCK',
]);

/** IAT addenda 10-16 and 18: names, addresses and banks of the parties to an international payment. */
export function applyIatAddenda(entry: BankEntry, type: string, record: string, at: RecordLocation): void {
  if (entry.iat === undefined) entry.iat = {};
  const iat = entry.iat as Record<string, unknown>;
  switch (type) {
    case '10':
      if (!IAT_TRANSACTION_TYPES.has(column(record, 4, 6))) {
        throw fieldError(
          at,
          'transaction type code',
          4,
          6,
          'an IAT transaction type code (ANN, BUS, DEP, LOA, MIS, MOR, PEN, RLS, REM, SAL, TAX, …)',
          column(record, 4, 6),
        );
      }
      iat.transaction_type_code = text(record, 4, 6, at);
      iat.foreign_payment_amount = text(record, 7, 24, at);
      iat.foreign_trace_number = text(record, 25, 46, at);
      entry.counterparty.name = text(record, 47, 81, at);
      return;
    case '11':
      entry.company_name = text(record, 4, 38, at);
      iat.originator_name = text(record, 4, 38, at);
      iat.originator_street = text(record, 39, 73, at);
      return;
    case '12':
      iat.originator_city_state = text(record, 4, 38, at);
      iat.originator_country_postal = text(record, 39, 73, at);
      return;
    case '13':
      iat.odfi_name = text(record, 4, 38, at);
      iat.odfi_id_qualifier = text(record, 39, 40, at);
      iat.odfi_id = text(record, 41, 74, at);
      iat.odfi_country = text(record, 75, 77, at);
      return;
    case '14':
      iat.rdfi_name = text(record, 4, 38, at);
      iat.rdfi_id_qualifier = text(record, 39, 40, at);
      iat.rdfi_id = text(record, 41, 74, at);
      iat.rdfi_country = text(record, 75, 77, at);
      return;
    case '15':
      iat.receiver_id = text(record, 4, 18, at);
      iat.receiver_street = text(record, 19, 53, at);
      return;
    case '16':
      iat.receiver_city_state = text(record, 4, 38, at);
      iat.receiver_country_postal = text(record, 39, 73, at);
      return;
    case '18': {
      if (iat.foreign_correspondent_banks === undefined) iat.foreign_correspondent_banks = [];
      const banks = iat.foreign_correspondent_banks as unknown[];
      banks.push({
        name: text(record, 4, 38, at),
        id_qualifier: text(record, 39, 40, at),
        id: text(record, 41, 74, at),
        country: text(record, 75, 77, at),
      });
      return;
    }
  }
}
