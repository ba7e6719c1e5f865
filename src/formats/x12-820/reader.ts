import { formatMinor, minorUnitExponent } from '../../money/index.js';
import { ParseError, type ParseErrorLocation } from '../errors.js';
import type { ParseSink, RemittanceAdjustment, RemittanceAdvice, RemittanceLine } from '../model.js';
import type { X12Segment } from './tokenizer.js';
import {
  decimalPlaces,
  padDecimal,
  parseCount,
  parseX12Date,
  parseX12Decimal,
  sameControlNumber,
  scaledInteger,
} from './values.js';

/** A REF segment: qualifier (REF01), value (REF02) and description (REF03). */
export interface X12Reference {
  qualifier: string;
  value: string;
  description?: string;
}

/** A DTM segment: a single date, or a period (DTM05 = RD8) with start and end. */
export interface X12Date {
  qualifier: string;
  date?: string;
  start?: string;
  end?: string;
}

export interface X12Party {
  code: string;
  name: string | null;
  id_qualifier: string | null;
  id: string | null;
  references?: X12Reference[];
}

export interface X12Entity {
  number: string | null;
  id_qualifier: string | null;
  id: string | null;
  name: string | null;
  references?: X12Reference[];
  dates?: X12Date[];
}

/** ADX adjustment with its reference (ADX03/ADX04) and the REF/DTM segments of its loop. */
export interface X12Adjustment extends RemittanceAdjustment {
  reference_qualifier?: string;
  reference?: string;
  references?: X12Reference[];
  dates?: X12Date[];
  entity?: string | null;
}

/** Where REF/DTM segments attach: the most recent N1 party, ENT, RMR or ADX loop (or the advice itself). */
interface Annotated {
  references?: X12Reference[];
  dates?: X12Date[];
}

export interface X12ReaderOptions {
  fileName: string;
  lenient?: boolean;
  /** Accept a bare ST…SE transaction set without ISA/GS envelopes (NACHA CTX addenda). */
  bare?: boolean;
}

interface Transaction {
  controlNumber: string;
  line: number;
  segmentCount: number;
  advice: RemittanceAdvice;
  lines: RemittanceLine[];
  parties: X12Party[];
  adjustments: X12Adjustment[];
  currency: string | null;
  entity: X12Entity | null;
  currentLine: RemittanceLine | null;
  context: Annotated;
}

type EnvelopeState = 'outside' | 'interchange' | 'group';

function element(segment: X12Segment, index: number): string {
  return segment.get(index);
}

function orNull(text: string): string | null {
  return text === '' ? null : text;
}

/**
 * Reads 820 transaction sets from X12 segments: checks the ISA/GS/ST envelopes and their control numbers and
 * counts, and emits one remittance advice per ST…SE. Any other transaction set (824, 997, …) is rejected.
 */
export class X12820Reader {
  private state: EnvelopeState;
  private interchangeControl = '';
  private interchangeLine = 0;
  private groupCount = 0;
  private groupControl = '';
  private groupLine = 0;
  private groupVersion: string | null = null;
  private transactionCount = 0;
  private transaction: Transaction | null = null;
  private interchanges = 0;
  private advices = 0;

  constructor(
    private readonly options: X12ReaderOptions,
    private readonly sink: ParseSink,
  ) {
    this.state = options.bare ? 'group' : 'outside';
  }

  get remittanceCount(): number {
    return this.advices;
  }

  segment(segment: X12Segment): void {
    const id = segment.id;
    if (this.transaction !== null) {
      this.transaction.segmentCount++;
      if (id === 'SE') this.endTransaction(segment);
      else this.transactionSegment(this.transaction, id, segment);
      return;
    }
    switch (id) {
      case 'ISA':
        this.beginInterchange(segment);
        return;
      case 'IEA':
        this.endInterchange(segment);
        return;
      case 'GS':
        this.beginGroup(segment);
        return;
      case 'GE':
        this.endGroup(segment);
        return;
      case 'ST':
        this.beginTransaction(segment);
        return;
      default:
        throw this.error(
          'structure',
          segment,
          id,
          `a segment inside ST…SE (found ${id} outside a transaction set)`,
          'segment out of place',
        );
    }
  }

  /** End of input: every envelope opened must have been closed. */
  finish(line: number): void {
    const location = { file: this.options.fileName, line };
    if (this.transaction !== null) {
      throw new ParseError(
        'truncated',
        {
          ...location,
          field: 'SE',
          expected: `SE closing transaction set ${this.transaction.controlNumber}`,
        },
        'file ends inside a transaction set',
      );
    }
    if (this.options.bare) {
      if (this.advices === 0)
        throw new ParseError(
          'truncated',
          { ...location, field: 'ST', expected: 'an ST*820 transaction set' },
          'no 820 transaction set',
        );
      return;
    }
    if (this.state === 'group') {
      throw new ParseError(
        'truncated',
        { ...location, field: 'GE', expected: `GE closing group ${this.groupControl}` },
        'file ends inside a functional group',
      );
    }
    if (this.state === 'interchange') {
      throw new ParseError(
        'truncated',
        { ...location, field: 'IEA', expected: `IEA closing interchange ${this.interchangeControl}` },
        'file ends inside an interchange',
      );
    }
    if (this.interchanges === 0) {
      throw new ParseError(
        'truncated',
        { ...location, field: 'ISA', expected: 'an ISA interchange' },
        'no X12 interchange',
      );
    }
  }

  private error(
    code: string,
    segment: X12Segment,
    field: string,
    expected: string,
    detail: string,
    found?: string,
  ): ParseError {
    const location: ParseErrorLocation = {
      file: this.options.fileName,
      line: segment.line,
      path: `segment ${segment.ordinal}`,
      field,
      expected,
    };
    if (found !== undefined) location.found = found;
    return new ParseError(code, location, detail);
  }

  private location(segment: X12Segment, field: string): ParseErrorLocation {
    return { file: this.options.fileName, line: segment.line, path: `segment ${segment.ordinal}`, field };
  }

  /** A control count or number that disagrees: an error, or a warning when the caller asked for leniency. */
  private controlMismatch(segment: X12Segment, field: string, message: string): void {
    if (this.options.lenient) {
      this.sink.warning({ code: 'control-total', message: `${field}: ${message}`, line: segment.line });
      return;
    }
    throw new ParseError(
      'control-total',
      { file: this.options.fileName, line: segment.line, path: `segment ${segment.ordinal}`, field },
      message,
    );
  }

  private expectState(segment: X12Segment, expected: EnvelopeState, what: string): void {
    if (this.options.bare || this.state !== expected) {
      const id = segment.id;
      throw this.error('structure', segment, id, what, `${id} segment out of place`);
    }
  }

  private beginInterchange(segment: X12Segment): void {
    this.expectState(segment, 'outside', 'ISA only at the start of an interchange');
    this.state = 'interchange';
    this.interchanges++;
    this.interchangeControl = element(segment, 13);
    this.interchangeLine = segment.line;
    this.groupCount = 0;
  }

  private endInterchange(segment: X12Segment): void {
    this.expectState(segment, 'interchange', 'IEA after the last GE of an interchange');
    const count = parseCount(element(segment, 1), this.location(segment, 'IEA01'));
    if (count !== this.groupCount) {
      this.controlMismatch(
        segment,
        'IEA01',
        `IEA01 says ${count} functional group(s), the interchange has ${this.groupCount}`,
      );
    }
    if (!sameControlNumber(element(segment, 2), this.interchangeControl)) {
      this.controlMismatch(
        segment,
        'IEA02',
        `IEA02 ${element(segment, 2)} does not match ISA13 ${this.interchangeControl} (line ${this.interchangeLine})`,
      );
    }
    this.state = 'outside';
  }

  private beginGroup(segment: X12Segment): void {
    this.expectState(segment, 'interchange', 'GS inside an interchange, after ISA or GE');
    this.state = 'group';
    this.groupCount++;
    this.groupControl = element(segment, 6);
    this.groupLine = segment.line;
    this.groupVersion = orNull(element(segment, 8));
    this.transactionCount = 0;
  }

  private endGroup(segment: X12Segment): void {
    this.expectState(segment, 'group', 'GE after the last SE of a functional group');
    const count = parseCount(element(segment, 1), this.location(segment, 'GE01'));
    if (count !== this.transactionCount) {
      this.controlMismatch(
        segment,
        'GE01',
        `GE01 says ${count} transaction set(s), the group has ${this.transactionCount}`,
      );
    }
    if (!sameControlNumber(element(segment, 2), this.groupControl)) {
      this.controlMismatch(
        segment,
        'GE02',
        `GE02 ${element(segment, 2)} does not match GS06 ${this.groupControl} (line ${this.groupLine})`,
      );
    }
    this.state = 'interchange';
  }

  private beginTransaction(segment: X12Segment): void {
    if (this.state !== 'group')
      throw this.error(
        'structure',
        segment,
        'ST',
        'ST inside a functional group (after GS)',
        'ST segment out of place',
      );
    const set = element(segment, 1);
    if (set !== '820') {
      throw this.error(
        'unsupported-transaction',
        segment,
        'ST01',
        'transaction set 820 (payment order / remittance advice)',
        `X12 transaction set ${set || '(blank)'} is not an 820 remittance advice; openar reads only 820`,
        set,
      );
    }
    this.transactionCount++;
    const advice: RemittanceAdvice = {
      payer: null,
      payment_reference: null,
      amount: null,
      lines: [],
      payee: null,
      currency: null,
      payment_method: null,
      payment_date: null,
      transaction_control_number: element(segment, 2),
    };
    this.transaction = {
      controlNumber: element(segment, 2),
      line: segment.line,
      segmentCount: 1,
      advice,
      lines: advice.lines,
      parties: [],
      adjustments: [],
      currency: null,
      entity: null,
      currentLine: null,
      context: advice as Annotated,
    };
  }

  private transactionSegment(tx: Transaction, id: string, segment: X12Segment): void {
    switch (id) {
      case 'BPR':
        this.readBpr(tx, segment);
        return;
      case 'TRN':
        tx.advice.payment_reference = orNull(element(segment, 2));
        if (element(segment, 1)) tx.advice.trace_type = element(segment, 1);
        if (element(segment, 3)) tx.advice.originator_id = element(segment, 3);
        return;
      case 'CUR':
        this.readCur(tx, segment);
        return;
      case 'N1':
        this.readN1(tx, segment);
        return;
      case 'ENT':
        tx.entity = {
          number: orNull(element(segment, 1)),
          id_qualifier: orNull(element(segment, 3)),
          id: orNull(element(segment, 4)),
          name: null,
        };
        tx.currentLine = null;
        tx.context = tx.entity;
        return;
      case 'NM1':
        if (tx.entity !== null && tx.entity.name === null) {
          const name = [element(segment, 3), element(segment, 4)].filter((s) => s !== '').join(' ');
          tx.entity.name = orNull(name);
        }
        return;
      case 'RMR':
        this.readRmr(tx, segment);
        return;
      case 'ADX':
        this.readAdx(tx, segment);
        return;
      case 'REF':
        if (tx.context.references === undefined) tx.context.references = [];
        tx.context.references.push(this.readRef(segment));
        return;
      case 'DTM':
        if (tx.context.dates === undefined) tx.context.dates = [];
        tx.context.dates.push(this.readDtm(segment));
        return;
      case 'ST':
      case 'GS':
      case 'GE':
      case 'ISA':
      case 'IEA':
        throw this.error(
          'structure',
          segment,
          'SE',
          `SE closing transaction set ${tx.controlNumber} before ${id}`,
          'transaction set not closed',
        );
      default:
        // N2-N4, PER, NTE, IT1, SAC, TX1, … carry nothing cash application needs; they only count for SE01.
        return;
    }
  }

  private amount(segment: X12Segment, index: number, field: string): string | null {
    const raw = segment.get(index);
    if (raw === '') return null;
    return parseX12Decimal(raw, this.location(segment, field));
  }

  private readBpr(tx: Transaction, segment: X12Segment): void {
    const advice = tx.advice;
    advice.amount = this.amount(segment, 2, 'BPR02');
    if (advice.amount === null)
      throw this.error('invalid-amount', segment, 'BPR02', 'the payment amount', 'BPR without an amount');
    advice.handling_code = orNull(element(segment, 1));
    advice.credit_debit_flag = orNull(element(segment, 3));
    advice.payment_method = orNull(element(segment, 4));
    advice.payment_format = orNull(element(segment, 5));
    if (element(segment, 7) || element(segment, 9)) {
      advice.originator_account = { bank: orNull(element(segment, 7)), account: orNull(element(segment, 9)) };
    }
    if (element(segment, 13) || element(segment, 15)) {
      advice.receiver_account = { bank: orNull(element(segment, 13)), account: orNull(element(segment, 15)) };
    }
    const date = element(segment, 16);
    advice.payment_date = date === '' ? null : parseX12Date(date, this.location(segment, 'BPR16'));
  }

  private readCur(tx: Transaction, segment: X12Segment): void {
    const code = element(segment, 2).toUpperCase();
    if (!/^[A-Z]{3}$/.test(code)) {
      throw this.error(
        'invalid-field',
        segment,
        'CUR02',
        'an ISO 4217 currency code',
        'unreadable currency',
        element(segment, 2),
      );
    }
    tx.currency = code;
    tx.advice.currency = code;
  }

  private readN1(tx: Transaction, segment: X12Segment): void {
    const party: X12Party = {
      code: element(segment, 1),
      name: orNull(element(segment, 2)),
      id_qualifier: orNull(element(segment, 3)),
      id: orNull(element(segment, 4)),
    };
    if (tx.entity !== null) {
      // An N1 inside an ENT loop names that entity.
      if (tx.entity.name === null) tx.entity.name = party.name;
      return;
    }
    tx.parties.push(party);
    tx.context = party;
    if (party.code === 'PR' && tx.advice.payer === null) {
      tx.advice.payer = party.name;
      if (party.id !== null) tx.advice.payer_id = party.id;
    } else if (party.code === 'PE' && tx.advice.payee === null) {
      tx.advice.payee = party.name;
      if (party.id !== null) tx.advice.payee_id = party.id;
    }
  }

  private readRmr(tx: Transaction, segment: X12Segment): void {
    const line: RemittanceLine = {
      document_number: orNull(element(segment, 2)),
      amount_paid: this.amount(segment, 4, 'RMR04'),
      amount_invoiced: this.amount(segment, 5, 'RMR05'),
      discount: this.amount(segment, 6, 'RMR06'),
      adjustments: [],
      reference_qualifier: orNull(element(segment, 1)),
    };
    if (element(segment, 3)) line.payment_action_code = element(segment, 3);
    const adjustmentAmount = this.amount(segment, 8, 'RMR08');
    if (adjustmentAmount !== null && adjustmentAmount !== '0') {
      line.adjustments.push({ reason_code: orNull(element(segment, 7)), amount: adjustmentAmount });
    }
    if (tx.entity !== null) {
      line.entity = tx.entity.number;
      if (tx.entity.id !== null) line.entity_id = tx.entity.id;
      if (tx.entity.name !== null) line.entity_name = tx.entity.name;
    }
    tx.lines.push(line);
    tx.currentLine = line;
    tx.context = line as Annotated;
  }

  private readAdx(tx: Transaction, segment: X12Segment): void {
    const amount = this.amount(segment, 1, 'ADX01');
    if (amount === null)
      throw this.error('invalid-amount', segment, 'ADX01', 'the adjustment amount', 'ADX without an amount');
    const adjustment: X12Adjustment = { reason_code: orNull(element(segment, 2)), amount };
    if (element(segment, 3)) adjustment.reference_qualifier = element(segment, 3);
    if (element(segment, 4)) adjustment.reference = element(segment, 4);
    if (tx.currentLine !== null) {
      tx.currentLine.adjustments.push(adjustment);
    } else {
      // ADX before any RMR of its ENT loop: an adjustment of the whole payment (credit memo, deduction).
      adjustment.entity = tx.entity?.number ?? null;
      tx.adjustments.push(adjustment);
    }
    tx.context = adjustment;
  }

  private readRef(segment: X12Segment): X12Reference {
    const ref: X12Reference = { qualifier: element(segment, 1), value: element(segment, 2) };
    if (element(segment, 3)) ref.description = element(segment, 3);
    return ref;
  }

  private readDtm(segment: X12Segment): X12Date {
    const qualifier = element(segment, 1);
    const date = element(segment, 2);
    if (date !== '') return { qualifier, date: parseX12Date(date, this.location(segment, 'DTM02')) };
    const format = element(segment, 5);
    const value = element(segment, 6);
    if (format === 'RD8') {
      const [start = '', end = ''] = value.split('-');
      return {
        qualifier,
        start: parseX12Date(start, this.location(segment, 'DTM06')),
        end: parseX12Date(end, this.location(segment, 'DTM06')),
      };
    }
    if (format === 'D8' || format === 'D6')
      return { qualifier, date: parseX12Date(value, this.location(segment, 'DTM06')) };
    throw this.error(
      'invalid-date',
      segment,
      'DTM02',
      'a date in DTM02, or DTM05 D8/RD8 with DTM06',
      'DTM without a date',
      value,
    );
  }

  private endTransaction(segment: X12Segment): void {
    const tx = this.transaction as Transaction;
    this.transaction = null;
    const count = parseCount(element(segment, 1), this.location(segment, 'SE01'));
    if (count !== tx.segmentCount) {
      this.controlMismatch(
        segment,
        'SE01',
        `SE01 says ${count} segments, transaction set ${tx.controlNumber} has ${tx.segmentCount}`,
      );
    }
    if (!sameControlNumber(element(segment, 2), tx.controlNumber)) {
      this.controlMismatch(
        segment,
        'SE02',
        `SE02 ${element(segment, 2)} does not match ST02 ${tx.controlNumber} (line ${tx.line})`,
      );
    }
    if (tx.advice.amount === null) {
      throw this.error(
        'structure',
        segment,
        'BPR',
        `a BPR segment in transaction set ${tx.controlNumber}`,
        'transaction set without a BPR payment',
      );
    }
    this.finishAdvice(tx, segment);
    this.advices++;
    this.sink.remittance(tx.advice);
  }

  private finishAdvice(tx: Transaction, segment: X12Segment): void {
    const advice = tx.advice;
    const exponent = tx.currency === null ? 2 : minorUnitExponent(tx.currency);
    advice.amount = padOrNull(advice.amount, exponent);
    for (const line of tx.lines) {
      line.amount_paid = padOrNull(line.amount_paid, exponent);
      line.amount_invoiced = padOrNull(line.amount_invoiced, exponent);
      line.discount = padOrNull(line.discount, exponent);
      for (const adjustment of line.adjustments) adjustment.amount = padDecimal(adjustment.amount, exponent);
    }
    for (const adjustment of tx.adjustments) adjustment.amount = padDecimal(adjustment.amount, exponent);
    if (tx.parties.length > 0) advice.parties = tx.parties;
    if (tx.adjustments.length > 0) advice.adjustments = tx.adjustments;
    if (this.groupVersion !== null && !this.options.bare) advice.version = this.groupVersion;
    this.checkRemittanceTotal(tx, segment);
  }

  /**
   * Σ RMR04 (plus entity-level ADX) is usually BPR02; discounts already netted, credit memos and template
   * files make it differ, so a difference is a warning, never an error.
   */
  private checkRemittanceTotal(tx: Transaction, segment: X12Segment): void {
    const amount = tx.advice.amount;
    if (amount === null) return;
    let scale = decimalPlaces(amount);
    let paidCount = 0;
    for (const line of tx.lines) {
      if (line.amount_paid === null) continue;
      paidCount++;
      scale = Math.max(scale, decimalPlaces(line.amount_paid));
    }
    if (paidCount === 0) return;
    for (const adjustment of tx.adjustments) scale = Math.max(scale, decimalPlaces(adjustment.amount));
    let sumPaid = 0n;
    for (const line of tx.lines)
      if (line.amount_paid !== null) sumPaid += scaledInteger(line.amount_paid, scale);
    const expected = scaledInteger(amount, scale);
    if (sumPaid === expected) return;
    let withAdjustments = sumPaid;
    for (const adjustment of tx.adjustments) withAdjustments += scaledInteger(adjustment.amount, scale);
    if (tx.adjustments.length > 0 && withAdjustments === expected) return;
    const adjusted =
      tx.adjustments.length > 0 ? ` (${formatMinor(withAdjustments, scale)} with entity-level ADX)` : '';
    this.sink.warning({
      code: 'remittance-total',
      message: `transaction set ${tx.controlNumber}: sum of RMR04 ${formatMinor(sumPaid, scale)}${adjusted} differs from BPR02 ${amount}`,
      line: segment.line,
    });
  }
}

function padOrNull(value: string | null, exponent: number): string | null {
  return value === null ? null : padDecimal(value, exponent);
}
