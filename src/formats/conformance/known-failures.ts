/**
 * Corpus files that are known not to pass `npm run conformance`, with the reason. Paths are relative
 * to the corpus root ("<format>/<source>/…"). `test/conformance.test.ts` fails on any failure NOT
 * listed here, and on any file listed here that now passes (so the list stays honest): when a reader
 * is fixed, delete its lines.
 *
 * Filled from the last full run; see docs/formats.md, section "Conformance".
 */
export const KNOWN_FAILURES: Readonly<Record<string, string>> = {};
