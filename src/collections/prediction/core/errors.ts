/** A prediction could not be made or read as asked (bad input, no history, unknown run...). */
export class PredictionError extends Error {
  override name = 'PredictionError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function invariant(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new PredictionError(code, message);
}
