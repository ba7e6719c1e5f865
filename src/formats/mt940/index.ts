import type { FormatParser } from '../model.js';

// Placeholder until the mt940 reader lands: sniffs nothing, so auto-detection never picks it.
export const parser: FormatParser = {
  format: 'mt940',
  sniff: () => false,
  parse: async () => {
    throw new Error('mt940 reader not implemented yet');
  },
};
