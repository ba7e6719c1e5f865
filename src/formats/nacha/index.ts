import type { FormatParser } from '../model.js';

// Placeholder until the nacha reader lands: sniffs nothing, so auto-detection never picks it.
export const parser: FormatParser = {
  format: 'nacha',
  sniff: () => false,
  parse: async () => {
    throw new Error('nacha reader not implemented yet');
  },
};
