import { CodedError, type Invariant, invariantFor } from '../../errors.js';

/** A collections-activity operation refused or could not run (bad input, unknown customer, missing role...). */
export class ActivityError extends CodedError {
  override name = 'ActivityError';
}

export const check: Invariant = invariantFor(ActivityError);
