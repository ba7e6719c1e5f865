import type { FormatParser } from '../model.js';

// Placeholder until the camt reader lands: sniffs nothing, so auto-detection never picks it.
export const parser: FormatParser = {
  format: 'camt',
  sniff: () => false,
  parse: async () => {
    throw new Error('camt reader not implemented yet');
  },
};
