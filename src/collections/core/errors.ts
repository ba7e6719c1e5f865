import { CodedError, type Invariant, invariantFor } from '../../errors.js';

/** A collections report could not be produced as asked (bad buckets, bad period, unknown grouping...). */
export class CollectionsError extends CodedError {
  override name = 'CollectionsError';
}

export const invariant: Invariant = invariantFor(CollectionsError);
