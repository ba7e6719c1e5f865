import type { FormatParser } from '../model.js';

// Placeholder until the bai2 reader lands: sniffs nothing, so auto-detection never picks it.
export const parser: FormatParser = {
  format: 'bai2',
  sniff: () => false,
  parse: async () => {
    throw new Error('bai2 reader not implemented yet');
  },
};
