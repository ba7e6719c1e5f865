import { CodedError, type Invariant, invariantFor } from '../../errors.js';

/** A ledger rule refused an operation (over-application, closed period, unbalanced entry...). */
export class LedgerError extends CodedError {
  override name = 'LedgerError';
}

export const invariant: Invariant = invariantFor(LedgerError);
