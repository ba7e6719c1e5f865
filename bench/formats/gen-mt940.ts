/**
 * Generates a valid MT940 file of about `targetBytes` for the parser benchmark: many one-day statements
 * (some in SWIFT envelopes, some split into :60M:/:62M: pages), each with statement lines whose :86:
 * uses the German ?NN structure with SEPA keywords or the SWIFT /KEY/ structure, over several lines.
 * Balances tie and pages chain, so the reader must accept it without warnings.
 *
 * Amounts are integer cents (safe integers) formatted with `formatMinor`: no float touches money here.
 */

import { formatMinor } from '../../src/money/index.js';
import { Random, type Write } from './gen-common.js';

const ENTRIES_PER_STATEMENT = 200;
const APPROX_ENTRY_BYTES = 260;
const FLUSH_CHARS = 1 << 20;

const NAMES = [
  'ACME TRADING GMBH',
  'NORDIC SUPPLIES AB',
  'MUELLER UND SOEHNE KG',
  'CAFE LUMIERE SARL',
  'GLOBEX B.V.',
];

/** SWIFT amount: decimal comma, no sign. */
function swiftAmount(cents: number): string {
  return formatMinor(Math.abs(cents), 2).replace('.', ',');
}

function balance(tag: string, cents: number, date: string): string {
  return `:${tag}:${cents < 0 ? 'D' : 'C'}${date}EUR${swiftAmount(cents)}\r\n`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Cuts text into SWIFT lines of at most 65 characters. */
function swiftLines(text: string): string {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 65) lines.push(text.slice(i, i + 65));
  return lines.join('\r\n');
}

function germanDetails(random: Random, credit: boolean, invoice: string): string {
  const name = NAMES[random.int(NAMES.length)]!;
  const purpose = `EREF+E2E-${pad(random.int(1e8), 8)}KREF+${invoice}SVWZ+RECHNUNG ${invoice} VOM KUNDEN ${pad(random.int(1e6), 6)}`;
  let subfields = '';
  for (let i = 0; i * 27 < purpose.length && i < 10; i++)
    subfields += `?2${i}${purpose.slice(i * 27, i * 27 + 27)}`;
  const gvc = credit ? '166' : '105';
  const text = `${gvc}?00${credit ? 'GUTSCHR. UEBERWEISUNG' : 'BASISLASTSCHRIFT'}?10${pad(random.int(1e4), 4)}${subfields}?30DEUTDEFFXXX?31DE${pad(random.int(1e9), 9)}${pad(random.int(1e9), 9)}0?32${name.slice(0, 27)}`;
  return swiftLines(text);
}

function keyedDetails(random: Random, invoice: string): string {
  const name = NAMES[random.int(NAMES.length)]!;
  const text = `/TRTP/SEPA OVERBOEKING/IBAN/NL${pad(random.int(100), 2)}ABNA0${pad(random.int(1e9), 9)}/BIC/ABNANL2A/NAME/${name}/REMI/USTD//INVOICE ${invoice} PAYMENT/EREF/E2E-${pad(random.int(1e8), 8)}`;
  return swiftLines(text);
}

interface Day {
  date: string;
  mmdd: string;
}

function dayOf(index: number): Day {
  const month = (index % 12) + 1;
  const day = (Math.floor(index / 12) % 28) + 1;
  const yy = 20 + (Math.floor(index / 336) % 10);
  const mmdd = `${pad(month, 2)}${pad(day, 2)}`;
  return { date: `${pad(yy, 2)}${mmdd}`, mmdd };
}

function entry(random: Random, day: Day, n: number): { cents: number; text: string } {
  const credit = random.int(3) !== 0;
  const cents = (1 + random.int(250_000)) * (credit ? 1 : -1);
  const invoice = `INV-${pad(n, 7)}`;
  const details =
    random.int(2) === 0 ? germanDetails(random, credit, invoice) : keyedDetails(random, invoice);
  const type = credit ? 'NTRF' : 'NDDT';
  const text =
    `:61:${day.date}${day.mmdd}${credit ? 'C' : 'D'}${swiftAmount(cents)}${type}NONREF//${pad(random.int(1e9), 9)}\r\n` +
    `:86:${details}\r\n`;
  return { cents, text };
}

interface StatementPlan {
  index: number;
  entries: number;
  /** Split into two pages with :62M:/:60M:. */
  paged: boolean;
  envelope: boolean;
}

function statementText(
  random: Random,
  plan: StatementPlan,
  openingCents: number,
  counter: { n: number },
): { text: string; closing: number } {
  const day = dayOf(plan.index);
  const account = `NL${pad(plan.index % 97, 2)}ABNA0${pad(plan.index % 1_000_000_000, 9)}`;
  const pages = plan.paged ? 2 : 1;
  const perPage = Math.ceil(plan.entries / pages);
  let balanceCents = openingCents;
  let text = '';
  for (let page = 0; page < pages; page++) {
    const header = `:20:STMT${pad(plan.index, 8)}P${page + 1}\r\n:25:${account}\r\n:28C:${pad(plan.index % 99999, 5)}/${page + 1}\r\n`;
    let body = balance(page === 0 ? '60F' : '60M', balanceCents, day.date);
    const count = Math.min(perPage, plan.entries - page * perPage);
    for (let i = 0; i < count; i++) {
      const e = entry(random, day, counter.n++);
      balanceCents += e.cents;
      body += e.text;
    }
    const last = page === pages - 1;
    body += balance(last ? '62F' : '62M', balanceCents, day.date);
    if (last) body += balance('64', balanceCents, day.date);
    const message = header + body;
    text += plan.envelope
      ? `{1:F01ABNANL2AXXXX0000000000}{2:O940ABNANL2AXXXXN}{3:}{4:\r\n${message}-}{5:}\r\n`
      : `${message}-\r\n`;
  }
  return { text, closing: balanceCents };
}

export async function generate(write: Write, targetBytes: number): Promise<void> {
  const random = new Random(940, 'high');
  const entriesPerStatement = Math.max(
    1,
    Math.min(ENTRIES_PER_STATEMENT, Math.floor((targetBytes - 300) / APPROX_ENTRY_BYTES)),
  );
  const counter = { n: 1 };
  let written = 0;
  let buffer = '';
  for (let index = 0; written + buffer.length < targetBytes; index++) {
    const plan: StatementPlan = {
      index,
      entries: entriesPerStatement,
      paged: index % 5 === 4,
      envelope: index % 3 === 1,
    };
    const opening = (random.int(2_000_000) - 500_000) * 100;
    buffer += statementText(random, plan, opening, counter).text;
    if (buffer.length >= FLUSH_CHARS) {
      written += buffer.length;
      await write(buffer);
      buffer = '';
    }
  }
  if (buffer.length > 0) await write(buffer);
}
