import type { FormatParser } from '../model.js';

// Placeholder until the csv reader lands: sniffs nothing, so auto-detection never picks it.
export const parser: FormatParser = {
  format: 'csv',
  sniff: () => false,
  parse: async () => {
    throw new Error('csv reader not implemented yet');
  },
};
