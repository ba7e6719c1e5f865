/**
 * Generates a valid BAI lockbox transmission of about `targetBytes` for the parser benchmark:
 * many lockboxes (5 … 8), each with batches of checks (6) closed by batch totals (7); most checks
 * carry overflow records (4) listing the invoices they pay (number + amount, the amounts adding up
 * to the check). Batch, lockbox and record-count controls are exact, so the reader must accept the
 * file without warnings. Record layout: the default BAI lockbox layout of src/formats/lockbox.
 *
 * Amounts are integer cents; no float touches money here.
 */
import { Random, type Write } from './gen-common.js';

const CHECKS_PER_BATCH = 100;
const BATCHES_PER_LOCKBOX = 20;
const FLUSH_CHARS = 1 << 20;

const REMITTERS = ['ACME TRADING INC', 'NORDIC SUPPLIES LLC', 'GLOBEX CORPORATION', 'INITECH', 'UMBRELLA CO'];

function num(value: number | bigint, width: number): string {
  return value.toString().padStart(width, '0');
}

function text(value: string, width: number): string {
  return value.slice(0, width).padEnd(width, ' ');
}

class Output {
  private parts: string[] = [];
  private size = 0;
  written = 0;
  records = 0;
  constructor(private readonly write: Write) {}
  async record(line: string): Promise<void> {
    this.parts.push(line, '\n');
    this.size += line.length + 1;
    this.written += line.length + 1;
    this.records++;
    if (this.size >= FLUSH_CHARS) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.write(chunk);
  }
}

/** Splits a check amount into 1-5 invoice amounts that add up to it exactly. */
function invoiceAmounts(random: Random, cents: number): number[] {
  const count = 1 + random.int(5);
  const amounts: number[] = [];
  let left = cents;
  for (let i = 0; i < count - 1 && left > count; i++) {
    const part = 1 + random.int(Math.floor(left / 2));
    amounts.push(part);
    left -= part;
  }
  amounts.push(left);
  return amounts;
}

async function writeCheck(
  out: Output,
  random: Random,
  batch: number,
  item: number,
  seq: number,
): Promise<number> {
  const cents = 1000 + random.int(500_000);
  const remitter = REMITTERS[random.int(REMITTERS.length)]!;
  await out.record(
    `6${num(batch, 3)}${num(item, 3)}${num(cents, 10)}${num(21000021 + random.int(1000), 9)}` +
      `${num(1_000_000 + random.int(9_000_000), 10)}${num(seq, 10)}0614${num(24, 2)}${text(remitter, 30)}${text('OPENAR DEMO INC', 20)}`,
  );
  if (random.int(10) === 0) return cents; // some checks come without remittance detail
  const amounts = invoiceAmounts(random, cents);
  const slots = amounts.map((a) => `${text(`INV-${num(100000 + random.int(900000), 6)}`, 15)}${num(a, 10)}`);
  const records = Math.ceil(slots.length / 3);
  for (let r = 0; r < records; r++) {
    const last = r === records - 1 ? '9' : '0';
    await out.record(
      `4${num(batch, 3)}${num(item, 3)}4${num(r + 1, 2)}${last}${slots.slice(r * 3, r * 3 + 3).join('')}`,
    );
  }
  return cents;
}

export async function generate(write: Write, targetBytes: number): Promise<void> {
  const random = new Random(20240614);
  const out = new Output(write);
  await out.record('100OPENARDEMO02100000212406140930');
  await out.record('2OPENARDEMO02100000210000000000400080008001');
  let lockboxNumber = 1000000;
  let seq = 0;
  while (out.written < targetBytes) {
    lockboxNumber++;
    await out.record(`5000000${num(lockboxNumber, 7)}240614${text('OPENARDEMO0210000021', 20)}`);
    let lockboxChecks = 0;
    let lockboxCents = 0;
    for (let b = 1; b <= BATCHES_PER_LOCKBOX && out.written < targetBytes; b++) {
      let batchCents = 0;
      for (let item = 1; item <= CHECKS_PER_BATCH; item++) {
        batchCents += await writeCheck(out, random, b, item, ++seq);
      }
      await out.record(
        `7${num(b, 3)}000${num(lockboxNumber, 7)}240614${num(CHECKS_PER_BATCH, 3)}${num(batchCents, 10)}`,
      );
      lockboxChecks += CHECKS_PER_BATCH;
      lockboxCents += batchCents;
    }
    await out.record(`8000000${num(lockboxNumber, 7)}240614${num(lockboxChecks, 4)}${num(lockboxCents, 10)}`);
  }
  await out.record(`9${num(out.records + 1, 9)}`);
  await out.flush();
}
