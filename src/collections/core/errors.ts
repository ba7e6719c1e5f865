/** A collections report could not be produced as asked (bad buckets, bad period, unknown grouping...). */
export class CollectionsError extends Error {
  override name = 'CollectionsError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function invariant(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new CollectionsError(code, message);
}
