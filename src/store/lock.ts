import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './client.js';

export interface DirectoryLock {
  release(): void;
}

const LOCK_FILE = 'openar.lock';

/**
 * PGlite's data directory must have one writer; two processes on it corrupt it. The lock file holds
 * the owner's pid; a lock left by a dead process (kill -9) is taken over.
 */
export function acquireDirectoryLock(dataDir: string): DirectoryLock {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return lockAt(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const ownerPid = readOwner(path);
      if (ownerPid !== null && ownerPid !== process.pid && isAlive(ownerPid)) {
        throw new StoreError(`database ${dataDir} is already open by pid ${ownerPid}`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new StoreError(`could not lock database directory ${dataDir}`);
}

function lockAt(path: string): DirectoryLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    rmSync(path, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return { release };
}

function readOwner(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
