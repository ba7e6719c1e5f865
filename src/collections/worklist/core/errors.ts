import { CodedError } from '../../../errors.js';

/** The worklist could not be built or changed as asked (bad settings, unknown customer, no snooze...). */
export class WorklistError extends CodedError {
  override name = 'WorklistError';
}
