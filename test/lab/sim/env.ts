// What every simulated command shares: the host's identity, its persistent state under
// /var/lib/k8sha-lab (inside the host's /var overlay), the lab clock, and failing like a real tool.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { inv } from './invocation.js';

export interface HostConfig {
  name: string;
  address: string;
  /** The lab's name for the OS (rocky-9, …) and what it is made of (test/lab/os-matrix.ts). */
  os: string;
  osSpec: {
    id: string;
    versionId: string;
    prettyName: string;
    codename?: string;
    family: 'rhel' | 'debian';
    firewall: 'firewalld' | 'ufw' | 'none';
  };
  role: 'control-plane' | 'worker';
  /** The lab's shared directory (cluster store, clock override), bind-mounted into every host. */
  sharedDir: string;
  subnet: string;
  vip: string;
}

/** Thrown to end a command with an exit code and a message on stderr, like the real tool would. */
export class SimExit extends Error {
  constructor(
    readonly code: number,
    readonly stderr = '',
  ) {
    super(stderr || `exit ${code}`);
  }
}

export function fail(code: number, ...lines: string[]): never {
  throw new SimExit(code, lines.join('\n'));
}

let cachedHost: HostConfig | undefined;
export function host(): HostConfig {
  cachedHost ??= JSON.parse(readFileSync('/etc/k8sha-lab/host.json', 'utf8')) as HostConfig;
  return cachedHost;
}

export const osSpec = () => host().osSpec;
export const isRhel = () => osSpec().family === 'rhel';

const STATE_DIR = '/var/lib/k8sha-lab';

export function readState<T>(name: string, fallback: () => T): T {
  const p = join(STATE_DIR, `${name}.json`);
  if (!existsSync(p)) return fallback();
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}

export function writeState(name: string, value: unknown): void {
  writeJsonAtomic(join(STATE_DIR, `${name}.json`), value);
}

export function writeJsonAtomic(path: string, value: unknown, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  // Unique per write: the daemon serves several commands at once.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  renameSync(tmp, path);
}

/** The lab clock: real time plus an offset the tests can set (.lab/shared/clock-offset-seconds). */
export function now(): number {
  const p = join(host().sharedDir, 'clock-offset-seconds');
  const offset = existsSync(p) ? Number(readFileSync(p, 'utf8').trim()) || 0 : 0;
  return Date.now() + offset * 1000;
}

export function out(text: string): void {
  inv().stdout(text.endsWith('\n') || text === '' ? text : `${text}\n`);
}

export function err(text: string): void {
  inv().stderr(text.endsWith('\n') ? text : `${text}\n`);
}

export function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

export function write(path: string, content: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode });
}

/** An append-only log of what the simulation did on this host, for tests and debugging. */
export function journal(unit: string, line: string): void {
  const p = `/var/log/k8sha-lab/${unit}.log`;
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, `${new Date().toISOString()} ${line}\n`, { flag: 'a' });
}

export function commandNotFound(cmd: string): never {
  fail(127, `bash: line 1: ${cmd}: command not found`);
}
