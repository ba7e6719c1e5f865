/**
 * The `<input>.expect.json` files of the shared corpus (schema in `shared/corpus/README.md`).
 * `null` means "not asserted" everywhere.
 */

export interface ExpectedBalance {
  account: string | null;
  opening: string | null;
  closing: string | null;
}

export interface Expectation {
  source: string;
  valid: boolean;
  statements: number | null;
  entries: number | null;
  sum_amount: string | null;
  sum_abs_amount: string | null;
  balances: ExpectedBalance[] | null;
  remittance_lines: number | null;
  remittance_sum_paid: string | null;
  notes: string;
}

export class ExpectationError extends Error {
  override name = 'ExpectationError';
}

/** Validates the parsed JSON of an expect file; throws `ExpectationError` naming the bad field. */
export function toExpectation(json: unknown, where: string): Expectation {
  if (typeof json !== 'object' || json === null) throw new ExpectationError(`${where}: not a JSON object`);
  const o = json as Record<string, unknown>;
  if (typeof o.valid !== 'boolean') throw new ExpectationError(`${where}: "valid" must be a boolean`);
  return {
    source: typeof o.source === 'string' ? o.source : '',
    valid: o.valid,
    statements: countOrNull(o.statements, 'statements', where),
    entries: countOrNull(o.entries, 'entries', where),
    sum_amount: decimalOrNull(o.sum_amount, 'sum_amount', where),
    sum_abs_amount: decimalOrNull(o.sum_abs_amount, 'sum_abs_amount', where),
    balances: balancesOrNull(o.balances, where),
    remittance_lines: countOrNull(o.remittance_lines, 'remittance_lines', where),
    remittance_sum_paid: decimalOrNull(o.remittance_sum_paid, 'remittance_sum_paid', where),
    notes: typeof o.notes === 'string' ? o.notes : '',
  };
}

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;

function countOrNull(value: unknown, field: string, where: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ExpectationError(`${where}: "${field}" must be a count or null`);
  }
  return value;
}

function decimalOrNull(value: unknown, field: string, where: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new ExpectationError(`${where}: "${field}" must be a decimal string or null`);
  }
  return value;
}

function balancesOrNull(value: unknown, where: string): ExpectedBalance[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) throw new ExpectationError(`${where}: "balances" must be a list or null`);
  return value.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) {
      throw new ExpectationError(`${where}: balances[${i}] must be an object`);
    }
    const b = item as Record<string, unknown>;
    return {
      account: typeof b.account === 'string' ? b.account : null,
      opening: decimalOrNull(b.opening, `balances[${i}].opening`, where),
      closing: decimalOrNull(b.closing, `balances[${i}].closing`, where),
    };
  });
}

/**
 * True when the notes say the file's own control records (trailer counts/totals, summaries) disagree
 * with its content: such files are valid but must be read with `--lenient` (corpus README, "Notes worth
 * reading"). Used only to label a lenient retry as expected or unexpected, never to pass a file.
 */
export function notesSayControlsInconsistent(notes: string): boolean {
  return CONTROL_INCONSISTENCY.some((pattern) => pattern.test(notes));
}

const CONTROL_INCONSISTENCY: readonly RegExp[] = [
  /control[- ]record inconsistenc/i,
  /control[- ]total mismatch/i,
  /control totals[^.]{0,60}do not match/i,
  /TtlNetNtry[^.]{0,40}!=/i,
];
