import { CodedError, type Invariant, invariantFor } from '../../../errors.js';

/** Dunning refused or could not do what was asked (bad strategy file, unknown run, no SMTP...). */
export class DunningError extends CodedError {
  override name = 'DunningError';
}

export const invariant: Invariant = invariantFor(DunningError);
