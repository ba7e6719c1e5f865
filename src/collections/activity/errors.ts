/** A collections-activity operation refused or could not run (bad input, unknown customer, missing role...). */
export class ActivityError extends Error {
  override name = 'ActivityError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function check(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new ActivityError(code, message);
}
