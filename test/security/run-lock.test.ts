// One run per cluster on this machine, and a state directory nobody else can tamper with. The CLI
// part starts two `apply` runs at once against a host that holds its SSH connection open without
// answering (a local black hole), so the first run is still connecting when the second starts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RuntimeError } from '../../src/errors.js';
import { acquireRunLock, lockPath, processStartTime } from '../../src/state/run-lock.js';
import { readSecrets } from '../../src/state/secrets-store.js';
import { savedAnswers } from '../../src/wizard/saved-answers.js';
import { CLI, hasStackTrace } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'k8sha-lock-'));
chmodSync(dir, 0o700);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

describe('the local run lock', () => {
  it('refuses a second holder while the first lives, naming its pid; a dead owner is taken over', async () => {
    const cdir = join(dir, 'unit', 'clusters', 'c1');
    const first = await acquireRunLock(cdir, 'c1', { command: 'apply' });
    const err = await acquireRunLock(cdir, 'c1', { command: 'apply' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    expect((err as RuntimeError).hint).toContain(`kill ${process.pid}`);
    expect(statSync(lockPath(cdir)).mode & 0o777).toBe(0o600);
    first.release();
    expect(existsSync(lockPath(cdir))).toBe(false);

    // A lock left by a process that is gone (kill -9) is stale.
    writeFileSync(
      lockPath(cdir),
      JSON.stringify({
        pid: deadPid(),
        procStart: '1',
        nonce: 'x',
        host: (await import('node:os')).hostname(),
        command: 'apply',
        startedAt: 'then',
      }),
      { mode: 0o600 },
    );
    const notices: string[] = [];
    const second = await acquireRunLock(cdir, 'c1', { command: 'apply', onNotice: (m) => notices.push(m) });
    expect(notices.join()).toMatch(/no longer running/);
    second.release();
  });

  it('--break-lock asks before breaking the lock of a live process, and keeps it on no', async () => {
    const cdir = join(dir, 'unit', 'clusters', 'c2');
    mkdirSync(cdir, { recursive: true, mode: 0o700 });
    const sleeper = spawn('sleep', ['60']);
    children.push(sleeper);
    await new Promise((r) => setTimeout(r, 100));
    const owner = {
      pid: sleeper.pid!,
      procStart: processStartTime(sleeper.pid!),
      nonce: 'n',
      host: (await import('node:os')).hostname(),
      command: 'apply',
      startedAt: 'now',
    };
    writeFileSync(lockPath(cdir), JSON.stringify(owner), { mode: 0o600 });
    const asked: number[] = [];
    const no = await acquireRunLock(cdir, 'c2', {
      command: 'apply',
      breakLock: true,
      confirmBreak: async (o) => (asked.push(o.pid), false),
    }).catch((e: unknown) => e);
    expect((no as Error).message).toMatch(/still running; the lock was not broken/);
    expect(asked).toEqual([sleeper.pid]);
    const yes = await acquireRunLock(cdir, 'c2', {
      command: 'apply',
      breakLock: true,
      confirmBreak: async () => true,
    });
    expect(JSON.parse(readFileSync(lockPath(cdir), 'utf8')).pid).toBe(process.pid);
    yes.release();
    sleeper.kill('SIGKILL');
  });
});

/** A TCP listener that accepts and never speaks: an SSH client waits for its banner. */
async function blackHole(address: string): Promise<{ server: Server; port: number }> {
  const server = createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, address, () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

function answersFor(port: number): string {
  const file = join(dir, `answers-${port}.yaml`);
  writeFileSync(
    file,
    [
      'apiVersion: k8sha-wizard/v1',
      'cluster: { name: locktest }',
      `hosts: [{ name: node01, address: 127.0.0.2, role: control-plane, ssh: { port: ${port} } }]`,
      'ssh: { user: root, passwordEnv: LOCKTEST_PW }',
    ].join('\n'),
  );
  return file;
}

function applyArgs(answers: string, stateDir: string): string[] {
  return [
    CLI,
    'apply',
    '--answers',
    answers,
    '--yes',
    '--state-dir',
    stateDir,
    '--kubeconfig-dir',
    join(dir, 'kube'),
  ];
}

const env = { ...process.env, LOCKTEST_PW: 'x', NO_COLOR: '1' };

describe('two apply runs of one cluster', () => {
  it('the second exits at once naming the first one’s pid; after a kill -9 the lock is taken over', async () => {
    const hole = await blackHole('127.0.0.2');
    const answers = answersFor(hole.port);
    const state = join(dir, 'state-two');
    try {
      const first = spawn(process.execPath, applyArgs(answers, state), { env, stdio: 'ignore' });
      children.push(first);
      const lock = join(state, 'clusters', 'locktest', 'run.lock');
      for (let i = 0; i < 200 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 25));
      expect(existsSync(lock), 'the first run took the lock').toBe(true);
      const t0 = Date.now();
      const second = spawnSync(process.execPath, applyArgs(answers, state), {
        env,
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`pid ${first.pid}`);
      expect(second.stderr).toMatch(/kill \d+/);
      expect(hasStackTrace(second.stderr)).toBe(false);
      expect(Date.now() - t0, 'at once: it did not wait for the first run').toBeLessThan(10_000);

      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      hole.server.close(); // the host now refuses, so the next run ends quickly after taking the lock
      const third = spawnSync(process.execPath, [...applyArgs(answers, state), '--output', 'json'], {
        env,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(third.stdout).toMatch(new RegExp(`took over the lock left by pid ${first.pid}`));
      expect(existsSync(lock), 'released at the end').toBe(false);
    } finally {
      hole.server.close();
    }
  }, 60_000);
});

describe('the state directory', () => {
  it('refuses a state directory others may write, before touching any host', () => {
    const open = join(dir, 'world-writable');
    mkdirSync(open, { recursive: true });
    chmodSync(open, 0o777);
    const r = spawnSync(process.execPath, applyArgs(answersFor(1), open), {
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/writable by everyone \(mode 777\)/);
    expect(r.stderr).toContain(`chmod 700 ${open}`);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('refuses a directory owned by someone else', () => {
    if (process.getuid?.() !== 0) return; // chown needs root; CI runs as root
    const other = join(dir, 'not-mine');
    mkdirSync(other, { mode: 0o700 });
    spawnSync('chown', ['4242', other]);
    const r = spawnSync(process.execPath, applyArgs(answersFor(1), other), {
      env,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/belongs to uid 4242/);
  });

  it('does not follow a symlinked secrets.json, and leaves its target alone', () => {
    const cdir = join(dir, 'symlinked');
    mkdirSync(cdir, { mode: 0o700 });
    const target = join(dir, 'elsewhere.json');
    writeFileSync(target, '{}', { mode: 0o644 });
    symlinkSync(target, join(cdir, 'secrets.json'));
    expect(() => readSecrets(cdir)).toThrow(/symbolic link/);
    expect(statSync(target).mode & 0o777, 'not chmod-ed through the link').toBe(0o644);
  });

  it("creates conf's directory for the saved answers 0700", () => {
    const confDir = join(dir, 'conf-new');
    savedAnswers(confDir).save({ cluster: { name: 'x' } } as never);
    expect(statSync(confDir).mode & 0o777).toBe(0o700);
  });
});
