/** A statement could not be produced as asked (unknown customer, bad period, too many at once). */
export class StatementError extends Error {
  override name = 'StatementError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function invariant(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new StatementError(code, message);
}
