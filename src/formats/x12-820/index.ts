import type { FormatParser } from '../model.js';

// Placeholder until the x12-820 reader lands: sniffs nothing, so auto-detection never picks it.
export const parser: FormatParser = {
  format: 'x12-820',
  sniff: () => false,
  parse: async () => {
    throw new Error('x12-820 reader not implemented yet');
  },
};
