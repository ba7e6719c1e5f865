import type { FormatParser } from '../model.js';

// Placeholder until the lockbox reader lands: sniffs nothing, so auto-detection never picks it.
export const parser: FormatParser = {
  format: 'lockbox',
  sniff: () => false,
  parse: async () => {
    throw new Error('lockbox reader not implemented yet');
  },
};
