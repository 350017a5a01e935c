// One run at a time per host: a lock directory under /run/lock (gone after a reboot) naming its
// owner. A resumed run owns the lock of the run it continues; a stale lock can be broken on request.
import { hostname } from 'node:os';
import { RuntimeError } from '../../errors.js';
import { quote } from '../transport/shell.js';
import type { Transport } from '../transport/types.js';

export const LOCK_DIR = '/run/lock/k8sha-wizard';

interface Owner {
  runId: string;
  cluster: string;
  operator: string;
  pid: number;
  startedAt: string;
}

export async function acquireLock(
  t: Transport,
  runId: string,
  cluster: string,
  breakLock: boolean,
): Promise<void> {
  const owner: Owner = {
    runId,
    cluster,
    operator: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
  const line = JSON.stringify(owner);
  const script = `if mkdir -p /run/lock && mkdir ${LOCK_DIR} 2>/dev/null; then printf '%s\\n' ${quote(line)} > ${LOCK_DIR}/owner; echo acquired; else cat ${LOCK_DIR}/owner 2>/dev/null || echo '{}'; fi`;
  const r = await t.exec(script, { timeoutMs: 30_000 });
  const out = r.stdout.trim();
  if (out === 'acquired') return;
  let other: Partial<Owner> = {};
  try {
    other = JSON.parse(out) as Partial<Owner>;
  } catch {
    // unreadable owner file: treat as foreign
  }
  if (other.runId === runId) return;
  if (breakLock) {
    await t.exec(`rm -rf ${LOCK_DIR}`, { timeoutMs: 30_000 });
    return acquireLock(t, runId, cluster, false);
  }
  throw new RuntimeError(
    `${t.host} is locked by another run (${other.runId ?? 'unknown'} for cluster ${other.cluster ?? '?'}, started ${other.startedAt ?? '?'} from ${other.operator ?? '?'} pid ${other.pid ?? '?'})`,
    'wait for that run to finish; if it is not running any more, run again with --break-lock',
  );
}

export async function releaseLock(t: Transport, runId: string): Promise<void> {
  await t.exec(
    `grep -q ${quote(`"runId":"${runId}"`)} ${LOCK_DIR}/owner 2>/dev/null && rm -rf ${LOCK_DIR}; true`,
    { timeoutMs: 15_000 },
  );
}
