// One run at a time per host: a lock directory in a root-only directory under /run (gone after a
// reboot) naming its owner. A resumed run owns the lock of the run it continues. A lock left by a
// run from this machine whose process is gone is stale and taken over; any other lock is broken only
// with --break-lock, and only when the operator confirms.
import { hostname } from 'node:os';
import { RuntimeError } from '../../errors.js';
import { processAlive, processStartTime } from '../../state/run-lock.js';
import { quote } from '../transport/shell.js';
import type { Transport } from '../transport/types.js';

/** Root-only, so no other user of the host can create or fake the lock. */
export const LOCK_PARENT = '/run/k8sha-wizard';
export const LOCK_DIR = `${LOCK_PARENT}/lock`;

interface Owner {
  runId: string;
  cluster: string;
  operator: string;
  pid: number;
  procStart?: string;
  startedAt: string;
}

export interface HostLockOptions {
  breakLock: boolean;
  /** Asked before breaking a lock whose owner may still run. */
  confirm?: (message: string) => Promise<boolean>;
  onNotice?: (message: string) => void;
}

const PARENT_OK = `[ -d ${LOCK_PARENT} ] && [ ! -L ${LOCK_PARENT} ] && [ "$(stat -c %u ${LOCK_PARENT})" = 0 ]`;

export async function acquireLock(
  t: Transport,
  runId: string,
  cluster: string,
  o: HostLockOptions,
): Promise<void> {
  const owner: Owner = {
    runId,
    cluster,
    operator: hostname(),
    pid: process.pid,
    procStart: processStartTime(process.pid),
    startedAt: new Date().toISOString(),
  };
  const line = JSON.stringify(owner);
  const script = [
    `mkdir -p -m 700 ${LOCK_PARENT} && chmod 700 ${LOCK_PARENT}`,
    `if ! ${PARENT_OK}; then echo "unsafe: ${LOCK_PARENT} is not a root-owned directory" >&2; exit 3; fi`,
    `if mkdir -m 700 ${LOCK_DIR} 2>/dev/null; then printf '%s\\n' ${quote(line)} > ${LOCK_DIR}/owner; echo acquired; else cat ${LOCK_DIR}/owner 2>/dev/null || echo '{}'; fi`,
  ].join('\n');
  const r = await t.exec(script, { timeoutMs: 30_000 });
  if (r.code !== 0)
    throw new RuntimeError(
      `${t.host}: cannot take the host lock: ${r.stderr.trim()}`,
      `look at ${LOCK_PARENT} on ${t.host}`,
    );
  const out = r.stdout.trim();
  if (out === 'acquired') return;
  let other: Partial<Owner> = {};
  try {
    other = JSON.parse(out) as Partial<Owner>;
  } catch {
    // unreadable owner file: treat as foreign
  }
  if (other.runId === runId) return;
  const who = `run ${other.runId ?? 'unknown'} for cluster ${other.cluster ?? '?'}, started ${other.startedAt ?? '?'} from ${other.operator ?? '?'} pid ${other.pid ?? '?'}`;
  const stale =
    other.operator === hostname() &&
    typeof other.pid === 'number' &&
    !processAlive(other.pid, other.procStart ?? '');
  if (stale) o.onNotice?.(`${t.host}: took over the host lock of ${who}, which is no longer running`);
  else if (!o.breakLock)
    throw new RuntimeError(
      `${t.host} is locked by another run (${who})`,
      'wait for that run to finish; if it is not running any more, run again with --break-lock',
    );
  else if (!(await o.confirm?.(`${t.host} is locked by ${who}, which may still be running. Break the lock?`)))
    throw new RuntimeError(
      `${t.host} is locked by ${who}; the lock was not broken`,
      'confirm breaking it in a terminal, or stop that run first',
    );
  await t.exec(`rm -rf ${LOCK_DIR}`, { timeoutMs: 30_000 });
  return acquireLock(t, runId, cluster, { ...o, breakLock: false });
}

export async function releaseLock(t: Transport, runId: string): Promise<void> {
  await t.exec(
    `grep -q ${quote(`"runId":"${runId}"`)} ${LOCK_DIR}/owner 2>/dev/null && rm -rf ${LOCK_DIR}; true`,
    { timeoutMs: 15_000 },
  );
}
