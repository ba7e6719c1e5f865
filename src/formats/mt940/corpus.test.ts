/**
 * Shared-corpus conformance for the MT940/MT942 reader (`../shared/corpus/mt940`, conventions in its
 * README): valid files parse (with `lenient` only where the notes say the control records disagree)
 * and their figures match; invalid files are rejected with a ParseError naming the file.
 */
import { createReadStream, existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../collect.js';
import { compareResult } from '../conformance/compare.js';
import { type CorpusFile, listCorpusFiles } from '../conformance/corpus.js';
import { notesSayControlsInconsistent } from '../conformance/expect.js';
import { ParseError } from '../errors.js';
import { parser } from './index.js';

const ROOT = resolve(process.cwd(), '../shared/corpus');
const exists = existsSync(resolve(ROOT, 'mt940'));
const files: CorpusFile[] = exists ? await listCorpusFiles(ROOT, ['mt940']) : [];

async function parse(path: string, lenient: boolean) {
  const sink = new CollectingSink('mt940');
  await parser.parse(
    createReadStream(path, { highWaterMark: 4096 }),
    { fileName: basename(path), lenient },
    sink,
  );
  return sink.result;
}

describe.skipIf(!exists)('mt940 corpus (shared/corpus/mt940)', () => {
  it('has inputs', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(file.relPath, async () => {
      if (!file.expect.valid) {
        const error = await parse(file.absPath, false).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ParseError);
        expect((error as ParseError).message).toContain(basename(file.absPath));
        return;
      }
      const lenient = notesSayControlsInconsistent(file.expect.notes);
      if (lenient) await expect(parse(file.absPath, false)).rejects.toMatchObject({ code: 'control-total' });
      const result = await parse(file.absPath, lenient);
      expect(compareResult(file.expect, result)).toEqual([]);
      expect(parser.sniff(await readHead(file.absPath))).toBe(true);
    });
  }
});

async function readHead(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path, { start: 0, end: 64 * 1024 - 1 }))
    chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
