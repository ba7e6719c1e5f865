/**
 * Errors of the disputes module. `DeductionError` is the module's base (the CLI knows it and maps
 * it to exit code 1 without a stack trace); `DisputeError` adds a stable code; `DisputeFileError`
 * carries every problem found in a configuration file, each naming file, line or path, field and
 * what was expected.
 */
export class DeductionError extends Error {
  override name = 'DeductionError';
}

export class DisputeError extends DeductionError {
  override name = 'DisputeError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface FileIssue {
  /** `line 4` (CSV, counting the header as line 1) or a JSON path such as `rules[3].max`. */
  where: string;
  field: string;
  expected: string;
  got: string;
}

export function formatIssue(file: string, i: FileIssue): string {
  return `${file}: ${i.where}: ${i.field}: expected ${i.expected}, got ${i.got}`;
}

/** At most this many issues are listed in a message (the rest are counted). */
export const MAX_LISTED_ISSUES = 50;

export class DisputeFileError extends DisputeError {
  override name = 'DisputeFileError';
  constructor(
    readonly file: string,
    readonly issues: readonly FileIssue[],
  ) {
    const listed = issues.slice(0, MAX_LISTED_ISSUES).map((i) => formatIssue(file, i));
    const more = issues.length > MAX_LISTED_ISSUES ? [`… and ${issues.length - MAX_LISTED_ISSUES} more`] : [];
    super(
      'invalid-file',
      `${file} is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${[...listed, ...more].join('\n')}`,
    );
  }
}

export function invariant(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new DisputeError(code, message);
}

/** A value as shown in an issue: JSON for anything but short strings. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return value === '' ? 'an empty value' : JSON.stringify(value.slice(0, 80));
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
