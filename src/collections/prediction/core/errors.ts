import { CodedError, type Invariant, invariantFor } from '../../../errors.js';

/** A prediction could not be made or read as asked (bad input, no history, unknown run...). */
export class PredictionError extends CodedError {
  override name = 'PredictionError';
}

export const invariant: Invariant = invariantFor(PredictionError);
