/**
 * Saved column mappings per bank: which column is what, how dates and numbers are written, the sign
 * convention, preamble rows. A mapping only needs what auto-detection cannot infer; anything it leaves out
 * is recognized from the header as usual.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isKnownEncoding } from './charset.js';
import type { ColumnRole } from './columns.js';
import { compileDateFormat } from './dates.js';

/** A column by its header name (matched case/space/accent-insensitively) or by 0-based index. */
export type ColumnRef = string | number;

export type MappedRole = Exclude<ColumnRole, 'startBalance' | 'endBalance'>;

export const MAPPED_ROLES: readonly MappedRole[] = [
  'date',
  'valueDate',
  'amount',
  'debit',
  'credit',
  'indicator',
  'currency',
  'balance',
  'description',
  'memo',
  'payee',
  'counterpartyAccount',
  'counterpartyBank',
  'reference',
  'endToEndId',
  'remittanceReference',
  'account',
  'transactionCode',
  'checkNumber',
];

export interface BankCsvMapping {
  /** Shown in messages; the file name without `.json` when loaded by name. */
  name?: string;
  description?: string;
  /** Charset: `utf-8`, `windows-1252`, `latin1`, `iso-8859-15`, `utf-16le` … (default: detected). */
  encoding?: string;
  /** Field delimiter, one character (default: detected from the first lines). */
  delimiter?: string;
  /** Quote character (default `"`). */
  quote?: string;
  /** XLSX: the sheet by name or 0-based position (default: the first sheet). */
  sheet?: string | number;
  /** Rows to skip before the header (or before the data when `hasHeader` is false). */
  skipRows?: number;
  /** False for files without a header row: columns must then be given by index. Default true. */
  hasHeader?: boolean;
  columns?: Partial<Record<MappedRole, ColumnRef | ColumnRef[]>>;
  /** Booking date format, e.g. `DD.MM.YYYY`, `MM/DD/YYYY`, `YYYY-MM-DD`, `DD/MM/YY`, `YYYYMMDD`, `DD-MMM-YYYY`. */
  dateFormat?: string;
  /** Value date format when it differs from `dateFormat`. */
  valueDateFormat?: string;
  decimalSeparator?: ',' | '.';
  /** `.` `,` space `'` or `''` for none. */
  thousandsSeparator?: ',' | '.' | ' ' | "'" | '';
  /** Amounts are written from the bank's side (credit-card exports): flip every sign. */
  invertSign?: boolean;
  /** Values of the indicator column (compared case-insensitively). */
  indicatorValues?: { debit: string[]; credit: string[] };
  /** The account of every statement (overrides the file). */
  account?: string;
  /** The currency of every entry without a currency column. */
  currency?: string;
  /** Order of the running balances: `ascending` (oldest first) or `descending`; default detected. */
  balanceOrder?: 'ascending' | 'descending';
}

export type MappingValidation = { ok: true; mapping: BankCsvMapping } | { ok: false; errors: string[] };

const KEYS = new Set([
  'name',
  'description',
  'encoding',
  'delimiter',
  'quote',
  'sheet',
  'skipRows',
  'hasHeader',
  'columns',
  'dateFormat',
  'valueDateFormat',
  'decimalSeparator',
  'thousandsSeparator',
  'invertSign',
  'indicatorValues',
  'account',
  'currency',
  'balanceOrder',
]);

type Checker = (value: unknown, errors: string[]) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function optionalString(key: string): Checker {
  return (value, errors) => {
    if (typeof value !== 'string') errors.push(`${key}: expected a string, found ${describe(value)}`);
  };
}

const CHECKS: Readonly<Record<string, Checker>> = {
  name: optionalString('name'),
  description: optionalString('description'),
  account: optionalString('account'),
  encoding: (value, errors) => {
    if (typeof value !== 'string' || !isKnownEncoding(value)) {
      errors.push(
        `encoding: expected a charset name such as "utf-8" or "windows-1252", found ${describe(value)}`,
      );
    }
  },
  delimiter: (value, errors) => {
    if (
      typeof value !== 'string' ||
      value.length !== 1 ||
      value === '"' ||
      value === '\n' ||
      value === '\r'
    ) {
      errors.push(`delimiter: expected one character such as "," ";" "\\t" "|", found ${describe(value)}`);
    }
  },
  quote: (value, errors) => {
    if (typeof value !== 'string' || value.length !== 1)
      errors.push(`quote: expected one character, found ${describe(value)}`);
  },
  sheet: (value, errors) => {
    if (!(typeof value === 'string' && value.length > 0) && !isIndex(value)) {
      errors.push(`sheet: expected a sheet name or a 0-based sheet index, found ${describe(value)}`);
    }
  },
  skipRows: (value, errors) => {
    if (!isIndex(value)) errors.push(`skipRows: expected an integer >= 0, found ${describe(value)}`);
  },
  hasHeader: boolean('hasHeader'),
  invertSign: boolean('invertSign'),
  columns: checkColumns,
  dateFormat: dateFormat('dateFormat'),
  valueDateFormat: dateFormat('valueDateFormat'),
  decimalSeparator: (value, errors) => {
    if (value !== ',' && value !== '.')
      errors.push(`decimalSeparator: expected "," or ".", found ${describe(value)}`);
  },
  thousandsSeparator: (value, errors) => {
    if (![',', '.', ' ', "'", ''].includes(value as string)) {
      errors.push(`thousandsSeparator: expected "," "." " " "'" or "" (none), found ${describe(value)}`);
    }
  },
  indicatorValues: checkIndicatorValues,
  currency: (value, errors) => {
    if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value)) {
      errors.push(`currency: expected an ISO 4217 code such as "EUR", found ${describe(value)}`);
    }
  },
  balanceOrder: (value, errors) => {
    if (value !== 'ascending' && value !== 'descending') {
      errors.push(`balanceOrder: expected "ascending" or "descending", found ${describe(value)}`);
    }
  },
};

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function boolean(key: string): Checker {
  return (value, errors) => {
    if (typeof value !== 'boolean') errors.push(`${key}: expected true or false, found ${describe(value)}`);
  };
}

function dateFormat(key: string): Checker {
  return (value, errors) => {
    if (typeof value !== 'string') {
      errors.push(`${key}: expected a date format such as "DD.MM.YYYY", found ${describe(value)}`);
      return;
    }
    const compiled = compileDateFormat(value);
    if (typeof compiled === 'string') errors.push(`${key}: ${compiled}`);
  };
}

function isColumnRef(value: unknown): value is ColumnRef {
  return (typeof value === 'string' && value.trim().length > 0) || isIndex(value);
}

function checkColumns(value: unknown, errors: string[]): void {
  if (!isRecord(value)) {
    errors.push(
      `columns: expected an object such as {"date": "Buchungstag", "amount": 5}, found ${describe(value)}`,
    );
    return;
  }
  for (const [role, ref] of Object.entries(value)) {
    if (!(MAPPED_ROLES as readonly string[]).includes(role)) {
      errors.push(`columns.${role}: unknown column role (known: ${MAPPED_ROLES.join(', ')})`);
      continue;
    }
    const multiple = role === 'description' || role === 'memo';
    const refs = Array.isArray(ref) && multiple ? ref : [ref];
    if (refs.length === 0 || !refs.every(isColumnRef)) {
      const what = multiple
        ? 'a header name, a 0-based index or a list of them'
        : 'a header name or a 0-based index';
      errors.push(`columns.${role}: expected ${what}, found ${describe(ref)}`);
    }
  }
}

function checkIndicatorValues(value: unknown, errors: string[]): void {
  const ok =
    isRecord(value) &&
    ['debit', 'credit'].every((side) => {
      const list = value[side];
      return (
        Array.isArray(list) &&
        list.length > 0 &&
        list.every((v) => typeof v === 'string' && v.trim().length > 0)
      );
    });
  if (!ok) {
    errors.push(
      `indicatorValues: expected {"debit": ["D", ...], "credit": ["C", ...]}, found ${describe(value)}`,
    );
  }
}

/** Rules between fields, checked once every field is well-formed. */
function checkConsistency(mapping: BankCsvMapping, errors: string[]): void {
  const columns = mapping.columns ?? {};
  if (mapping.hasHeader === false) {
    if (columns.date === undefined) errors.push('columns.date: required when hasHeader is false');
    if (columns.amount === undefined && columns.debit === undefined && columns.credit === undefined) {
      errors.push('columns.amount (or columns.debit/columns.credit): required when hasHeader is false');
    }
    for (const [role, ref] of Object.entries(columns)) {
      const refs = Array.isArray(ref) ? ref : [ref];
      if (refs.some((r) => typeof r === 'string')) {
        errors.push(
          `columns.${role}: a file without header needs a 0-based column index, found ${describe(ref)}`,
        );
      }
    }
  }
  if (mapping.indicatorValues !== undefined && columns.indicator === undefined) {
    errors.push('indicatorValues: needs columns.indicator (the column that holds them)');
  }
  if (
    mapping.decimalSeparator !== undefined &&
    mapping.thousandsSeparator !== undefined &&
    mapping.decimalSeparator === mapping.thousandsSeparator
  ) {
    errors.push('thousandsSeparator: must differ from decimalSeparator');
  }
  if (columns.amount !== undefined && (columns.debit !== undefined || columns.credit !== undefined)) {
    errors.push('columns: give either amount or debit/credit, not both');
  }
}

/** Checks an object read from JSON (or given inline); the errors name each bad field and what it expects. */
export function validateMapping(value: unknown): MappingValidation {
  if (!isRecord(value))
    return { ok: false, errors: [`mapping: expected a JSON object, found ${describe(value)}`] };
  const errors: string[] = [];
  for (const [key, field] of Object.entries(value)) {
    if (!KEYS.has(key)) {
      errors.push(`${key}: unknown mapping field (known: ${[...KEYS].join(', ')})`);
      continue;
    }
    if (field === undefined) continue;
    CHECKS[key]?.(field, errors);
  }
  if (errors.length === 0) checkConsistency(value as BankCsvMapping, errors);
  return errors.length === 0 ? { ok: true, mapping: value as BankCsvMapping } : { ok: false, errors };
}

/** A mapping that cannot be found or is not valid. */
export class MappingError extends Error {
  override name = 'MappingError';
  constructor(
    message: string,
    readonly errors: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(errors.length > 0 ? `${message}:\n  ${errors.join('\n  ')}` : message, options);
  }
}

const BUILTIN_DIR = fileURLToPath(new URL('./mappings/', import.meta.url));
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The directory of saved mappings: `$OPENAR_MAPPINGS_DIR`, else `./mappings/`. */
export function mappingsDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.OPENAR_MAPPINGS_DIR ?? 'mappings');
}

/**
 * Loads a saved mapping: a path (containing `/` or ending in `.json`), or a name looked up as
 * `<name>.json` in `$OPENAR_MAPPINGS_DIR` (else `./mappings/`), then among the built-in mappings.
 */
export async function loadMapping(
  nameOrPath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BankCsvMapping> {
  const path = mappingPath(nameOrPath, env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MappingError(`cannot read mapping ${JSON.stringify(nameOrPath)} (${path})`, [], {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MappingError(`mapping ${path} is not valid JSON: ${(error as Error).message}`, [], {
      cause: error,
    });
  }
  const result = validateMapping(json);
  if (!result.ok) throw new MappingError(`mapping ${path} is not valid`, result.errors);
  return { name: basename(path, '.json'), ...result.mapping };
}

function mappingPath(nameOrPath: string, env: NodeJS.ProcessEnv): string {
  if (
    nameOrPath.includes('/') ||
    nameOrPath.includes('\\') ||
    nameOrPath.endsWith('.json') ||
    isAbsolute(nameOrPath)
  ) {
    return resolve(nameOrPath);
  }
  if (!NAME_PATTERN.test(nameOrPath)) {
    throw new MappingError(
      `mapping name ${JSON.stringify(nameOrPath)}: use letters, digits, ".", "_" and "-"`,
    );
  }
  const saved = join(mappingsDir(env), `${nameOrPath}.json`);
  if (existsSync(saved)) return saved;
  const builtin = join(BUILTIN_DIR, `${nameOrPath}.json`);
  if (existsSync(builtin)) return builtin;
  throw new MappingError(
    `no mapping named ${JSON.stringify(nameOrPath)} in ${mappingsDir(env)} or among the built-in mappings`,
  );
}

/** Names of the mappings shipped with openar. */
export async function builtinMappingNames(): Promise<string[]> {
  const files = await readdir(BUILTIN_DIR);
  return files
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}
