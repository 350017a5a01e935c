// One run per cluster on this machine: an exclusive lock file in the cluster's state directory,
// created with O_EXCL and naming its owner (pid, the process's start time, a per-process nonce).
// A lock whose owner is gone (kill -9, a crash) is stale and is taken over with a notice; a live
// owner is named with how to stop it, and is only overridden when the operator confirms.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RuntimeError } from '../errors.js';
import { ensurePrivateDir, openPrivateFile } from './private-dir.js';

export interface LockOwner {
  pid: number;
  /** /proc/<pid>/stat start time: tells a live owner from a new process that reuses its pid. */
  procStart: string;
  nonce: string;
  host: string;
  command: string;
  startedAt: string;
}

export interface RunLock {
  readonly path: string;
  readonly owner: LockOwner;
  release(): void;
}

export function lockPath(clusterDir: string): string {
  return join(clusterDir, 'run.lock');
}

/** When a process started (/proc/PID/stat field 22), or '' when it does not exist. */
export function processStartTime(pid: number): string {
  try {
    // Field 22 of /proc/PID/stat, after the parenthesised command name (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/** A process of this machine still runs: the pid exists and started when recorded (pids get reused). */
export function processAlive(pid: number, startTime: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStartTime(pid);
  return !startTime || !now || now === startTime;
}

/** The recorded owner still runs. Another machine's lock (a shared state dir) is assumed to run. */
export function ownerAlive(o: LockOwner): boolean {
  return o.host !== hostname() || processAlive(o.pid, o.procStart);
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const fd = openPrivateFile(path);
    try {
      return JSON.parse(readFileSync(fd, 'utf8')) as LockOwner;
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof RuntimeError) throw e;
    return undefined; // half-written or vanished: treated as stale
  }
}

export interface AcquireOptions {
  command: string;
  breakLock?: boolean;
  /** Asked before breaking the lock of an owner that still runs; no terminal means no. */
  confirmBreak?: (owner: LockOwner) => Promise<boolean>;
  onNotice?: (message: string) => void;
}

export async function acquireRunLock(
  clusterDir: string,
  cluster: string,
  o: AcquireOptions,
): Promise<RunLock> {
  ensurePrivateDir(clusterDir);
  const path = lockPath(clusterDir);
  const owner: LockOwner = {
    pid: process.pid,
    procStart: processStartTime(process.pid),
    nonce: randomBytes(12).toString('hex'),
    host: hostname(),
    command: o.command,
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      try {
        writeSync(fd, `${JSON.stringify(owner)}\n`);
      } finally {
        closeSync(fd);
      }
      return {
        path,
        owner,
        release: () => {
          // Only our own lock: a broken-and-retaken lock belongs to someone else now.
          if (readOwner(path)?.nonce === owner.nonce) unlinkSync(path);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const other = readOwner(path);
    if (other && ownerAlive(other)) {
      const who = `pid ${other.pid} on ${other.host} (${other.command}, started ${other.startedAt})`;
      if (!o.breakLock)
        throw new RuntimeError(
          `cluster ${cluster} is being changed by another k8sha-wizard run: ${who}`,
          `wait for it to finish, or stop it (kill ${other.pid}; its journal keeps the progress) and run again. --break-lock takes the lock only when that process is gone, or when you confirm`,
        );
      const yes = o.confirmBreak ? await o.confirmBreak(other) : false;
      if (!yes)
        throw new RuntimeError(
          `cluster ${cluster} is locked by ${who}, which is still running; the lock was not broken`,
          `stop it first (kill ${other.pid}), or confirm breaking the lock in a terminal`,
        );
      o.onNotice?.(`broke the lock of ${who} on request`);
    } else if (other) {
      o.onNotice?.(
        `took over the lock left by pid ${other.pid} (${other.command}, started ${other.startedAt}), which is no longer running`,
      );
    }
    if (existsSync(path)) unlinkSync(path);
  }
  throw new RuntimeError(
    `cannot take the lock ${path}: another run keeps taking it`,
    'run again in a moment',
  );
}
