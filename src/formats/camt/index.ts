/**
 * ISO 20022 camt.052 (account report), camt.053 (statement) and camt.054 (debit/credit notification),
 * versions .001.01 to .001.13, read as statements. See docs/formats/camt.md.
 */
import type { FormatParser } from '../model.js';
import { CamtReader } from './reader.js';
import { sniffCamt } from './sniff.js';

export const parser: FormatParser = {
  format: 'camt',
  sniff: sniffCamt,
  async parse(input, options, sink) {
    const reader = new CamtReader(options, sink);
    for await (const chunk of input) reader.write(chunk);
    reader.end();
  },
};
