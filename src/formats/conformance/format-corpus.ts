/**
 * One format reader against its folder of the shared corpus (`../shared/corpus/<format>`,
 * conventions in its README), as a Vitest suite that skips when the corpus is absent: every valid
 * file parses (with `lenient` only where its notes say the file's own control records disagree,
 * and then only after the strict read refused it for that reason), its figures match the
 * expectation, and the reader recognises it; every invalid file is refused with a ParseError naming
 * the file. Test-only: it calls Vitest's `describe` and `it`.
 */
import { createReadStream, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../collect.js';
import { ParseError } from '../errors.js';
import type { FormatParser, ParseResult } from '../model.js';
import { compareResult } from './compare.js';
import { type CorpusFile, corpusRoot, listCorpusFiles } from './corpus.js';
import { notesSayControlsInconsistent } from './expect.js';

export interface FormatCorpusOptions {
  /** Bytes per chunk read (small ones put chunk boundaries inside records); the stream's default otherwise. */
  highWaterMark?: number;
  /** Valid files must also parse without a warning. */
  noWarnings?: boolean;
  /** Invalid files must not be recognised either (for formats whose sniffing validates the layout). */
  sniffRefusesInvalid?: boolean;
  /**
   * Valid files whose control records disagree though their notes do not say so, by path below the
   * format's folder, with the reason: read with `lenient` after the strict read refused them.
   */
  lenientFiles?: Readonly<Record<string, string>>;
}

export type CorpusParse = (path: string, lenient?: boolean) => Promise<ParseResult>;

/** The suite; `more` adds format-specific cases with the same files and parse function. */
export async function describeFormatCorpus(
  parser: FormatParser,
  options: FormatCorpusOptions = {},
  more?: (files: CorpusFile[], parse: CorpusParse) => void,
): Promise<void> {
  const format = parser.format;
  const root = corpusRoot();
  const exists = existsSync(join(root, format));
  const files = exists ? await listCorpusFiles(root, [format]) : [];
  const parse: CorpusParse = async (path, lenient = false) => {
    const sink = new CollectingSink(format);
    const input = createReadStream(
      path,
      options.highWaterMark ? { highWaterMark: options.highWaterMark } : {},
    );
    await parser.parse(input, { fileName: basename(path), lenient }, sink);
    return sink.result;
  };

  describe.skipIf(!exists)(`${format} corpus (shared/corpus/${format})`, () => {
    it('has inputs', () => {
      expect(files.length).toBeGreaterThan(0);
    });

    for (const file of files) {
      const exception = options.lenientFiles?.[file.relPath.slice(format.length + 1)];
      it(`${file.relPath}${exception ? ` (known exception: ${exception})` : ''}`, async () => {
        const head = await readHead(file.absPath);
        if (!file.expect.valid) {
          const error = await parse(file.absPath).then(
            () => null,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(ParseError);
          expect((error as ParseError).message).toContain(basename(file.absPath));
          if (options.sniffRefusesInvalid) expect(parser.sniff(head)).toBe(false);
          return;
        }
        const lenient = exception !== undefined || notesSayControlsInconsistent(file.expect.notes);
        if (lenient) await expect(parse(file.absPath)).rejects.toMatchObject({ code: 'control-total' });
        const result = await parse(file.absPath, lenient);
        expect(compareResult(file.expect, result)).toEqual([]);
        if (options.noWarnings) expect(result.warnings).toEqual([]);
        expect(parser.sniff(head)).toBe(true);
      });
    }

    more?.(files, parse);
  });
}

/** The first 64 KiB: what `sniff` is given when a file is imported. */
async function readHead(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path, { start: 0, end: 64 * 1024 - 1 }))
    chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
