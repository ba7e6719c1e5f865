/**
 * The corpus conformance run (`npm run conformance`) as a test: one test per corpus file. A failure
 * fails the test unless the file is listed in `KNOWN_FAILURES` with its reason; a listed file that
 * now passes fails too (`it.fails`), so the list is kept honest. Skipped when the corpus is absent.
 */
import { describe, expect, it } from 'vitest';
import {
  type CorpusFile,
  checkCorpusFile,
  corpusExists,
  corpusRoot,
  type FileOutcome,
  listCorpusFiles,
} from '../src/formats/conformance/corpus.js';
import { KNOWN_FAILURES } from '../src/formats/conformance/known-failures.js';
import { renderOutcome } from '../src/formats/conformance/report.js';
import { FORMAT_NAMES } from '../src/formats/index.js';

const root = corpusRoot();
const exists = corpusExists(root);
const files: CorpusFile[] = exists ? await listCorpusFiles(root) : [];

function assertPassed(outcome: FileOutcome): void {
  expect(outcome.status, renderOutcome(outcome)).toBe('pass');
}

for (const format of FORMAT_NAMES) {
  const mine = files.filter((f) => f.format === format);
  describe.skipIf(!exists || mine.length === 0)(`corpus conformance: ${format}`, () => {
    for (const file of mine) {
      const reason = KNOWN_FAILURES[file.relPath];
      if (reason === undefined) {
        it(file.relPath, async () => assertPassed(await checkCorpusFile(file)));
      } else {
        it.fails(`${file.relPath} (known failure: ${reason})`, async () =>
          assertPassed(await checkCorpusFile(file)));
      }
    }
  });
}

describe.skipIf(!exists)('known-failures list', () => {
  it('names only corpus files that exist', () => {
    const paths = new Set(files.map((f) => f.relPath));
    expect(Object.keys(KNOWN_FAILURES).filter((p) => !paths.has(p))).toEqual([]);
  });
});
