import { describeFormatCorpus } from '../conformance/format-corpus.js';
import { parser } from './index.js';

// A 4 KiB read puts chunk boundaries inside records.
await describeFormatCorpus(parser, { highWaterMark: 4096 });
