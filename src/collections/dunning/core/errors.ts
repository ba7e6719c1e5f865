/** Dunning refused or could not do what was asked (bad strategy file, unknown run, no SMTP...). */
export class DunningError extends Error {
  override name = 'DunningError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function invariant(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new DunningError(code, message);
}
