import type { FormatParser } from '../model.js';

// Placeholder until the ofx reader lands: sniffs nothing, so auto-detection never picks it.
export const parser: FormatParser = {
  format: 'ofx',
  sniff: () => false,
  parse: async () => {
    throw new Error('ofx reader not implemented yet');
  },
};
