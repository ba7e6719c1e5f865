/** One bad cell or row: where it is and what was expected there. */
export interface RowError {
  file: string;
  line: number;
  column: string;
  expected: string;
  found?: string;
}

export function describeRowError(e: RowError): string {
  const found = e.found === undefined ? '' : `, found ${JSON.stringify(e.found)}`;
  return `${e.file}:${e.line}: column ${e.column}: expected ${e.expected}${found}`;
}

/** A file that was refused: nothing was posted. Carries the first errors (at most MAX_REPORTED). */
export class ImportError extends Error {
  override name = 'ImportError';
  constructor(
    readonly file: string,
    readonly errors: RowError[],
    readonly totalErrors: number,
    options?: { cause?: unknown },
  ) {
    const shown = errors.slice(0, 10).map(describeRowError).join('\n  ');
    const more = totalErrors > 10 ? `\n  … and ${totalErrors - 10} more` : '';
    super(
      `${file}: ${totalErrors} bad row${totalErrors === 1 ? '' : 's'}; nothing was imported (use --skip-bad-rows to import the good rows)\n  ${shown}${more}`,
      options,
    );
  }
}

export const MAX_REPORTED_ERRORS = 1000;
