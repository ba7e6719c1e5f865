// Worker-thread entry: Node cannot load TypeScript by itself, so register tsx's loader first,
// then load the worker proper. Used by `isolated-parser.ts`.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
