/**
 * Parses bytes with a format reader in a worker thread, under a time limit. `Promise.race` alone
 * cannot stop a reader stuck in a synchronous loop; terminating the worker can, so a hang is reported
 * as a hang (and the worker restarted) instead of freezing the test run.
 */
import { Worker } from 'node:worker_threads';
import type { FormatName, ParseResult } from '../model.js';

export interface WorkerRequest {
  id: number;
  format: FormatName;
  bytes: Uint8Array;
  /** The reader gets the input in chunks of this many bytes (chunk boundaries are a classic bug). */
  chunkBytes: number;
  fileName: string;
  lenient: boolean;
  strict: boolean;
  /** Self-test of the kill path: the worker spins forever in a synchronous loop. */
  spinForever?: boolean;
}

export type WorkerReply =
  | { id: number; kind: 'ready' }
  | { id: number; kind: 'ok'; result: ParseResult; protocolErrors: string[] }
  | { id: number; kind: 'parse-error'; code: string; message: string }
  | { id: number; kind: 'crash'; name: string; message: string; stack: string };

export type IsolatedOutcome =
  | Exclude<WorkerReply, { kind: 'ready' }>
  | { id: number; kind: 'timeout'; ms: number }
  | { id: number; kind: 'worker-died'; message: string };

export interface IsolatedParseOptions {
  fileName?: string;
  lenient?: boolean;
  strict?: boolean;
  chunkBytes?: number;
  timeoutMs?: number;
  spinForever?: boolean;
}

const BOOT = new URL('./parse-worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./parse-worker.ts', import.meta.url).href;
const STARTUP_MS = 120_000;
/** A reader that needs more than this for a few KB is broken; the cap keeps the test process alive. */
const WORKER_HEAP_MB = 512;

export class IsolatedParser {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 0;
  private pending = new Map<number, (outcome: IsolatedOutcome) => void>();

  async parse(
    format: FormatName,
    bytes: Uint8Array,
    options: IsolatedParseOptions = {},
  ): Promise<IsolatedOutcome> {
    await this.start();
    const worker = this.worker!;
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? 5_000;
    const request: WorkerRequest = {
      id,
      format,
      bytes,
      chunkBytes: options.chunkBytes ?? 64 * 1024,
      fileName: options.fileName ?? `mutated.${format}`,
      lenient: options.lenient ?? false,
      strict: options.strict ?? false,
      spinForever: options.spinForever ?? false,
    };
    return new Promise<IsolatedOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void this.stop();
        resolve({ id, kind: 'timeout', ms: timeoutMs });
      }, timeoutMs);
      this.pending.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      worker.postMessage(request);
    });
  }

  /** Terminates the worker; the next `parse` starts a fresh one. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    if (worker) await worker.terminate();
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const worker = new Worker(BOOT, {
      workerData: { entry: ENTRY },
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('parse worker did not start')), STARTUP_MS);
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'ready') {
          clearTimeout(timer);
          resolve();
          return;
        }
        this.settle(reply.id, reply);
      });
      worker.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
        this.failAll(`worker error: ${error.name}: ${error.message}`);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) {
          this.worker = null;
          this.ready = null;
        }
        this.failAll(`worker exited with code ${code}`);
      });
    });
    return this.ready;
  }

  private settle(id: number, outcome: IsolatedOutcome): void {
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    resolve?.(outcome);
  }

  private failAll(message: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, { id, kind: 'worker-died', message });
  }
}
