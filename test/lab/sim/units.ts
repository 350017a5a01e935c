// systemctl. haproxy and keepalived run for real (spawned here, so they live in the host's
// namespaces); containerd, kubelet, chronyd, firewalld and the rest are units with state.
import { spawn, spawnSync } from 'node:child_process';
import { containerdRefuses, kubeletIdle, kubeletProblem, kubeletSync } from './kubelet.js';
import { installedPackages } from './packages.js';
import { syncFirewall, ufwState } from './firewall.js';
import { existsSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import {
  err,
  fail,
  isRhel,
  journal,
  osSpec,
  out,
  readIfExists,
  readState,
  write,
  writeState,
} from './env.js';

type Active = 'active' | 'inactive' | 'failed' | 'activating';
interface Unit {
  enabled: boolean;
  active: Active;
  pid?: number;
  masked?: boolean;
}
type Units = Record<string, Unit>;

const ALIASES: Record<string, string> = { ssh: 'sshd', chrony: 'chronyd', 'containerd.io': 'containerd' };
const REAL_UNITS = new Set(['haproxy', 'keepalived']);

function initialUnits(): Units {
  const base: Units = { sshd: { enabled: true, active: 'active' } };
  if (isRhel()) {
    base.firewalld = { enabled: true, active: 'active' };
    base.chronyd = { enabled: true, active: 'active' };
  } else {
    base['systemd-timesyncd'] = { enabled: true, active: 'active' };
    if (osSpec().firewall === 'ufw') base.ufw = { enabled: true, active: 'active' };
  }
  return base;
}

const UNIT_DIR = '/etc/systemd/system';

export function units(): Units {
  const u = readState<Units>('units', initialUnits);
  // Like systemd, a unit file an administrator put in /etc/systemd/system is loaded when first named.
  if (existsSync(UNIT_DIR))
    for (const f of readdirSync(UNIT_DIR, { withFileTypes: true })) {
      // Aliases (symlinks) are not units of their own; the build machine's own live there too.
      const m = f.isFile() ? /^(.+)\.(service|timer)$/.exec(f.name) : null;
      if (m) u[unitName(f.name)] ??= { enabled: false, active: 'inactive' };
    }
  return u;
}

function save(u: Units): void {
  writeState('units', u);
}

function unitName(arg: string): string {
  const n = arg.replace(/\.service$/, '');
  return ALIASES[n] ?? n;
}

/** Package install side effects: the units a package brings, enabled and started as its distro does. */
export async function packageInstalled(pkg: string, version: string): Promise<void> {
  const u = units();
  const deb = !isRhel();
  if (pkg === 'containerd.io') {
    if (!existsSync('/etc/containerd/config.toml')) {
      // Docker's package ships a config that disables the CRI plugin.
      write(
        '/etc/containerd/config.toml',
        '#   Copyright 2018-2022 Docker Inc.\n\ndisabled_plugins = ["cri"]\n',
      );
    }
    write('/var/lib/k8sha-lab/containerd-version', version);
    u.containerd ??= { enabled: deb, active: 'inactive' };
  }
  if (pkg === 'kubelet') u.kubelet ??= { enabled: deb, active: deb ? 'activating' : 'inactive' };
  if (pkg === 'haproxy') u.haproxy ??= { enabled: deb, active: 'inactive' };
  if (pkg === 'keepalived') u.keepalived ??= { enabled: deb, active: 'inactive' };
  if (pkg === 'chrony') u.chronyd ??= { enabled: true, active: 'active' };
  if (pkg === 'firewalld') u.firewalld ??= { enabled: true, active: 'active' };
  save(u);
  if (deb && pkg === 'containerd.io') await startUnit('containerd', true);
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    // A zombie is not alive: check its state.
    const stat = readIfExists(`/proc/${pid}/stat`) ?? '';
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

function status(name: string): Active {
  const u = units()[name];
  if (!u) return 'inactive';
  if (REAL_UNITS.has(name)) return alive(u.pid) ? 'active' : u.active === 'failed' ? 'failed' : 'inactive';
  if (name === 'kubelet' && u.active !== 'inactive' && u.active !== 'failed') {
    // Without its config, or on a host where it cannot run, the kubelet restarts over and over.
    return existsSync('/var/lib/kubelet/config.yaml') && !kubeletProblem() ? 'active' : 'activating';
  }
  return u.active;
}

function spawnDaemon(name: string, cmd: string, args: string[]): number {
  mkdirSync('/var/log', { recursive: true });
  const log = openSync(`/var/log/${name}.log`, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  return child.pid!;
}

function startFailed(name: string, why: string): never {
  const u = units();
  u[name]!.active = 'failed';
  save(u);
  journal(name, why);
  fail(
    1,
    `Job for ${name}.service failed because the control process exited with error code.`,
    `See "systemctl status ${name}.service" and "journalctl -xeu ${name}.service" for details.`,
  );
}

async function startUnit(name: string, quietFailure = false): Promise<void> {
  const all = units();
  const u = all[name];
  if (!u) fail(5, `Failed to start ${name}.service: Unit ${name}.service not found.`);
  if (u.masked) fail(1, `Failed to start ${name}.service: Unit ${name}.service is masked.`);
  if (status(name) === 'active') return;
  switch (name) {
    case 'haproxy': {
      const check = spawnSync('haproxy', ['-c', '-q', '-f', '/etc/haproxy/haproxy.cfg'], {
        encoding: 'utf8',
      });
      if (check.status !== 0) startFailed(name, `haproxy -c failed:\n${check.stdout}${check.stderr}`);
      u.pid = spawnDaemon('haproxy', 'haproxy', [
        '-db',
        '-f',
        '/etc/haproxy/haproxy.cfg',
        '-p',
        '/run/haproxy.pid',
      ]);
      break;
    }
    case 'keepalived': {
      const conf = readIfExists('/etc/keepalived/keepalived.conf');
      if (!conf || !conf.trim()) {
        journal(name, 'ConditionFileNotEmpty=/etc/keepalived/keepalived.conf was not met');
        out(
          `keepalived.service was skipped because of an unmet condition check (ConditionFileNotEmpty=/etc/keepalived/keepalived.conf).`,
        );
        return;
      }
      u.pid = spawnDaemon('keepalived', 'keepalived', [
        '-n',
        '-l',
        '-D',
        '-f',
        '/etc/keepalived/keepalived.conf',
        '-p',
        '/run/keepalived.pid',
        '-r',
        '/run/keepalived_vrrp.pid',
        '-c',
        '/run/keepalived_checkers.pid',
      ]);
      break;
    }
    case 'containerd': {
      // containerd itself starts with SystemdCgroup false (the kubelet is what refuses to run then),
      // but not with a config it cannot read.
      const refusal = containerdRefuses(installedPackages()['containerd.io']?.version ?? '2.0.0');
      if (refusal) {
        if (quietFailure) {
          u.active = 'failed';
          save(all);
          return;
        }
        startFailed(name, refusal);
      }
      mkdirSync('/run/containerd', { recursive: true });
      write('/run/containerd/containerd.sock', '');
      u.active = 'active';
      break;
    }
    default:
      u.active = 'active';
  }
  if (REAL_UNITS.has(name)) u.active = 'active';
  save(all);
  journal(name, 'started');
  if (name === 'haproxy' || name === 'keepalived') await waitAlive(name, u.pid!);
  if (name === 'kubelet') void kubeletSync();
  if (name === 'firewalld') syncFirewall('firewalld', true);
  if (name === 'ufw') syncFirewall('ufw', ufwState().active);
}

/**
 * systemctl reload as the real units do it: keepalived gets SIGHUP (it re-reads its config and keeps
 * the VIP while it stays master); haproxy checks the new config, then a new process takes over the
 * listeners from the old one (-sf), so no connection is refused. A unit that is not running is an error.
 */
async function reloadUnit(name: string): Promise<void> {
  const all = units();
  const u = all[name];
  if (!u) fail(5, `Failed to reload ${name}.service: Unit ${name}.service not found.`);
  if (status(name) !== 'active') fail(1, `${name}.service is not active, cannot reload.`);
  if (name === 'keepalived' && alive(u.pid)) {
    process.kill(u.pid!, 'SIGHUP');
    journal(name, 'reloaded (SIGHUP)');
    return;
  }
  if (name === 'haproxy' && alive(u.pid)) {
    const check = spawnSync('haproxy', ['-c', '-q', '-f', '/etc/haproxy/haproxy.cfg'], { encoding: 'utf8' });
    if (check.status !== 0) {
      journal(name, `reload refused, haproxy -c failed:\n${check.stdout}${check.stderr}`);
      fail(1, `Job for ${name}.service failed because the control process exited with error code.`);
    }
    const old = u.pid!;
    u.pid = spawnDaemon('haproxy', 'haproxy', [
      '-db',
      '-f',
      '/etc/haproxy/haproxy.cfg',
      '-p',
      '/run/haproxy.pid',
      '-sf',
      String(old),
    ]);
    save(all);
    journal(name, 'reloaded');
    await waitAlive(name, u.pid);
    return;
  }
  // Simulated units have nothing to re-read.
  journal(name, 'reloaded');
}

async function waitAlive(name: string, pid: number): Promise<void> {
  // A daemon that dies at once (bad config, port in use) is a failed start, as systemd would report.
  await new Promise((r) => setTimeout(r, 300));
  if (!alive(pid)) {
    const tail = (readIfExists(`/var/log/${name}.log`) ?? '').split('\n').slice(-5).join('\n');
    startFailed(name, `${name} exited right after start:\n${tail}`);
  }
}

async function stopUnit(name: string): Promise<void> {
  const all = units();
  const u = all[name];
  if (!u) fail(5, `Failed to stop ${name}.service: Unit ${name}.service not loaded.`);
  if (REAL_UNITS.has(name) && alive(u.pid)) {
    process.kill(u.pid!, 'SIGTERM');
    for (let i = 0; i < 100 && alive(u.pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (alive(u.pid)) process.kill(u.pid!, 'SIGKILL');
  }
  if (name === 'containerd') rmSync('/run/containerd/containerd.sock', { force: true });
  if (name === 'firewalld' || name === 'ufw') syncFirewall(name, false);
  delete u.pid;
  u.active = 'inactive';
  save(all);
  // systemd returns once the process is gone; the kubelet stand-in's pass in flight is that process.
  if (name === 'kubelet') await kubeletIdle();
  journal(name, 'stopped');
}

export async function systemctl(argv: string[]): Promise<void> {
  const quiet = argv.includes('--quiet') || argv.includes('-q');
  const now = argv.includes('--now');
  const args = argv.filter((a) => !a.startsWith('-'));
  const [sub, ...rest] = args;
  const names = rest.map(unitName);
  switch (sub) {
    case 'daemon-reload':
      return;
    case 'start':
      for (const n of names) await startUnit(n);
      return;
    case 'stop':
      for (const n of names) await stopUnit(n);
      return;
    case 'reload':
      for (const n of names) await reloadUnit(n);
      return;
    case 'restart':
    case 'reload-or-restart':
    case 'try-restart':
      for (const n of names) {
        if (!units()[n]) fail(5, `Failed to restart ${n}.service: Unit ${n}.service not found.`);
        await stopUnit(n);
        await startUnit(n);
      }
      return;
    case 'enable':
    case 'disable': {
      const all = units();
      for (const n of names) {
        if (!all[n]) fail(1, `Failed to ${sub} unit: Unit file ${n}.service does not exist.`);
        all[n]!.enabled = sub === 'enable';
        if (sub === 'enable')
          err(
            n.endsWith('.timer')
              ? `Created symlink /etc/systemd/system/timers.target.wants/${n} → /etc/systemd/system/${n}.`
              : `Created symlink /etc/systemd/system/multi-user.target.wants/${n}.service → /usr/lib/systemd/system/${n}.service.`,
          );
      }
      save(all);
      if (now) for (const n of names) await (sub === 'enable' ? startUnit(n) : stopUnit(n));
      return;
    }
    case 'mask':
    case 'unmask': {
      const all = units();
      for (const n of names) if (all[n]) all[n]!.masked = sub === 'mask';
      save(all);
      return;
    }
    case 'is-active': {
      let code = 0;
      for (const n of names) {
        const s = status(n);
        if (!quiet) out(s);
        if (s !== 'active') code = 3;
      }
      if (code) fail(code);
      return;
    }
    case 'is-failed': {
      // Exit 0 when a named unit has failed, as systemctl does.
      const states = names.map(status);
      if (!quiet) out(states.join('\n'));
      if (!states.includes('failed')) fail(1);
      return;
    }
    case 'is-enabled': {
      let code = 0;
      for (const n of names) {
        const u = units()[n];
        const s = !u ? 'not-found' : u.masked ? 'masked' : u.enabled ? 'enabled' : 'disabled';
        if (!quiet) out(s);
        if (s !== 'enabled') code = 1;
      }
      if (code) fail(code);
      return;
    }
    case 'status': {
      let code = 0;
      for (const n of names) {
        const u = units()[n];
        if (!u) {
          err(`Unit ${n}.service could not be found.`);
          code = 4;
          continue;
        }
        const s = status(n);
        out(
          `● ${n}.service\n     Loaded: loaded (/usr/lib/systemd/system/${n}.service; ${u.enabled ? 'enabled' : 'disabled'})\n     Active: ${s}${u.pid && s === 'active' ? `\n   Main PID: ${u.pid}` : ''}`,
        );
        const log = readIfExists(`/var/log/k8sha-lab/${n}.log`);
        if (log) out(log.split('\n').slice(-6).join('\n'));
        if (s !== 'active') code = 3;
      }
      if (code) fail(code);
      return;
    }
    default:
      fail(1, `Unknown command verb ${sub ?? ''}.`);
  }
}

/** Used by kubeadm: is a unit installed, and is it running? */
export function unitStatus(name: string): { installed: boolean; enabled: boolean; active: Active } {
  const u = units()[name];
  return { installed: !!u, enabled: !!u?.enabled, active: status(name) };
}

export function setKubeletRunning(): void {
  const all = units();
  if (all.kubelet) {
    all.kubelet.active = 'active';
    save(all);
  }
}

export function setKubeletStopped(): void {
  const all = units();
  if (all.kubelet) {
    all.kubelet.active = 'inactive';
    save(all);
  }
}
