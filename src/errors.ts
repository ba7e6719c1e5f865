/**
 * The shape every module's refusal shares: a stable `code` (for callers and tests to branch on), a
 * message for a person, and the cause when another error led to it. Each module names its own
 * subclass (`LedgerError`, `DunningError`…) so that the CLI and callers can tell where it came from.
 */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Throws the module's error with `code` unless `condition` holds. */
export type Invariant = (condition: unknown, code: string, message: string) => asserts condition;

export function invariantFor(ErrorType: new (code: string, message: string) => CodedError): Invariant {
  return (condition, code, message) => {
    if (!condition) throw new ErrorType(code, message);
  };
}
