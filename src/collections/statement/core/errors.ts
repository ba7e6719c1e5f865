import { CodedError, type Invariant, invariantFor } from '../../../errors.js';

/** A statement could not be produced as asked (unknown customer, bad period, too many at once). */
export class StatementError extends CodedError {
  override name = 'StatementError';
}

export const invariant: Invariant = invariantFor(StatementError);
