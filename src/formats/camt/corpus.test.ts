import { describeFormatCorpus } from '../conformance/format-corpus.js';
import { parser } from './index.js';

await describeFormatCorpus(parser);
