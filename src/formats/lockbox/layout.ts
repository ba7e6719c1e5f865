/**
 * Fixed-width lockbox layouts. A layout says, per record type code, what the record is (its role)
 * and where its fields are (1-based start column, length, kind) — the way bank lockbox specifications
 * are written — so that a bank's own variant can be read without code (`options.mapping`).
 * The BAI lockbox transmission layout is the default, expressed in the same structure.
 */
import { ParseError } from '../errors.js';

export type FieldKind = 'text' | 'digits' | 'number' | 'amount' | 'date-yymmdd' | 'date-mmddyy' | 'time-hhmm';

export const FIELD_KINDS: readonly FieldKind[] = [
  'text',
  'digits',
  'number',
  'amount',
  'date-yymmdd',
  'date-mmddyy',
  'time-hhmm',
];

/** A field: 1-based start column and length, as bank specifications print them. */
export interface FieldSpec {
  start: number;
  length: number;
  kind: FieldKind;
}

export type RecordRole =
  | 'file-header'
  | 'service-header'
  | 'lockbox-header'
  | 'check'
  | 'overflow'
  | 'batch-total'
  | 'lockbox-total'
  | 'file-trailer';

export const RECORD_ROLES: readonly RecordRole[] = [
  'file-header',
  'service-header',
  'lockbox-header',
  'check',
  'overflow',
  'batch-total',
  'lockbox-total',
  'file-trailer',
];

/**
 * Repeating invoice slots inside a record (overflow records; some banks also use the tail of the
 * check record): `count` slots every `stride` columns from `start`, each an invoice number and an
 * optional amount at offsets within the slot (0-based offsets, lengths in characters).
 */
export interface InvoiceSlots {
  start: number;
  count: number;
  stride: number;
  number: { offset: number; length: number };
  amount?: { offset: number; length: number };
}

export interface RecordLayout {
  role: RecordRole;
  fields: Record<string, FieldSpec>;
  invoices?: InvoiceSlots;
}

export interface LockboxLayout {
  name: string;
  /** Where the record type code sits (1-based column and length). */
  recordType: { start: number; length: number };
  /** Implied decimal places of `amount` fields. */
  amountDecimals: number;
  currency: string;
  /** Length of each physical record when the file has no line ends; 0 for line-delimited files. */
  recordLength: number;
  records: Record<string, RecordLayout>;
}

/**
 * Field names the reader understands, per role. Any other field is kept in the entry's or
 * statement's `fields` extra, so a bank layout can carry customer numbers and the like.
 *  - file-header: destination, origin, date, time
 *  - lockbox-header: lockbox_number, deposit_date, batch_number, destination
 *  - check: amount (required), batch_number, item_number, routing, account, check_number,
 *    check_date, remitter_name, payee_name
 *  - overflow: batch_number, item_number, overflow_type, sequence, last, text
 *  - batch-total: batch_number, lockbox_number, deposit_date, item_count, amount_total
 *  - lockbox-total: lockbox_number, deposit_date, item_count, amount_total
 *  - file-trailer: record_count, amount_total
 */
export const BAI_LOCKBOX_LAYOUT: LockboxLayout = {
  name: 'bai-lockbox',
  recordType: { start: 1, length: 1 },
  amountDecimals: 2,
  currency: 'USD',
  recordLength: 0,
  records: {
    '1': {
      role: 'file-header',
      fields: {
        priority_code: { start: 2, length: 2, kind: 'digits' },
        destination: { start: 4, length: 10, kind: 'text' },
        origin: { start: 14, length: 10, kind: 'text' },
        date: { start: 24, length: 6, kind: 'date-yymmdd' },
        time: { start: 30, length: 4, kind: 'time-hhmm' },
      },
    },
    '2': {
      role: 'service-header',
      fields: {
        destination_and_origin: { start: 2, length: 20, kind: 'text' },
        reference_code: { start: 22, length: 10, kind: 'text' },
        service_type: { start: 32, length: 3, kind: 'digits' },
        record_size: { start: 35, length: 3, kind: 'digits' },
        blocking_factor: { start: 38, length: 4, kind: 'digits' },
        format_code: { start: 42, length: 1, kind: 'digits' },
      },
    },
    '5': {
      role: 'lockbox-header',
      fields: {
        batch_number: { start: 2, length: 3, kind: 'digits' },
        reference_code: { start: 5, length: 3, kind: 'digits' },
        lockbox_number: { start: 8, length: 7, kind: 'text' },
        deposit_date: { start: 15, length: 6, kind: 'date-yymmdd' },
        destination: { start: 21, length: 20, kind: 'text' },
      },
    },
    '6': {
      role: 'check',
      fields: {
        batch_number: { start: 2, length: 3, kind: 'digits' },
        item_number: { start: 5, length: 3, kind: 'digits' },
        amount: { start: 8, length: 10, kind: 'amount' },
        routing: { start: 18, length: 9, kind: 'text' },
        account: { start: 27, length: 10, kind: 'text' },
        check_number: { start: 37, length: 10, kind: 'text' },
        check_date: { start: 47, length: 6, kind: 'date-mmddyy' },
        remitter_name: { start: 53, length: 30, kind: 'text' },
        payee_name: { start: 83, length: 20, kind: 'text' },
      },
    },
    '4': {
      role: 'overflow',
      fields: {
        batch_number: { start: 2, length: 3, kind: 'digits' },
        item_number: { start: 5, length: 3, kind: 'digits' },
        overflow_type: { start: 8, length: 1, kind: 'digits' },
        sequence: { start: 9, length: 2, kind: 'digits' },
        last: { start: 11, length: 1, kind: 'digits' },
      },
      invoices: {
        start: 12,
        count: 3,
        stride: 25,
        number: { offset: 0, length: 15 },
        amount: { offset: 15, length: 10 },
      },
    },
    '7': {
      role: 'batch-total',
      fields: {
        batch_number: { start: 2, length: 3, kind: 'digits' },
        item_number: { start: 5, length: 3, kind: 'digits' },
        lockbox_number: { start: 8, length: 7, kind: 'text' },
        deposit_date: { start: 15, length: 6, kind: 'date-yymmdd' },
        item_count: { start: 21, length: 3, kind: 'number' },
        amount_total: { start: 24, length: 10, kind: 'amount' },
      },
    },
    '8': {
      role: 'lockbox-total',
      fields: {
        batch_number: { start: 2, length: 3, kind: 'digits' },
        item_number: { start: 5, length: 3, kind: 'digits' },
        lockbox_number: { start: 8, length: 7, kind: 'text' },
        deposit_date: { start: 15, length: 6, kind: 'date-yymmdd' },
        item_count: { start: 21, length: 4, kind: 'number' },
        amount_total: { start: 25, length: 10, kind: 'amount' },
      },
    },
    '9': {
      role: 'file-trailer',
      fields: {
        // Six digits (columns 2-7) in the BAI layout; read through column 10 so that a transmission
        // of more than 999,999 records, whose processor writes a longer count, can still be checked.
        record_count: { start: 2, length: 9, kind: 'number' },
      },
    },
  },
};

/** A field ready for slicing: 0-based [from, to). */
export interface CompiledField {
  name: string;
  from: number;
  to: number;
  kind: FieldKind;
}

export interface CompiledRecord {
  code: string;
  role: RecordRole;
  fields: CompiledField[];
  invoices: InvoiceSlots | null;
}

export interface CompiledLayout {
  name: string;
  typeFrom: number;
  typeTo: number;
  amountDecimals: number;
  currency: string;
  recordLength: number;
  byCode: Map<string, CompiledRecord>;
  roles: Set<RecordRole>;
}

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

const LAYOUT_NAMES = new Set(['bai', 'bai-lockbox', 'default']);

/**
 * Resolves `options.mapping`: nothing or a layout name gives the BAI layout; an object is a layout
 * whose missing top-level keys default to the BAI layout's (give `records` to change records).
 */
export function resolveLayout(mapping: unknown, fileName: string): CompiledLayout {
  if (mapping === undefined || mapping === null) return compileLayout(BAI_LOCKBOX_LAYOUT, fileName);
  if (typeof mapping === 'string') {
    if (LAYOUT_NAMES.has(mapping)) return compileLayout(BAI_LOCKBOX_LAYOUT, fileName);
    throw mappingError(fileName, 'mapping', 'a lockbox layout object or "bai-lockbox"', mapping);
  }
  if (typeof mapping !== 'object' || Array.isArray(mapping)) {
    throw mappingError(fileName, 'mapping', 'a lockbox layout object', String(mapping));
  }
  const merged = { ...BAI_LOCKBOX_LAYOUT, ...(mapping as Partial<LockboxLayout>) };
  return compileLayout(merged, fileName);
}

export function compileLayout(layout: LockboxLayout, fileName: string): CompiledLayout {
  const type = layout.recordType;
  if (!isRecord(type) || !isPositiveInt(type.start) || !isPositiveInt(type.length)) {
    throw mappingError(
      fileName,
      'recordType',
      '{ start, length } with positive integers',
      JSON.stringify(type),
    );
  }
  if (!Number.isInteger(layout.amountDecimals) || layout.amountDecimals < 0 || layout.amountDecimals > 6) {
    throw mappingError(fileName, 'amountDecimals', 'an integer from 0 to 6', String(layout.amountDecimals));
  }
  if (typeof layout.currency !== 'string' || !/^[A-Z]{3}$/.test(layout.currency)) {
    throw mappingError(fileName, 'currency', 'an ISO 4217 currency code', String(layout.currency));
  }
  if (!Number.isInteger(layout.recordLength) || layout.recordLength < 0) {
    throw mappingError(
      fileName,
      'recordLength',
      '0 or a positive record length',
      String(layout.recordLength),
    );
  }
  if (!isRecord(layout.records))
    throw mappingError(fileName, 'records', 'an object keyed by record type code', '');
  const byCode = new Map<string, CompiledRecord>();
  const roles = new Set<RecordRole>();
  for (const [code, record] of Object.entries(layout.records)) {
    if (code.length !== type.length) {
      throw mappingError(
        fileName,
        `records.${code}`,
        `a record type code of ${type.length} characters`,
        code,
      );
    }
    const compiled = compileRecord(code, record, fileName);
    if (roles.has(compiled.role) && compiled.role !== 'overflow') {
      throw mappingError(fileName, `records.${code}.role`, 'each role once (except overflow)', compiled.role);
    }
    roles.add(compiled.role);
    byCode.set(code, compiled);
  }
  const check = [...byCode.values()].find((r) => r.role === 'check');
  if (check === undefined) throw mappingError(fileName, 'records', 'a record with role "check"', 'none');
  if (!check.fields.some((f) => f.name === 'amount' && f.kind === 'amount')) {
    throw mappingError(
      fileName,
      `records.${check.code}.fields.amount`,
      'an amount field on the check record',
      'none',
    );
  }
  return {
    name: typeof layout.name === 'string' ? layout.name : 'custom',
    typeFrom: type.start - 1,
    typeTo: type.start - 1 + type.length,
    amountDecimals: layout.amountDecimals,
    currency: layout.currency,
    recordLength: layout.recordLength,
    byCode,
    roles,
  };
}

function compileRecord(code: string, record: unknown, fileName: string): CompiledRecord {
  const where = `records.${code}`;
  if (!isRecord(record)) throw mappingError(fileName, where, 'a record layout object', String(record));
  const role = record.role;
  if (typeof role !== 'string' || !RECORD_ROLES.includes(role as RecordRole)) {
    throw mappingError(fileName, `${where}.role`, RECORD_ROLES.join(', '), String(role));
  }
  const fieldsIn = record.fields ?? {};
  if (!isRecord(fieldsIn))
    throw mappingError(fileName, `${where}.fields`, 'an object of fields', String(fieldsIn));
  const fields: CompiledField[] = [];
  for (const [name, spec] of Object.entries(fieldsIn)) {
    const at = `${where}.fields.${name}`;
    if (!FIELD_NAME.test(name))
      throw mappingError(fileName, at, 'a field name of letters, digits and _', name);
    if (!isRecord(spec) || !isPositiveInt(spec.start) || !isPositiveInt(spec.length)) {
      throw mappingError(
        fileName,
        at,
        '{ start, length, kind } with a 1-based start and a positive length',
        JSON.stringify(spec),
      );
    }
    if (typeof spec.kind !== 'string' || !FIELD_KINDS.includes(spec.kind as FieldKind)) {
      throw mappingError(fileName, `${at}.kind`, FIELD_KINDS.join(', '), String(spec.kind));
    }
    fields.push({
      name,
      from: spec.start - 1,
      to: spec.start - 1 + spec.length,
      kind: spec.kind as FieldKind,
    });
  }
  let invoices: InvoiceSlots | null = null;
  if (record.invoices !== undefined)
    invoices = checkInvoiceSlots(record.invoices, `${where}.invoices`, fileName);
  return { code, role: role as RecordRole, fields, invoices };
}

function checkInvoiceSlots(value: unknown, where: string, fileName: string): InvoiceSlots {
  const ok =
    isRecord(value) &&
    isPositiveInt(value.start) &&
    isPositiveInt(value.count) &&
    value.count <= 100 &&
    isPositiveInt(value.stride) &&
    isSlotPart(value.number) &&
    (value.amount === undefined || isSlotPart(value.amount));
  if (!ok) {
    throw mappingError(
      fileName,
      where,
      '{ start, count (1-100), stride, number: { offset, length }, amount?: { offset, length } }',
      JSON.stringify(value),
    );
  }
  return value as unknown as InvoiceSlots;
}

function isSlotPart(value: unknown): boolean {
  return (
    isRecord(value) &&
    Number.isInteger(value.offset) &&
    (value.offset as number) >= 0 &&
    isPositiveInt(value.length)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 10_000;
}

function mappingError(fileName: string, field: string, expected: string, found: string): ParseError {
  return new ParseError(
    'mapping',
    { file: fileName, field: `mapping.${field}`, expected, found },
    'invalid lockbox layout',
  );
}
