/**
 * `npm run conformance [-- --json] [-- --format X]`: runs every corpus input that has an
 * `.expect.json` through its format's reader and compares with the expectation (corpus README,
 * "How to compare"). Exit 1 when any file fails, 0 otherwise (also when the corpus is absent).
 *
 * Corpus location: env OPENAR_CORPUS, else ../shared/corpus relative to the working directory.
 */

import {
  checkCorpusFile,
  corpusExists,
  corpusRoot,
  type FileOutcome,
  listCorpusFiles,
  summarize,
} from '../src/formats/conformance/corpus.js';
import { KNOWN_FAILURES } from '../src/formats/conformance/known-failures.js';
import { renderFailures, renderSummaryTable, renderWarnings } from '../src/formats/conformance/report.js';
import { FORMAT_NAMES, type FormatName } from '../src/formats/index.js';

interface Args {
  json: boolean;
  formats: FormatName[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { json: false, formats: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') args.json = true;
    else if (arg === '--format' || arg?.startsWith('--format=')) {
      const value = arg === '--format' ? argv[++i] : arg.slice('--format='.length);
      for (const name of (value ?? '').split(',')) args.formats.push(toFormat(name));
    } else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run conformance -- [--json] [--format bai2[,camt…]]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return args;
}

function toFormat(name: string): FormatName {
  const found = FORMAT_NAMES.find((f) => f === name);
  if (!found) throw new Error(`unknown format "${name}"; one of ${FORMAT_NAMES.join(', ')}`);
  return found;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const root = corpusRoot();
  if (!corpusExists(root)) {
    if (args.json) console.log(JSON.stringify({ corpus: root, skipped: true }));
    else console.log(`corpus not found at ${root} — skipped`);
    return 0;
  }
  const formats = args.formats.length > 0 ? args.formats : FORMAT_NAMES;
  const files = await listCorpusFiles(root, formats);
  const outcomes: FileOutcome[] = [];
  for (const file of files) outcomes.push(await checkCorpusFile(file));
  const summaries = summarize(outcomes, formats);
  const failed = outcomes.filter((o) => o.status === 'fail').length;

  if (args.json) {
    const knownFailures = outcomes.filter((o) => o.status === 'fail' && KNOWN_FAILURES[o.relPath]).length;
    console.log(
      JSON.stringify({ corpus: root, summary: summaries, failed, knownFailures, files: outcomes }, null, 2),
    );
  } else {
    console.log(`Conformance against ${root}\n`);
    console.log(renderSummaryTable(summaries));
    console.log('\nFailures (expected vs got):');
    console.log(renderFailures(outcomes, KNOWN_FAILURES));
    console.log('\nWarnings (not failures):');
    console.log(renderWarnings(outcomes));
    console.log(`\n${outcomes.length - failed} passed, ${failed} failed`);
  }
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  },
);
