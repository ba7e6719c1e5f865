import { ParseError } from '../errors.js';
import type { BankEntry, ParseOptions, ParseSink, StatementInfo } from '../model.js';
import {
  applyIatAddenda,
  applyNotificationOfChange,
  applyPaymentInfo,
  applyReturn,
  applyTerminal,
  type RemittanceContext,
} from './addenda.js';
import {
  centsToDecimal,
  column,
  digits,
  fieldError,
  formatCents,
  hasNoControlCharacters,
  integer,
  isAllDigits,
  isBlank,
  julianNear,
  type RecordLocation,
  rawText,
  text,
  yymmdd,
} from './fields.js';
import {
  ADDENDA_COUNT_SECS,
  CODE_TEXT,
  isCreditCodeValue,
  isEntryCodeValue,
  isReturnOrNocCode,
  isReturnOrNocCodeValue,
  isReturnReasonCode,
  NAME_FIRST_SECS,
  REQUIRED_NAME_SECS,
  requiresZeroAmountValue,
  SERVICE_CLASS_ADV,
  SERVICE_CLASS_CREDITS,
  SERVICE_CLASS_DEBITS,
  SERVICE_CLASSES,
} from './layouts.js';

const HASH_MODULUS = 10_000_000_000;
const RECORDS_PER_BLOCK = 10;
/** Above this a Number of cents is moved into a BigInt, so sums of any length stay exact. */
const SAFE_CARRY = 2 ** 52;

/** An exact running total of cents: a Number on the hot path, spilled into a BigInt before it could round. */
class CentsTotal {
  private small = 0;
  private big = 0n;

  add(cents: number): void {
    this.small += cents;
    if (this.small > SAFE_CARRY) {
      this.big += BigInt(this.small);
      this.small = 0;
    }
  }

  addBig(cents: bigint): void {
    this.big += cents;
  }

  get value(): bigint {
    return this.big + BigInt(this.small);
  }
}

interface Batch {
  line: number;
  number: string;
  serviceClass: string;
  sec: string;
  adv: boolean;
  iat: boolean;
  companyName: string | null;
  companyId: string | null;
  description: string | null;
  odfi: string;
  effectiveDate: string | null;
  settlementDate: string | null;
  statement: number;
  serviceClassWarned: boolean;
  layout: EntryLayout;
  /** "CCD-22" labels by transaction code, built once per batch. */
  labels: Map<string, string>;
  lastCode: string;
  lastLabel: string;
  /** Entry detail and addenda records seen. */
  records: number;
  entries: number;
  hash: number;
  debit: CentsTotal;
  credit: CentsTotal;
  info: StatementInfo;
}

interface PendingEntry {
  entry: BankEntry;
  line: number;
  traceNumber: string;
  addendaIndicator: boolean;
  declaredAddenda: number | null;
  addenda: number;
  /** IAT addenda 10-16: some originators count only these in the entry's "number of addenda records". */
  iatMandatory: number;
  /** 05/17 chunks and their addenda sequence numbers; arrays reused from entry to entry, so only the
   * first `paymentCount` slots are this entry's (emptying the arrays would free their storage each time). */
  paymentInfo: string[];
  paymentSequences: number[];
  paymentCount: number;
  paymentInfoLine: number;
}

type State = 'start' | 'file' | 'batch' | 'ended';

/** Where the receiver's name and identification sit in a domestic entry of a given SEC code. */
interface EntryLayout {
  nameFrom: number;
  nameTo: number;
  idFrom: number;
  idTo: number;
  nameRequired: boolean;
  /** CTX/ATX/TRX: columns 55-58 hold the number of addenda records. */
  addendaCount: boolean;
}

function entryLayout(sec: string): EntryLayout {
  const nameRequired = REQUIRED_NAME_SECS.has(sec);
  if (ADDENDA_COUNT_SECS.has(sec))
    return { nameFrom: 59, nameTo: 74, idFrom: 40, idTo: 54, nameRequired, addendaCount: true };
  if (NAME_FIRST_SECS.has(sec))
    return { nameFrom: 40, nameTo: 54, idFrom: 55, idTo: 76, nameRequired, addendaCount: false };
  return { nameFrom: 55, nameTo: 76, idFrom: 40, idTo: 54, nameRequired, addendaCount: false };
}

function transactionCodeLabel(batch: Batch, code: string): string {
  // Codes are the shared CODE_TEXT strings and runs of entries share one: compare before hashing.
  if (code === batch.lastCode) return batch.lastLabel;
  let label = batch.labels.get(code);
  if (label === undefined) {
    label = `${batch.sec}-${code}`;
    batch.labels.set(code, label);
  }
  batch.lastCode = code;
  batch.lastLabel = label;
  return label;
}

/** Two digits at a 0-based index as a number, -1 when either is not a digit. */
function twoDigits(record: string, index: number): number {
  const tens = record.charCodeAt(index) - 48;
  const units = record.charCodeAt(index + 1) - 48;
  if (tens < 0 || tens > 9 || units < 0 || units > 9) return -1;
  return tens * 10 + units;
}

const ROUTING_WEIGHTS = [3, 7, 1, 3, 7, 1, 3, 7];

function isZeros(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) !== 48) return false;
  return value.length > 0;
}

function isPadding(record: string): boolean {
  // Blocking lines: all 9s (a partial padding line was padded with blanks by the splitter).
  const end = record.trimEnd().length;
  if (end === 0) return false;
  for (let i = 0; i < end; i++) if (record.charCodeAt(i) !== 57) return false;
  return true;
}

/**
 * The NACHA record state machine: file header → (batch header → entries/addenda → batch control)* → file
 * control → 9-padding. One statement per batch; entries are emitted once their addenda have been read.
 * Every control record is checked against what was read (counts, entry hash, debit and credit totals).
 */
export class NachaReader {
  private state: State = 'start';
  private batch: Batch | null = null;
  private pending: PendingEntry | null = null;
  private statements = 0;
  private records = 0;
  private fileCreationDate: string | null = null;
  private fileBatches = 0;
  private fileRecords = 0;
  private fileHash = 0;
  private readonly fileDebit = new CentsTotal();
  private readonly fileCredit = new CentsTotal();
  private allAdv = true;
  private paddingRecords = 0;
  private declaredBlocks = 0;
  private fileControlLine = 0;
  private readonly at: RecordLocation;
  private readonly slot: PendingEntry = {
    entry: null as unknown as BankEntry,
    line: 0,
    traceNumber: '',
    addendaIndicator: false,
    declaredAddenda: null,
    addenda: 0,
    iatMandatory: 0,
    paymentInfo: [],
    paymentSequences: [],
    paymentCount: 0,
    paymentInfoLine: 0,
  };
  private readonly remittance: RemittanceContext;

  constructor(
    private readonly options: ParseOptions,
    private readonly sink: ParseSink,
  ) {
    this.at = { fileName: options.fileName, line: 0, record: '', clean: false };
    this.remittance = {
      fileName: options.fileName,
      lenient: options.lenient ?? false,
      strict: options.strict ?? false,
      sink,
      statementIndex: 0,
    };
  }

  record(record: string, line: number): void {
    const at = this.at;
    at.line = line;
    at.clean = hasNoControlCharacters(record);
    if (this.state === 'ended') {
      if (isPadding(record)) {
        this.paddingRecords++;
        return;
      }
      throw this.structure(
        line,
        'record',
        'nothing but 9-padding after the file control record',
        `a type ${record.charAt(0)} record after the file control`,
      );
    }
    this.records++;
    switch (record.charCodeAt(0)) {
      case 54:
        this.entryDetail(record, line);
        return;
      case 55:
        this.addenda(record, line);
        return;
      case 53:
        this.batchHeader(record, line);
        return;
      case 56:
        this.batchControl(record, line);
        return;
      case 49:
        this.fileHeader(record, line);
        return;
      case 57:
        if (isPadding(record)) {
          throw this.structure(
            line,
            'file control',
            'the file control (9) record before the 9-padding',
            '9-padding without a file control record',
          );
        }
        this.fileControl(record, line);
        return;
      default:
        throw this.structure(
          line,
          'record type code (column 1)',
          'record type 1, 5, 6, 7, 8 or 9',
          `unknown record type ${JSON.stringify(record.charAt(0))}`,
        );
    }
  }

  /**
   * End of input: a file that stops before its file control is truncated. The block count is checked here,
   * with the 9-padding counted; it describes the physical blocking of the transmission, which is often lost
   * when a file is re-encoded (padding stripped), and says nothing about the entries: a mismatch is a warning.
   */
  finish(line: number): void {
    if (this.state === 'ended') {
      const withPadding = Math.ceil((this.records + this.paddingRecords) / RECORDS_PER_BLOCK);
      const withoutPadding = Math.ceil(this.records / RECORDS_PER_BLOCK);
      if (this.declaredBlocks !== withPadding && this.declaredBlocks !== withoutPadding) {
        this.sink.warning({
          code: 'bank-deviation',
          message: `file control block count ${this.declaredBlocks}, the file has ${withPadding} block(s) of 10 records`,
          line: this.fileControlLine,
        });
      }
      return;
    }
    if (this.state === 'start') {
      throw new ParseError(
        'truncated',
        { file: this.options.fileName, line, field: 'file header', expected: 'a file header (1) record' },
        'empty file: no NACHA records',
      );
    }
    if (this.state === 'batch') {
      const batch = this.batch as Batch;
      throw new ParseError(
        'truncated',
        {
          file: this.options.fileName,
          line,
          field: 'batch control',
          expected: `a batch control (8) record for batch ${batch.number} (line ${batch.line})`,
        },
        'file ends inside a batch',
      );
    }
    throw new ParseError(
      'truncated',
      { file: this.options.fileName, line, field: 'file control', expected: 'a file control (9) record' },
      'file ends without its file control record',
    );
  }

  private structure(line: number, field: string, expected: string, detail: string): ParseError {
    return new ParseError('structure', { file: this.options.fileName, line, field, expected }, detail);
  }

  private mismatch(line: number, field: string, message: string, statement?: number): void {
    if (this.options.lenient) {
      const warning: Parameters<ParseSink['warning']>[0] = { code: 'control-total', message, line };
      if (statement !== undefined) warning.statement = statement;
      this.sink.warning(warning);
      return;
    }
    throw new ParseError('control-total', { file: this.options.fileName, line, field }, message);
  }

  private fixed(record: string, from: number, to: number, value: string, field: string): void {
    if (column(record, from, to) !== value)
      throw fieldError(this.at, field, from, to, JSON.stringify(value), column(record, from, to));
  }

  private fileHeader(record: string, line: number): void {
    const at = this.at;
    at.record = 'file header';
    if (this.state !== 'start')
      throw this.structure(
        line,
        'file header',
        'one file header, at the start',
        'a second file header (1) record',
      );
    digits(record, 2, 3, 'priority code', at);
    // Destination: required, but not checked as a routing number (vendors put names there: moov issue 702,
    // FISERV zero files). Origin: a routing number (blank + 9 digits) or a 10-character company id.
    if (isBlank(record, 4, 13))
      throw fieldError(
        at,
        'immediate destination',
        4,
        13,
        'the receiving point (routing number)',
        column(record, 4, 13),
      );
    const origin = column(record, 14, 23);
    if (origin.startsWith(' ') ? !isAllDigits(record, 15, 23) : !/^[A-Za-z0-9]{10}$/.test(origin)) {
      throw fieldError(
        at,
        'immediate origin',
        14,
        23,
        'a routing number (blank + 9 digits) or a 10-character company id',
        origin,
      );
    }
    this.fileCreationDate = yymmdd(record, 24, 'file creation date', at);
    this.fixed(record, 35, 37, '094', 'record size');
    this.fixed(record, 38, 39, '10', 'blocking factor');
    this.fixed(record, 40, 40, '1', 'format code');
    this.state = 'file';
  }

  /** A batch header or the file control: after the file header, and not inside a batch. */
  private expectBetweenBatches(line: number, beforeHeader: string, insideBatch: string): void {
    if (this.state === 'start')
      throw this.structure(line, 'file header', 'a file header (1) record first', beforeHeader);
    if (this.state === 'batch') {
      const open = this.batch as Batch;
      throw this.structure(
        line,
        'batch control',
        `a batch control (8) record closing batch ${open.number} (line ${open.line})`,
        insideBatch,
      );
    }
  }

  private batchHeader(record: string, line: number): void {
    const at = this.at;
    at.record = 'batch header';
    this.expectBetweenBatches(line, 'batch header before the file header', 'batch header inside a batch');
    const serviceClass = column(record, 2, 4);
    if (!SERVICE_CLASSES.has(serviceClass))
      throw fieldError(at, 'service class code', 2, 4, '200, 220, 225 or 280', serviceClass);
    const sec = column(record, 51, 53);
    if (!/^[A-Z]{3}$/.test(sec))
      throw fieldError(at, 'standard entry class code', 51, 53, 'a SEC code such as PPD, CCD, CTX', sec);
    // IAT batches, and IAT notifications of change (SEC COR with "IATCOR" in the IAT indicator field).
    const iat = sec === 'IAT' || column(record, 5, 20).trim() === 'IATCOR';
    const effectiveDate = this.effectiveDate(record, line);
    const settlementDate = this.settlementDate(record, effectiveDate);
    const odfi = digits(record, 80, 87, 'originating DFI identification', at);
    const number = digits(record, 88, 94, 'batch number', at);
    const companyName = iat ? null : this.name(record, 5, 20, 'company name');
    const companyId = text(record, 41, 50, this.at);
    const description = this.name(record, 54, 63, 'company entry description');
    this.statements++;
    const info: StatementInfo = {
      account: companyId ?? odfi,
      currency: 'USD',
      opening_balance: null,
      closing_balance: null,
      company_name: companyName,
      company_id: companyId,
      odfi,
      batch_number: number,
      service_class_code: serviceClass,
      sec_code: sec,
      company_entry_description: description,
      effective_entry_date: effectiveDate,
      settlement_date: settlementDate,
      file_creation_date: this.fileCreationDate,
    };
    if (iat) {
      info.foreign_exchange_indicator = text(record, 21, 22, this.at);
      info.destination_country = text(record, 39, 40, this.at);
      info.originating_currency = text(record, 64, 66, this.at);
      info.destination_currency = text(record, 67, 69, this.at);
    } else {
      info.company_discretionary_data = text(record, 21, 40, this.at);
      info.company_descriptive_date = text(record, 64, 69, this.at);
    }
    this.batch = {
      line,
      number,
      serviceClass,
      sec,
      adv: serviceClass === SERVICE_CLASS_ADV || sec === 'ADV',
      iat,
      companyName,
      companyId,
      description,
      odfi,
      effectiveDate,
      settlementDate,
      statement: this.statements - 1,
      serviceClassWarned: false,
      layout: entryLayout(sec),
      labels: new Map(),
      lastCode: '',
      lastLabel: '',
      records: 0,
      entries: 0,
      hash: 0,
      debit: new CentsTotal(),
      credit: new CentsTotal(),
      info,
    };
    this.remittance.statementIndex = this.statements - 1;
    this.state = 'batch';
    this.sink.beginStatement();
  }

  /**
   * The effective entry date is blank or zeros in returns and NOCs (null). A date that cannot be read in a
   * batch whose entries are otherwise sound (shifted columns in moov's txp files) is a bank deviation: the
   * entries fall back to the settlement date or the file creation date, with a warning.
   */
  private effectiveDate(record: string, line: number): string | null {
    try {
      return yymmdd(record, 70, 'effective entry date', this.at);
    } catch (error) {
      if (this.options.strict) throw error;
      this.sink.warning({
        code: 'bank-deviation',
        message: `batch header effective entry date ${JSON.stringify(column(record, 70, 75))} (columns 70-75) is not a date YYMMDD; entries dated by settlement or file creation date`,
        line,
        statement: this.statements,
      });
      return null;
    }
  }

  /** A name field that is present must be a name: all zeros is a filler mistake, not a name. */
  private name(record: string, from: number, to: number, field: string): string | null {
    const value = text(record, from, to, this.at);
    if (value !== null && value.charCodeAt(0) === 48 && isZeros(value)) {
      throw fieldError(this.at, field, from, to, 'a name, not zeros', column(record, from, to));
    }
    return value;
  }

  /** Settlement date (Julian day, inserted by the ACH operator): blank in originated files. */
  private settlementDate(record: string, effectiveDate: string | null): string | null {
    if (isBlank(record, 76, 78) || column(record, 76, 78) === '000') return null;
    const day = integer(record, 76, 78, 'settlement date (Julian day)', this.at);
    if (day < 1 || day > 366)
      throw fieldError(
        this.at,
        'settlement date (Julian day)',
        76,
        78,
        'a day of the year 001-366',
        column(record, 76, 78),
      );
    const near = effectiveDate ?? this.fileCreationDate;
    return near === null ? null : julianNear(day, near);
  }

  private openBatch(line: number, what: string): Batch {
    if (this.state !== 'batch') {
      throw this.structure(
        line,
        'batch header',
        `a batch header (5) record before the ${what}`,
        `${what} outside a batch`,
      );
    }
    return this.batch as Batch;
  }

  private entryDetail(record: string, line: number): void {
    const at = this.at;
    at.record = 'entry detail';
    const batch = this.openBatch(line, 'entry detail record');
    if (this.pending !== null) this.flushEntry();
    const codeValue = twoDigits(record, 1);
    if (codeValue < 0 || !isEntryCodeValue(codeValue, batch.adv)) {
      const expected = batch.adv
        ? 'an ADV transaction code 81-88'
        : 'a transaction code such as 22, 27, 32, 37';
      throw fieldError(at, 'transaction code', 2, 3, expected, column(record, 2, 3));
    }
    const code = CODE_TEXT[codeValue] as string;
    const routing = this.routing(record);
    const credit = isCreditCodeValue(codeValue, batch.adv);
    const amountFrom = batch.adv ? 28 : 30;
    const amountCents = integer(record, amountFrom, 39, 'amount', at);
    if (amountCents !== 0 && requiresZeroAmountValue(codeValue)) {
      const expected = `zero: transaction code ${code} is a prenotification or zero-dollar entry`;
      throw fieldError(at, 'amount', amountFrom, 39, expected, column(record, amountFrom, 39));
    }
    const indicator = record.charCodeAt(78);
    if (indicator !== 48 && indicator !== 49) {
      throw fieldError(at, 'addenda record indicator', 79, 79, '0 or 1', column(record, 79, 79));
    }
    const traceNumber = this.traceNumber(record, batch.adv);
    const entry = batch.adv
      ? this.advEntry(batch, record, code, credit, amountFrom, traceNumber)
      : batch.iat
        ? this.iatEntry(batch, record, code, credit, traceNumber)
        : this.domesticEntry(batch, record, code, codeValue, credit, traceNumber);
    let declaredAddenda: number | null = null;
    if (batch.iat) declaredAddenda = integer(record, 13, 16, 'number of addenda records', at);
    else if (batch.layout.addendaCount)
      declaredAddenda = integer(record, 55, 58, 'number of addenda records', at);
    batch.records++;
    batch.entries++;
    batch.hash = (batch.hash + routing) % HASH_MODULUS;
    if (credit) batch.credit.add(amountCents);
    else batch.debit.add(amountCents);
    if (
      !batch.serviceClassWarned &&
      batch.serviceClass === (credit ? SERVICE_CLASS_DEBITS : SERVICE_CLASS_CREDITS)
    ) {
      this.serviceClassDeviation(batch, credit, code, line);
    }
    // One pending slot, reused: an entry is emitted before the next one is read.
    const pending = this.slot;
    pending.entry = entry;
    pending.line = line;
    pending.traceNumber = traceNumber;
    pending.addendaIndicator = indicator === 49;
    pending.declaredAddenda = declaredAddenda;
    pending.addenda = 0;
    pending.iatMandatory = 0;
    pending.paymentCount = 0;
    pending.paymentInfoLine = 0;
    this.pending = pending;
  }

  /** RDFI routing number (columns 4-11) checked against its check digit (12); returns the 8 digits' value. */
  private routing(record: string): number {
    let value = 0;
    let weighted = 0;
    for (let i = 3; i < 11; i++) {
      const digit = record.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) {
        throw fieldError(this.at, 'receiving DFI identification', 4, 11, '8 digits', column(record, 4, 11));
      }
      value = value * 10 + digit;
      weighted += digit * (ROUTING_WEIGHTS[i - 3] as number);
    }
    const check = record.charCodeAt(11) - 48;
    const expected = (10 - (weighted % 10)) % 10;
    if (check !== expected) {
      const routing8 = column(record, 4, 11);
      throw fieldError(
        this.at,
        'check digit',
        12,
        12,
        `check digit ${expected} of routing number ${routing8}`,
        column(record, 12, 12),
      );
    }
    return value;
  }

  /** Trace number (80-94): 15 digits, not all zeros (ADV: ACH operator routing, Julian day, sequence). */
  private traceNumber(record: string, adv: boolean): string {
    let nonZero = false;
    for (let i = 79; i < 94; i++) {
      const c = record.charCodeAt(i);
      if (c < 48 || c > 57) {
        const field = adv ? 'ACH operator routing number / Julian day / sequence number' : 'trace number';
        throw fieldError(this.at, field, 80, 94, '15 digits', column(record, 80, 94));
      }
      if (c !== 48) nonZero = true;
    }
    const trace = record.slice(79, 94);
    if (!nonZero && !adv)
      throw fieldError(this.at, 'trace number', 80, 94, "the ODFI's 15-digit trace number", trace);
    return trace;
  }

  /** The amounts and their signs are unambiguous (the transaction code decides); the header is what is off. */
  private serviceClassDeviation(batch: Batch, credit: boolean, code: string, line: number): void {
    batch.serviceClassWarned = true;
    const only = batch.serviceClass === SERVICE_CLASS_CREDITS ? 'credits' : 'debits';
    this.sink.warning({
      code: 'bank-deviation',
      message: `batch ${batch.number}: ${credit ? 'credit' : 'debit'} entry (transaction code ${code}) in a batch with service class ${batch.serviceClass} (${only} only)`,
      line,
      statement: batch.statement,
    });
  }

  private baseEntry(
    batch: Batch,
    record: string,
    code: string,
    credit: boolean,
    amountFrom: number,
    bank: string,
    trace: string,
  ): BankEntry {
    return {
      booking_date: batch.effectiveDate ?? batch.settlementDate ?? this.fileCreationDate,
      value_date: batch.settlementDate ?? batch.effectiveDate ?? this.fileCreationDate,
      amount: centsToDecimal(record, amountFrom, 39, !credit),
      currency: 'USD',
      bank_transaction_code: transactionCodeLabel(batch, code),
      bank_reference: trace,
      end_to_end_id: null,
      counterparty: { name: null, account: null, bank },
      remittance: { references: [], text: null },
      sec_code: batch.sec,
      transaction_code: code,
      individual_id: null,
      company_name: batch.companyName,
      company_id: batch.companyId,
      company_entry_description: batch.description,
      discretionary_data: null,
    };
  }

  private domesticEntry(
    batch: Batch,
    record: string,
    code: string,
    codeValue: number,
    credit: boolean,
    trace: string,
  ): BankEntry {
    const entry = this.baseEntry(batch, record, code, credit, 30, column(record, 4, 12), trace);
    entry.counterparty.account = text(record, 13, 29, this.at);
    const layout = batch.layout;
    entry.individual_id = text(record, layout.idFrom, layout.idTo, this.at);
    entry.counterparty.name = this.name(record, layout.nameFrom, layout.nameTo, 'receiver name');
    if (entry.counterparty.name === null && layout.nameRequired) {
      throw fieldError(
        this.at,
        'receiver name',
        layout.nameFrom,
        layout.nameTo,
        `the receiver's name (mandatory for ${batch.sec} entries)`,
        column(record, layout.nameFrom, layout.nameTo),
      );
    }
    entry.discretionary_data = text(record, 77, 78, this.at);
    if (isReturnOrNocCodeValue(codeValue)) entry.return_or_notification = true;
    return entry;
  }

  private iatEntry(batch: Batch, record: string, code: string, credit: boolean, trace: string): BankEntry {
    const entry = this.baseEntry(batch, record, code, credit, 30, column(record, 4, 12), trace);
    entry.counterparty.account = text(record, 40, 74, this.at);
    entry.ofac_screening = text(record, 77, 78, this.at);
    return entry;
  }

  private advEntry(
    batch: Batch,
    record: string,
    code: string,
    credit: boolean,
    amountFrom: number,
    trace: string,
  ): BankEntry {
    const entry = this.baseEntry(batch, record, code, credit, amountFrom, column(record, 4, 12), trace);
    entry.counterparty.account = text(record, 13, 27, this.at);
    entry.counterparty.name = text(record, 55, 76, this.at);
    entry.discretionary_data = text(record, 77, 78, this.at);
    entry.advice_routing_number = text(record, 40, 48, this.at);
    entry.file_identification = text(record, 49, 53, this.at);
    return entry;
  }

  private addenda(record: string, line: number): void {
    const at = this.at;
    at.record = 'addenda';
    const batch = this.openBatch(line, 'addenda record');
    const pending = this.pending;
    if (pending === null) {
      throw this.structure(
        line,
        'entry detail',
        'an entry detail (6) record before its addenda',
        'addenda record outside an entry',
      );
    }
    batch.records++;
    pending.addenda++;
    // As digits() would read it, but as one of the shared CODE_TEXT strings (no string cut per addenda).
    const typeValue = twoDigits(record, 1);
    if (typeValue < 0) throw fieldError(at, 'addenda type code', 2, 3, '2 digits', column(record, 2, 3));
    const type = CODE_TEXT[typeValue] as string;
    const entry = pending.entry;
    switch (type) {
      case '05':
        this.paymentRelated(pending, record, line, 4, 83);
        return;
      case '17':
        if (!batch.iat) break;
        this.paymentRelated(pending, record, line, 4, 83);
        return;
      case '99':
        this.returnAddenda(entry, record, line);
        return;
      case '98':
        applyNotificationOfChange(entry, record, at);
        return;
      case '02':
        applyTerminal(entry, record, at);
        return;
      case '10':
      case '11':
      case '12':
      case '13':
      case '14':
      case '15':
      case '16':
      case '18':
        if (!batch.iat) break;
        if (type !== '18') pending.iatMandatory++;
        applyIatAddenda(entry, type, record, at);
        return;
    }
    throw fieldError(
      at,
      'addenda type code',
      2,
      3,
      batch.iat ? 'IAT addenda 10-18, 98 or 99' : 'addenda type 02, 05, 98 or 99',
      type,
    );
  }

  /**
   * Payment-related information (05, IAT 17). The addenda and entry sequence numbers only order the chunks:
   * upstream fixtures repeat or shift them, and the amounts do not depend on them, so they are not checked.
   */
  private paymentRelated(
    pending: PendingEntry,
    record: string,
    line: number,
    from: number,
    to: number,
  ): void {
    const count = pending.paymentCount;
    if (count === 0) pending.paymentInfoLine = line;
    pending.paymentSequences[count] = isAllDigits(record, 84, 87)
      ? integer(record, 84, 87, 'addenda sequence number', this.at)
      : Number.NaN;
    pending.paymentInfo[count] = rawText(record, from, to, this.at);
    pending.paymentCount = count + 1;
  }

  /** The chunks in addenda sequence order when the numbers are distinct, else in file order (as required). */
  private orderedPaymentInfo(pending: PendingEntry): string {
    const count = pending.paymentCount;
    if (count === 1) return pending.paymentInfo[0] as string;
    const chunks = pending.paymentInfo.slice(0, count);
    const sequences = pending.paymentSequences.slice(0, count);
    let ascending = true;
    for (let i = 1; i < sequences.length && ascending; i++)
      ascending = (sequences[i] as number) > (sequences[i - 1] as number);
    if (ascending || new Set(sequences).size !== sequences.length || sequences.some(Number.isNaN))
      return chunks.join('');
    const order = sequences
      .map((sequence, index) => ({ sequence, index }))
      .sort((a, b) => a.sequence - b.sequence);
    return order.map(({ index }) => chunks[index]).join('');
  }

  /**
   * A return (99). A reason code outside the NACHA list is accepted with a warning when the transaction code
   * says the entry is a return (banks use custom codes); on a forward entry it leaves the entry ambiguous.
   */
  private returnAddenda(entry: BankEntry, record: string, line: number): void {
    applyReturn(entry, record, this.at);
    const reason = entry.return_reason as string;
    if (isReturnReasonCode(reason)) return;
    const code = entry.transaction_code as string;
    if (!isReturnOrNocCode(code)) {
      throw fieldError(
        this.at,
        'return reason code',
        4,
        6,
        'a NACHA return reason code R01-R85',
        column(record, 4, 6),
      );
    }
    this.sink.warning({
      code: 'bank-deviation',
      message: `entry ${entry.bank_reference}: non-standard return reason code ${JSON.stringify(reason)} on return entry (transaction code ${code})`,
      line,
      statement: (this.batch as Batch).statement,
    });
  }

  /** Emits the pending entry once all its addenda are known. */
  private flushEntry(): void {
    const pending = this.pending as PendingEntry;
    this.pending = null;
    const batch = this.batch as Batch;
    const entry = pending.entry;
    if (pending.addendaIndicator !== pending.addenda > 0) {
      this.mismatch(
        pending.line,
        'addenda record indicator',
        `entry ${pending.traceNumber}: addenda record indicator ${pending.addendaIndicator ? 1 : 0} but ${pending.addenda} addenda record(s) follow`,
        batch.statement,
      );
    }
    if (
      pending.declaredAddenda !== null &&
      pending.declaredAddenda !== pending.addenda &&
      !(batch.iat && pending.declaredAddenda === pending.iatMandatory)
    ) {
      this.mismatch(
        pending.line,
        'number of addenda records',
        `entry ${pending.traceNumber}: number of addenda records ${pending.declaredAddenda}, ${pending.addenda} addenda record(s) follow`,
        batch.statement,
      );
    }
    if (pending.paymentCount > 0) {
      applyPaymentInfo(entry, this.orderedPaymentInfo(pending), pending.paymentInfoLine, this.remittance);
    }
    this.sink.entry(entry);
  }

  private batchControl(record: string, line: number): void {
    const at = this.at;
    at.record = 'batch control';
    const batch = this.openBatch(line, 'batch control record');
    if (this.pending !== null) this.flushEntry();
    const adv = batch.adv;
    const serviceClass = column(record, 2, 4);
    const count = integer(record, 5, 10, 'entry/addenda count', at);
    const hash = integer(record, 11, 20, 'entry hash', at);
    const debit = BigInt(digits(record, 21, adv ? 40 : 32, 'total debit entry dollar amount', at));
    const credit = BigInt(
      digits(record, adv ? 41 : 33, adv ? 60 : 44, 'total credit entry dollar amount', at),
    );
    const odfi = digits(record, 80, 87, 'originating DFI identification', at);
    const number = digits(record, 88, 94, 'batch number', at);
    const where = `batch ${batch.number} (line ${batch.line})`;
    const check = (
      field: string,
      declared: string | number | bigint,
      actual: string | number | bigint,
      what: string,
    ): void => {
      if (declared !== actual)
        this.mismatch(
          line,
          field,
          `${where}: batch control ${what} ${declared}, ${field === 'batch number' ? 'header' : 'records'} ${actual}`,
          batch.statement,
        );
    };
    check('service class code', serviceClass, batch.serviceClass, 'service class code');
    check('entry/addenda count', count, batch.records, 'entry/addenda count');
    check('entry hash', hash, batch.hash, 'entry hash');
    if (debit !== batch.debit.value) {
      this.mismatch(
        line,
        'total debit',
        `${where}: batch control total debit ${formatCents(debit)}, entries ${formatCents(batch.debit.value)}`,
        batch.statement,
      );
    }
    if (credit !== batch.credit.value) {
      this.mismatch(
        line,
        'total credit',
        `${where}: batch control total credit ${formatCents(credit)}, entries ${formatCents(batch.credit.value)}`,
        batch.statement,
      );
    }
    if (odfi !== batch.odfi)
      this.mismatch(
        line,
        'originating DFI identification',
        `${where}: batch control ODFI ${odfi}, header ${batch.odfi}`,
        batch.statement,
      );
    if (number !== batch.number)
      this.mismatch(
        line,
        'batch number',
        `${where}: batch control batch number ${number}, header ${batch.number}`,
        batch.statement,
      );
    if (!adv && !batch.iat) {
      const companyId = text(record, 45, 54, this.at);
      if (companyId !== batch.companyId) {
        this.mismatch(
          line,
          'company identification',
          `${where}: batch control company identification ${companyId ?? '(blank)'}, header ${batch.companyId ?? '(blank)'}`,
          batch.statement,
        );
      }
    }
    this.fileBatches++;
    this.fileRecords += batch.records;
    this.fileHash = (this.fileHash + batch.hash) % HASH_MODULUS;
    this.fileDebit.addBig(batch.debit.value);
    this.fileCredit.addBig(batch.credit.value);
    if (!adv) this.allAdv = false;
    batch.info.entry_count = batch.entries;
    batch.info.total_debit = formatCents(batch.debit.value);
    batch.info.total_credit = formatCents(batch.credit.value);
    this.batch = null;
    this.state = 'file';
    this.sink.endStatement(batch.info);
  }

  private fileControl(record: string, line: number): void {
    const at = this.at;
    at.record = 'file control';
    this.expectBetweenBatches(line, 'file control without a file header', 'file control inside a batch');
    const adv = this.allAdv && this.fileBatches > 0;
    const batches = integer(record, 2, 7, 'batch count', at);
    const blocks = integer(record, 8, 13, 'block count', at);
    const count = integer(record, 14, 21, 'entry/addenda count', at);
    const hash = integer(record, 22, 31, 'entry hash', at);
    const debit = BigInt(digits(record, 32, adv ? 51 : 43, 'total debit entry dollar amount', at));
    const credit = BigInt(
      digits(record, adv ? 52 : 44, adv ? 71 : 55, 'total credit entry dollar amount', at),
    );
    const check = (field: string, declared: number, actual: number): void => {
      if (declared !== actual)
        this.mismatch(line, field, `file control ${field} ${declared}, file has ${actual}`);
    };
    check('batch count', batches, this.fileBatches);
    this.declaredBlocks = blocks;
    this.fileControlLine = line;
    check('entry/addenda count', count, this.fileRecords);
    check('entry hash', hash, this.fileHash);
    if (debit !== this.fileDebit.value) {
      this.mismatch(
        line,
        'total debit',
        `file control total debit ${formatCents(debit)}, entries ${formatCents(this.fileDebit.value)}`,
      );
    }
    if (credit !== this.fileCredit.value) {
      this.mismatch(
        line,
        'total credit',
        `file control total credit ${formatCents(credit)}, entries ${formatCents(this.fileCredit.value)}`,
      );
    }
    this.state = 'ended';
  }
}
