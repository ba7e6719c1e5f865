import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'openar.js');

/** A file of test/fixtures. */
export const fixture = (name: string) => join(root, 'test', 'fixtures', name);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A new temporary folder `openar-NAME-…` and the path `db` of an embedded database in it. */
export function tempDatabase(name: string): { dir: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), `openar-${name}-`));
  return { dir, db: join(dir, 'data') };
}

const childArgs = (db: string, args: string[]) => [bin, '--db', db, '--user', 'cli-test', ...args];

/** Runs bin/openar.js as user cli-test in a child process and waits for it. */
export function openar(db: string, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, childArgs(db, args), {
    encoding: 'utf8',
    env: { ...process.env, OPENAR_DEBUG: '' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs bin/openar.js as user cli-test in a child process without blocking this one (a server in this
 * process must keep answering). SMTP_URL is empty unless `env` sets it.
 */
export function openarChild(db: string, env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, childArgs(db, args), {
      env: { ...process.env, OPENAR_DEBUG: '', SMTP_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the CLI in this process (the same `main` bin/openar.js calls; one PGlite or pool per command,
 * as from a shell), capturing what it writes: a process per command costs seconds of start-up each
 * on a busy machine. SMTP_URL is hidden from the command; process.exitCode is left unset.
 */
export async function openarInProcess(db: string, user: string, ...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const smtp = process.env.SMTP_URL;
  delete process.env.SMTP_URL;
  try {
    process.exitCode = undefined;
    const code = await main(['node', 'openar', '--db', db, '--user', user, ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
    if (smtp !== undefined) process.env.SMTP_URL = smtp;
  }
}

/**
 * `openar init` of company acme, then `openar import` of the fixtures `KIND.csv` for each kind given,
 * through `run`: each must exit 0.
 */
export async function initWithFixtures(
  run: (...args: string[]) => CliResult | Promise<CliResult>,
  kinds: readonly string[] = ['customers', 'invoices', 'payments'],
): Promise<void> {
  expect((await run('init', '--code', 'acme', '--name', 'Acme')).code).toBe(0);
  for (const kind of kinds) expect((await run('import', kind, fixture(`${kind}.csv`))).code).toBe(0);
}
