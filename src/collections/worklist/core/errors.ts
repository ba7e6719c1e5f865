/** The worklist could not be built or changed as asked (bad settings, unknown customer, no snooze...). */
export class WorklistError extends Error {
  override name = 'WorklistError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
