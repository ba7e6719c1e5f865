/** The pure matcher alone on a synthetic book of 1 M documents and 100 k payments: payments per CPU-second. */
import { Book } from '../../src/cashapp/core/book.js';
import { matchReceipt, reserve } from '../../src/cashapp/core/match.js';
import { DEFAULT_SETTINGS, type ReceiptInput } from '../../src/cashapp/core/types.js';

const C = 20000,
  N = 1000000,
  P = 100000;
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const amountOf = (i: number) => 1000 + ((Math.imul(i + 1, 2654435761) >>> 0) % 2_500_000);
const customers = Array.from({ length: C }, (_, c) => ({
  customerId: `c${c}`,
  customerNumber: `C${c}`,
  name: `Bench Customer ${c} Industries Inc`,
  parentCustomerId: null,
}));
const documents = Array.from({ length: N }, (_, i) => ({
  documentId: `d${i}`,
  documentNumber: `INV-2026-${pad(i, 7)}`,
  customerId: `c${i % C}`,
  docType: 'invoice' as const,
  currency: 'USD',
  amountMinor: amountOf(i),
  openMinor: amountOf(i),
  documentDate: '2026-09-01',
  dueDate: '2026-10-01',
  discountDate: null,
  discountPercent: '0',
  poNumber: null,
}));
let t = performance.now();
const book = new Book({
  customers,
  documents,
  bankAccounts: customers.map((c, i) => ({ accountKey: `US${pad(i, 12)}`, customerId: c.customerId })),
  aliases: [],
});
console.log(
  'book',
  ((performance.now() - t) / 1000).toFixed(2),
  's',
  Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  'MiB heap',
);
const receipts: ReceiptInput[] = [];
for (let k = 0; k < P; k++) {
  const c = k % C;
  const i = c + Math.floor(k / C) * 3 * C;
  const s = k % 20;
  const n = `INV-2026-${pad(i, 7)}`;
  receipts.push({
    receiptId: `r${k}`,
    currency: 'USD',
    amountMinor: amountOf(i),
    receiptDate: '2026-10-20',
    customerId: null,
    payerName: `BENCH CUSTOMER ${c} INDUSTRIES`,
    payerAccountKey: s < 16 ? `US${pad(c, 12)}` : null,
    reference: `E2E-${k}`,
    remittanceText:
      s < 14
        ? `PAYMENT ${n}`
        : s < 16
          ? `PAYMENT ${n.slice(0, -2) + n.at(-1) + n.at(-2)}`
          : s < 18
            ? null
            : `INV ${n.slice(4)}`,
    advices: [],
  });
}
// `--profile FILE` writes a V8 CPU profile of the matching loop alone, `--heap-profile FILE` a
// sampling profile of what it allocates (open either in Chrome's DevTools).
const argAfter = (flag: string) => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const cpuProfileFile = argAfter('--profile');
const heapProfileFile = argAfter('--heap-profile');
const profileFile = cpuProfileFile ?? heapProfileFile;
const profiler = cpuProfileFile
  ? await startInspector('Profiler')
  : heapProfileFile
    ? await startInspector('HeapProfiler')
    : null;
t = performance.now();
const cpu0 = process.cpuUsage();
const outcomes: Record<string, number> = {};
for (const r of receipts) {
  const d = matchReceipt(book, r, DEFAULT_SETTINGS);
  outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
  if (d.outcome === 'auto') reserve(book, d.best!);
}
const s = (performance.now() - t) / 1000;
const cpu = process.cpuUsage(cpu0);
if (profiler && profileFile) await profiler.stop(profileFile);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  'match',
  s.toFixed(2),
  's wall',
  cpuSeconds.toFixed(2),
  's cpu',
  Math.round(P / cpuSeconds),
  '/cpu-s',
  outcomes,
);

/** Starts V8's CPU profiler or its sampling heap profiler through the inspector; `stop` writes the profile. */
async function startInspector(domain: 'Profiler' | 'HeapProfiler') {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post(`${domain}.enable`);
  if (domain === 'Profiler') await session.post('Profiler.start');
  // Young objects too: what a scavenge frees is most of the matcher's garbage.
  else
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  return {
    async stop(file: string) {
      const { profile } =
        domain === 'Profiler'
          ? await session.post('Profiler.stop')
          : await session.post('HeapProfiler.stopSampling');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
