/** Text rendering of a conformance run (pure: the script prints what these return). */
import type { FileOutcome, FormatSummary } from './corpus.js';

export function renderSummaryTable(summaries: readonly FormatSummary[]): string {
  const header = '| format | files | passed | failed | lenient needed | sniff mismatch |';
  const rule = '|---|---:|---:|---:|---:|---:|';
  const rows = summaries.map(
    (s) =>
      `| ${s.format} | ${s.files} | ${s.passed} | ${s.failed} | ${s.lenientNeeded} | ${s.sniffMismatches} |`,
  );
  const total = summaries.reduce(
    (t, s) => ({
      files: t.files + s.files,
      passed: t.passed + s.passed,
      failed: t.failed + s.failed,
      lenient: t.lenient + s.lenientNeeded,
      sniff: t.sniff + s.sniffMismatches,
    }),
    { files: 0, passed: 0, failed: 0, lenient: 0, sniff: 0 },
  );
  const totalRow = `| **total** | ${total.files} | ${total.passed} | ${total.failed} | ${total.lenient} | ${total.sniff} |`;
  return [header, rule, ...rows, totalRow].join('\n');
}

/** One block per failed file: each mismatch as expected vs got; `known` marks allow-listed failures. */
export function renderFailures(
  outcomes: readonly FileOutcome[],
  known: Readonly<Record<string, string>> = {},
): string {
  const failed = outcomes.filter((o) => o.status === 'fail');
  if (failed.length === 0) return 'No failures.';
  // A placeholder reader fails every file the same way: one line per format instead of hundreds.
  const unimplemented = failed.filter((o) => /not implemented/i.test(o.error ?? ''));
  const formats = [...new Set(unimplemented.map((o) => o.format))];
  const grouped = formats.map(
    (f) => `- ${f}: reader not implemented (${unimplemented.filter((o) => o.format === f).length} files)`,
  );
  const detailed = failed
    .filter((o) => !unimplemented.includes(o))
    .map((o) => renderOutcome(o, known[o.relPath]));
  return [...grouped, ...detailed].join('\n');
}

/** One file: its path, then each mismatch as expected vs got. */
export function renderOutcome(o: FileOutcome, knownReason?: string): string {
  const title = `- ${o.relPath} (${o.valid ? 'valid' : 'invalid'})${knownReason ? ` [known: ${knownReason}]` : ''}`;
  const lines = o.mismatches.map((m) => `    ${m.field}: expected ${m.expected}; got ${clip(m.got)}`);
  return [title, ...lines].join('\n');
}

/** Sniff mismatches and remarks: warnings that do not fail a file. */
export function renderWarnings(outcomes: readonly FileOutcome[]): string {
  const lines: string[] = [];
  for (const o of outcomes) {
    if (o.sniffMismatch && !/not implemented/i.test(o.error ?? ''))
      lines.push(`- ${o.relPath}: sniffed as ${o.sniffed ?? 'nothing'}, folder says ${o.format}`);
    for (const remark of o.remarks) lines.push(`- ${o.relPath}: ${remark}`);
  }
  return lines.length === 0 ? 'No warnings.' : lines.join('\n');
}

function clip(text: string, max = 400): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
