/**
 * Generates a valid X12 820 file of about `targetBytes` for the parser benchmark: interchanges of 100
 * functional groups, groups of 100 transaction sets, each an 004010 remittance advice with 5-40 invoices
 * (RMR with REF and DTM, now and then a discount or an ADX adjustment), Σ RMR04 = BPR02 and correct
 * SE/GE/IEA counts and control numbers. One segment a line, `~` terminator.
 */

const SETS_PER_GROUP = 100;
const GROUPS_PER_INTERCHANGE = 100;
const FLUSH_CHARS = 1 << 20;

const PAYERS = [
  'ACME SUPPLY CO',
  'GLOBEX CORPORATION',
  'INITECH LLC',
  'UMBRELLA HEALTH',
  'STARK INDUSTRIES',
  'WAYNE ENTERPRISES',
];

function num(value: number, width: number): string {
  return String(value).padStart(width, '0').slice(-width);
}

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

function isa(control: number): string {
  return `ISA*00*${' '.repeat(10)}*00*${' '.repeat(10)}*ZZ*${'PAYERID'.padEnd(15)}*ZZ*${'OPENARDEMO'.padEnd(15)}*250115*1200*^*00501*${num(control, 9)}*0*P*>~\n`;
}

/** One transaction set (ST…SE) whose RMR04 add up to BPR02. */
function transaction(control: string, next: () => number, sequence: number): string {
  const invoices = 5 + Math.floor(next() * 36);
  const lines: string[] = [];
  let total = 0;
  for (let i = 0; i < invoices; i++) {
    const invoiced = 1000 + Math.floor(next() * 500000);
    const discount = next() < 0.2 ? Math.floor(invoiced * 0.02) : 0;
    const paid = invoiced - discount;
    total += paid;
    lines.push(
      `RMR*IV*INV-${num(sequence, 7)}-${num(i + 1, 2)}*PI*${cents(paid)}*${cents(invoiced)}${discount > 0 ? `*${cents(discount)}` : ''}~`,
    );
    lines.push(`REF*PO*PO-${num(Math.floor(next() * 1e6), 6)}~`);
    lines.push('DTM*003*20241215~');
    if (discount > 0 && next() < 0.3) lines.push(`ADX*-${cents(discount)}*01~`);
  }
  const payer = PAYERS[sequence % PAYERS.length] as string;
  const segments = [
    `ST*820*${control}~`,
    `BPR*C*${cents(total)}*C*ACH*CTX*01*091000019*DA*1234567890*1234567890**01*121000248*DA*987654321*20250116~`,
    `TRN*1*${num(sequence, 10)}*1234567890~`,
    'CUR*PR*USD~',
    `REF*CK*${num(sequence, 8)}~`,
    'DTM*097*20250115~',
    `N1*PR*${payer}*91*C${num(sequence % 997, 4)}~`,
    'N1*PE*OPENAR DEMO INC~',
    'ENT*1~',
    ...lines,
  ];
  segments.push(`SE*${segments.length + 1}*${control}~`);
  return `${segments.join('\n')}\n`;
}

export async function generate(
  write: (chunk: string) => Promise<void> | void,
  targetBytes: number,
): Promise<void> {
  const next = random(820);
  let buffer = '';
  let bytes = 0;
  const emit = async (text: string): Promise<void> => {
    buffer += text;
    bytes += text.length;
    if (buffer.length >= FLUSH_CHARS) {
      await write(buffer);
      buffer = '';
    }
  };
  let sequence = 0;
  let interchange = 0;
  let group = 0;
  while (bytes < targetBytes) {
    interchange++;
    await emit(isa(interchange));
    let groups = 0;
    while (groups < GROUPS_PER_INTERCHANGE && bytes < targetBytes) {
      group++;
      groups++;
      await emit(`GS*RA*PAYERID*OPENARDEMO*20250115*1200*${group}*X*004010~\n`);
      let sets = 0;
      while (sets < SETS_PER_GROUP && bytes < targetBytes) {
        sets++;
        sequence++;
        await emit(transaction(num(sets, 4), next, sequence));
      }
      await emit(`GE*${sets}*${group}~\n`);
    }
    await emit(`IEA*${groups}*${num(interchange, 9)}~\n`);
  }
  if (buffer.length > 0) await write(buffer);
}
