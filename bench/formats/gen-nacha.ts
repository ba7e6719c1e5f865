/**
 * Generates a valid NACHA ACH file of about `targetBytes` for the parser benchmark: many batches of 400 entries
 * (60% CCD+ with an RMR remittance addenda, 30% PPD without, 10% CTX carrying an X12 820 over several addenda), correct batch and file
 * control totals, entry hashes and 9-padding to a multiple of 10 records.
 *
 * NACHA caps the block count at 999,999 blocks (about 950 MB with CRLF); above that the block count field
 * wraps and the reader warns (bank-deviation), every other control stays exact.
 */

const RECORD = 94;
const ENTRIES_PER_BATCH = 400;
const FLUSH_CHARS = 1 << 20;

const NAMES = [
  'ACME SUPPLY CO',
  'GLOBEX CORPORATION',
  'INITECH LLC',
  'UMBRELLA HEALTH',
  'STARK INDUSTRIES',
  'WAYNE ENTERPRISES',
  'HOOLI INC',
  'VANDELAY IMPORTS',
];
const ROUTING8 = [
  '09100001',
  '12100024',
  '02100002',
  '06100015',
  '07100001',
  '11100061',
  '04400003',
  '03100009',
];

function checkDigit(routing8: string): string {
  const weights = [3, 7, 1, 3, 7, 1, 3, 7];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (routing8.charCodeAt(i) - 48) * (weights[i] as number);
  return String((10 - (sum % 10)) % 10);
}

function num(value: number | bigint, width: number): string {
  return value.toString().padStart(width, '0').slice(-width);
}

function alpha(value: string, width: number): string {
  return value.padEnd(width, ' ').slice(0, width);
}

/** A small deterministic generator: the file is the same for the same size, so runs compare. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

function cents(amountCents: number): string {
  return `${Math.floor(amountCents / 100)}.${num(amountCents % 100, 2)}`;
}

/** A bare X12 820 for CTX addenda (NACHA convention: `*` elements, `\` terminator) cut into 80-char chunks. */
function ctxAddenda(trace: string, payer: string, invoiceCents: number[]): string[] {
  const total = invoiceCents.reduce((a, b) => a + b, 0);
  const segments = [
    'ST*820*0001',
    `BPR*C*${cents(total)}*C*ACH*CTX*01*091000019*DA*1234567890*1234567890**01*121000248*DA*987654321*20250115`,
    `TRN*1*${trace}`,
    `N1*PR*${payer}`,
    'N1*PE*OPENAR DEMO INC',
    'ENT*1',
  ];
  invoiceCents.forEach((amount, i) => {
    segments.push(`RMR*IV*INV-${trace.slice(-6)}-${i + 1}*PI*${cents(amount)}*${cents(amount)}`);
    segments.push('DTM*003*20241215');
  });
  segments.push(`SE*${segments.length + 1}*0001`);
  const text = `${segments.join('\\')}\\`;
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 80) chunks.push(alpha(text.slice(i, i + 80), 80));
  return chunks;
}

interface BatchTotals {
  records: number;
  hash: number;
  debit: number;
  credit: number;
}

export async function generate(
  write: (chunk: string) => Promise<void> | void,
  targetBytes: number,
): Promise<void> {
  const next = random(820);
  let buffer: string[] = [];
  let bufferChars = 0;
  let bytes = 0;
  let records = 0;
  const emit = async (record: string): Promise<void> => {
    buffer.push(record, '\r\n');
    bufferChars += RECORD + 2;
    bytes += RECORD + 2;
    records++;
    if (bufferChars >= FLUSH_CHARS) {
      await write(buffer.join(''));
      buffer = [];
      bufferChars = 0;
    }
  };

  // Priority 01, destination (blank + routing), origin (company id), created 2025-01-15 12:00, modifier A, 094 10 1.
  await emit(
    `101 0910000191234567890250115${'1200'}A094101${alpha('FEDERAL RESERVE BANK', 23)}${alpha('OPENAR DEMO INC', 23)}${alpha('', 8)}`,
  );
  let batchNumber = 0;
  let fileHash = 0;
  let fileDebit = 0n;
  let fileCredit = 0n;
  let fileRecords = 0;
  // Leave room for the file control and padding.
  while (bytes < targetBytes - 20 * (RECORD + 2)) {
    batchNumber++;
    // Mix of an AR receiving file: mostly CCD+ with an RMR addenda, some PPD, one batch in ten CTX.
    const sec = batchNumber % 10 === 0 ? 'CTX' : batchNumber % 10 <= 3 ? 'PPD' : 'CCD';
    const odfi = '09100001';
    const company = NAMES[batchNumber % NAMES.length] as string;
    await emit(
      `5200${alpha(company, 16)}${alpha('', 20)}1${num(100000000 + batchNumber, 9)}${sec}${alpha('PAYMENT', 10)}${alpha('JAN 15', 6)}250115   1${odfi}${num(batchNumber, 7)}`,
    );
    const totals: BatchTotals = { records: 0, hash: 0, debit: 0, credit: 0 };
    for (let e = 1; e <= ENTRIES_PER_BATCH && bytes < targetBytes - 20 * (RECORD + 2); e++) {
      const routing = ROUTING8[Math.floor(next() * ROUTING8.length)] as string;
      const debit = next() < 0.1;
      const code = debit ? '27' : '22';
      const trace = `${odfi}${num(e, 7)}`;
      const name = NAMES[Math.floor(next() * NAMES.length)] as string;
      const invoices = Array.from(
        { length: 1 + Math.floor(next() * 4) },
        () => 1000 + Math.floor(next() * 50000),
      );
      const amount = sec === 'CTX' ? invoices.reduce((a, b) => a + b, 0) : invoices[0]!;
      const account = alpha(num(Math.floor(next() * 1e12), 12), 17);
      const addenda: string[] = [];
      if (sec === 'CCD')
        addenda.push(alpha(`RMR*IV*INV-${num(batchNumber, 5)}${num(e, 4)}*PI*${cents(amount)}\\`, 80));
      if (sec === 'CTX') addenda.push(...ctxAddenda(trace, name, invoices));
      const nameField = sec === 'CTX' ? `${num(addenda.length, 4)}${alpha(name, 16)}  ` : alpha(name, 22);
      await emit(
        `6${code}${routing}${checkDigit(routing)}${account}${num(amount, 10)}${alpha(`CUST${num(e, 6)}`, 15)}${nameField}  ${addenda.length > 0 ? 1 : 0}${trace}`,
      );
      for (let a = 0; a < addenda.length; a++)
        await emit(`705${addenda[a]}${num(a + 1, 4)}${trace.slice(8)}`);
      totals.records += 1 + addenda.length;
      totals.hash = (totals.hash + Number.parseInt(routing, 10)) % 1e10;
      if (debit) totals.debit += amount;
      else totals.credit += amount;
    }
    await emit(
      `8200${num(totals.records, 6)}${num(totals.hash, 10)}${num(totals.debit, 12)}${num(totals.credit, 12)}1${num(100000000 + batchNumber, 9)}${alpha('', 19)}${alpha('', 6)}${odfi}${num(batchNumber, 7)}`,
    );
    fileHash = (fileHash + totals.hash) % 1e10;
    fileDebit += BigInt(totals.debit);
    fileCredit += BigInt(totals.credit);
    fileRecords += totals.records;
  }
  const blocks = Math.ceil((records + 1) / 10);
  await emit(
    `9${num(batchNumber, 6)}${num(blocks, 6)}${num(fileRecords, 8)}${num(fileHash, 10)}${num(fileDebit, 12)}${num(fileCredit, 12)}${alpha('', 39)}`,
  );
  while (records % 10 !== 0) await emit('9'.repeat(RECORD));
  if (buffer.length > 0) await write(buffer.join(''));
}
