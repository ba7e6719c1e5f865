import { afterAll, describe, expect, it } from 'vitest';
import { IsolatedParser } from './isolated-parser.js';
import { nachaSeed } from './seeds.js';

describe('IsolatedParser', () => {
  const parser = new IsolatedParser();
  afterAll(() => parser.stop());

  it('reports a reader stuck in a synchronous loop as a timeout and recovers', async () => {
    const stuck = await parser.parse('nacha', new Uint8Array(0), { spinForever: true, timeoutMs: 300 });
    expect(stuck.kind).toBe('timeout');
    // A fresh worker answers the next request.
    const next = await parser.parse('nacha', nachaSeed().bytes, { fileName: 'seed.ach', timeoutMs: 60_000 });
    expect(['ok', 'parse-error', 'crash']).toContain(next.kind);
  }, 120_000);

  it('returns the reader error kind and message from the worker', async () => {
    const outcome = await parser.parse('nacha', Buffer.from('not a nacha file\n'), {
      fileName: 'junk.ach',
      timeoutMs: 60_000,
    });
    expect(['parse-error', 'crash']).toContain(outcome.kind);
    if (outcome.kind === 'parse-error') expect(outcome.message).toContain('junk.ach');
  }, 120_000);
});
