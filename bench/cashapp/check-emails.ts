/**
 * Reads every generated remittance e-mail with openar's e-mail reader (src/remittance) and compares
 * what it extracted with the truth: payment reference, amount, and each invoice line (document number
 * and amount paid; deduction amounts where the truth has them). A diagnostic for the reader, not part
 * of the scored benchmark:
 *
 *   node --import tsx bench/cashapp/check-emails.ts [--dir bench/out/cashapp] [--show 5]
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDecimalToMinor } from '../../src/money/index.js';
import { readRemittanceEmail } from '../../src/remittance/index.js';
import { parseFlags } from '../lib/args.js';
import type { Truth, TruthPayment } from './model.js';

interface Outcome {
  payment: TruthPayment;
  reference: boolean;
  amount: boolean;
  lines: boolean;
  problem: string | null;
}

const minor = (text: string | null | undefined): number | null => {
  if (text === null || text === undefined) return null;
  try {
    return parseDecimalToMinor(text, 2);
  } catch {
    return null;
  }
};

async function check(dir: string, p: TruthPayment, truthReference: string | null): Promise<Outcome> {
  const bytes = await readFile(join(dir, p.remittance_file!));
  try {
    const { advices } = await readRemittanceEmail(new Uint8Array(bytes), p.remittance_file!, {
      ownNames: ['Openar Bench Industrial Supply Inc.', 'OPENAR BENCH INC'],
    });
    const a = advices[0];
    if (a === undefined)
      return { payment: p, reference: false, amount: false, lines: false, problem: 'no advice' };
    const expected = new Map<string, number>();
    for (const l of p.lines)
      if (l.kind === 'payment' && l.invoice_number) expected.set(l.invoice_number, minor(l.amount)!);
    const got = new Map<string, number>();
    for (const l of a.lines)
      if (l.document_number) got.set(l.document_number, minor(l.amount_paid) ?? Number.NaN);
    const linesOk = expected.size === got.size && [...expected].every(([k, v]) => got.get(k) === v);
    const refs = a.payment_references.map((r) => r.value);
    return {
      payment: p,
      reference:
        truthReference === null || refs.includes(truthReference) || a.payment_reference === truthReference,
      amount: minor(a.amount) === minor(p.amount),
      lines: linesOk,
      problem: linesOk ? null : `expected ${JSON.stringify([...expected])}, got ${JSON.stringify([...got])}`,
    };
  } catch (error) {
    return { payment: p, reference: false, amount: false, lines: false, problem: String(error) };
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const v = parseFlags(
    argv,
    { dir: { type: 'string', default: 'bench/out/cashapp' }, show: { type: 'string', default: '5' } },
    'usage: check-emails.ts [--dir DIR] [--show N]',
  );
  const dir = v.dir;
  const show = Number(v.show);
  const truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')) as Truth;
  const emails = truth.payments.filter((p) => p.source.startsWith('eml-') && p.remittance_file !== null);
  const outcomes: Outcome[] = [];
  for (const p of emails) {
    // The payment reference is in the file name: P000123-RA0000045.eml.
    const reference = /-([A-Z0-9]+)\.eml$/.exec(p.remittance_file!)?.[1] ?? null;
    outcomes.push(await check(dir, p, reference));
  }
  const bySource = new Map<string, Outcome[]>();
  for (const o of outcomes) bySource.set(o.payment.source, [...(bySource.get(o.payment.source) ?? []), o]);
  const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;
  console.log('| source | e-mails | reference | amount | every line |\n|---|---:|---:|---:|---:|');
  for (const [source, list] of [...bySource, ['all', outcomes] as const]) {
    const n = list.length;
    console.log(
      `| ${source} | ${n} | ${pct(list.filter((o) => o.reference).length, n)} | ${pct(list.filter((o) => o.amount).length, n)} | ${pct(list.filter((o) => o.lines).length, n)} |`,
    );
  }
  for (const o of outcomes.filter((x) => x.problem !== null).slice(0, show)) {
    console.log(`\n${o.payment.payment_id} ${o.payment.remittance_file}: ${o.problem}`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
