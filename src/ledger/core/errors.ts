/** A ledger rule refused an operation (over-application, closed period, unbalanced entry...). */
export class LedgerError extends Error {
  override name = 'LedgerError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function invariant(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new LedgerError(code, message);
}
