// The rest of the node OS: swap, kernel modules, sysctl, SELinux, hostname, time, firewalls,
// iptables/IPVS and reboot. Per-network-namespace settings (net.*) are applied for real; anything
// that would reach the shared kernel (modules, swap, kernel.* sysctls) is only recorded.
import { spawnSync } from 'node:child_process';
import { release as osRelease } from 'node:os';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandNotFound, err, fail, isRhel, osSpec, out, readState, write, writeState } from './env.js';
import { unitStatus } from './units.js';
import { firewalldState, openAll, saveFirewalld, saveUfw, syncFirewall, ufwState } from './firewall.js';

// ---------------------------------------------------------------- swap

function fstabSwapLines(): string[] {
  const fstab = existsSync('/etc/fstab') ? readFileSync('/etc/fstab', 'utf8') : '';
  return fstab.split('\n').filter((l) => /^\s*[^#\s]\S*\s+\S+\s+swap\s/.test(l));
}

export function swapOn(): boolean {
  return readState<{ on: boolean }>('swap', () => ({ on: true })).on;
}

export function swapoff(argv: string[]): void {
  if (!argv.includes('-a') && argv.length === 0)
    fail(1, "swapoff: bad usage\nTry 'swapoff --help' for more information.");
  writeState('swap', { on: false });
}

export function swapon(argv: string[]): void {
  if (argv.includes('--show') || argv.includes('-s') || argv.some((a) => a.startsWith('--show='))) {
    if (!swapOn()) return;
    const dev = isRhel() ? '/dev/dm-1' : '/swap.img';
    const type = isRhel() ? 'partition' : 'file';
    if (!argv.includes('--noheadings')) out('NAME      TYPE      SIZE USED PRIO');
    out(`${dev.padEnd(9)} ${type.padEnd(9)} 4G   0B   -2`);
    return;
  }
  if (argv.includes('-a')) {
    if (fstabSwapLines().length > 0) writeState('swap', { on: true });
    return;
  }
  fail(1, 'swapon: lab simulates only -a and --show');
}

// ---------------------------------------------------------------- kernel modules

const KNOWN_MODULES = [
  'overlay',
  'br_netfilter',
  'ip_vs',
  'ip_vs_rr',
  'ip_vs_wrr',
  'ip_vs_sh',
  'nf_conntrack',
  'nf_tables',
  'nft_chain_nat',
  'xt_conntrack',
  'ip_tables',
  'iptable_nat',
  'vxlan',
  'ipip',
  'veth',
  'bridge',
  'rbd',
  'dm_thin_pool',
];

export function loadedModules(): string[] {
  return readState<string[]>('modules', () => ['ip_tables', 'nf_conntrack']);
}

export function modprobe(argv: string[]): void {
  const names = argv.filter((a) => !a.startsWith('-'));
  if (names.length === 0) fail(1, 'modprobe: ERROR: missing parameters. See -h.');
  const loaded = new Set(loadedModules());
  const release = osRelease();
  for (const n of argv.includes('-a') ? names : names.slice(0, 1)) {
    if (!KNOWN_MODULES.includes(n))
      fail(1, `modprobe: FATAL: Module ${n} not found in directory /lib/modules/${release}`);
    loaded.add(n);
  }
  writeState('modules', [...loaded]);
}

export function lsmod(): void {
  out('Module                  Size  Used by');
  for (const m of loadedModules()) out(`${m.padEnd(24)}${String(16384 + m.length * 512).padStart(6)}  0`);
}

// ---------------------------------------------------------------- sysctl

function procPath(key: string): string {
  return join('/proc/sys', ...key.split('.'));
}

function recorded(): Record<string, string> {
  return readState<Record<string, string>>('sysctl', () => ({}));
}

function setKey(key: string, value: string): { ok: boolean; message?: string } {
  if (key.startsWith('net.bridge.')) {
    if (!loadedModules().includes('br_netfilter'))
      return { ok: false, message: `sysctl: cannot stat ${procPath(key)}: No such file or directory` };
    const r = recorded();
    r[key] = value;
    writeState('sysctl', r);
    return { ok: true };
  }
  if (key.startsWith('net.') && existsSync(procPath(key))) {
    try {
      writeFileSync(procPath(key), value);
      return { ok: true };
    } catch (e) {
      return { ok: false, message: `sysctl: setting key "${key}": ${(e as Error).message}` };
    }
  }
  // kernel.*, vm.*, fs.* belong to the shared kernel: record them only.
  const r = recorded();
  r[key] = value;
  writeState('sysctl', r);
  return { ok: true };
}

export function readKey(key: string): string | undefined {
  if (key.startsWith('net.') && !key.startsWith('net.bridge.') && existsSync(procPath(key)))
    return readFileSync(procPath(key), 'utf8').trim();
  if (key.startsWith('net.bridge.') && !loadedModules().includes('br_netfilter')) return undefined;
  return recorded()[key] ?? (key.startsWith('net.bridge.') ? '0' : undefined);
}

function applyFile(path: string, quiet: boolean): boolean {
  if (!existsSync(path)) {
    err(`sysctl: cannot open "${path}": No such file or directory`);
    return false;
  }
  let ok = true;
  if (!quiet) out(`* Applying ${path} ...`);
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^-?([\w./-]+)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const r = setKey(m[1]!.replace(/\//g, '.'), m[2]!.trim());
    if (!r.ok) {
      err(r.message!);
      ok = false;
    } else if (!quiet) out(`${m[1]} = ${m[2]!.trim()}`);
  }
  return ok;
}

export function sysctl(argv: string[]): void {
  const quiet = argv.includes('-q') || argv.includes('--quiet');
  const valueOnly = argv.includes('-n') || argv.includes('--values');
  if (argv.includes('--system')) {
    let ok = true;
    const dirs = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/lib/sysctl.d'];
    for (const d of dirs)
      if (existsSync(d))
        for (const f of readdirSync(d)
          .filter((x) => x.endsWith('.conf'))
          .sort())
          ok = applyFile(join(d, f), quiet) && ok;
    if (existsSync('/etc/sysctl.conf')) ok = applyFile('/etc/sysctl.conf', quiet) && ok;
    if (!ok) fail(1);
    return;
  }
  const pIdx = argv.findIndex((a) => a === '-p' || a.startsWith('--load'));
  if (pIdx >= 0) {
    const file = argv[pIdx + 1] && !argv[pIdx + 1]!.startsWith('-') ? argv[pIdx + 1]! : '/etc/sysctl.conf';
    if (!applyFile(file, quiet)) fail(1);
    return;
  }
  const write = argv.includes('-w');
  let code = 0;
  for (const a of argv.filter((x) => !x.startsWith('-'))) {
    const eq = a.indexOf('=');
    if (eq > 0 || write) {
      const r = setKey(a.slice(0, eq), a.slice(eq + 1));
      if (!r.ok) {
        err(r.message!);
        code = 255;
      } else if (!quiet) out(`${a.slice(0, eq)} = ${a.slice(eq + 1)}`);
      continue;
    }
    const v = readKey(a);
    if (v === undefined) {
      err(`sysctl: cannot stat ${procPath(a)}: No such file or directory`);
      code = 255;
    } else out(valueOnly ? v : `${a} = ${v}`);
  }
  if (code) fail(code);
}

// ---------------------------------------------------------------- SELinux (RHEL family)

export function selinuxMode(): string {
  return readState<{ mode: string }>('selinux', () => ({ mode: 'Enforcing' })).mode;
}

export function getenforce(): void {
  if (!isRhel()) commandNotFound('getenforce');
  out(selinuxMode());
}

export function setenforce(argv: string[]): void {
  if (!isRhel()) commandNotFound('setenforce');
  const v = argv[0];
  if (v === '0' || v?.toLowerCase() === 'permissive') writeState('selinux', { mode: 'Permissive' });
  else if (v === '1' || v?.toLowerCase() === 'enforcing') writeState('selinux', { mode: 'Enforcing' });
  else fail(1, 'usage:  setenforce [ Enforcing | Permissive | 1 | 0 ]');
}

// ---------------------------------------------------------------- hostname and time

export function hostnamectl(argv: string[]): void {
  const [sub, name] = argv.filter((a) => !a.startsWith('-'));
  if (sub === 'set-hostname' || (sub === 'hostname' && name)) {
    if (!name || !/^[a-z0-9]([-a-z0-9.]{0,62})$/i.test(name)) fail(1, `Invalid hostname '${name ?? ''}'`);
    write('/etc/hostname', `${name}\n`);
    spawnSync('hostname', [name]);
    return;
  }
  const current = spawnSync('hostname', [], { encoding: 'utf8' }).stdout.trim();
  if (sub === 'hostname' || argv.includes('--static')) return out(current);
  out(` Static hostname: ${current}\n Operating System: ${osSpec().prettyName}\n    Architecture: x86-64`);
}

export function timedatectl(argv: string[]): void {
  const t = readState<{ ntp: boolean }>('time', () => ({ ntp: true }));
  if (argv[0] === 'set-ntp') {
    writeState('time', { ntp: argv[1] === 'true' || argv[1] === 'yes' || argv[1] === '1' });
    return;
  }
  if (argv[0] === 'show') {
    const p = argv.indexOf('-p') >= 0 ? argv[argv.indexOf('-p') + 1] : undefined;
    if (p === 'NTPSynchronized')
      return out(
        argv.includes('--value') ? (t.ntp ? 'yes' : 'no') : `NTPSynchronized=${t.ntp ? 'yes' : 'no'}`,
      );
    return out(`NTP=${t.ntp ? 'yes' : 'no'}\nNTPSynchronized=${t.ntp ? 'yes' : 'no'}`);
  }
  out(
    `               Local time: ${new Date().toString()}\n           Universal time: ${new Date().toUTCString()}\nSystem clock synchronized: ${t.ntp ? 'yes' : 'no'}\n              NTP service: ${t.ntp ? 'active' : 'inactive'}`,
  );
}

// ---------------------------------------------------------------- firewalls (real nftables rules: firewall.ts)

export function firewallCmd(argv: string[]): void {
  if (!isRhel()) commandNotFound('firewall-cmd');
  const running = unitStatus('firewalld').active === 'active';
  if (argv.includes('--state')) {
    if (running) return out('running');
    fail(252, 'not running');
  }
  if (!running) fail(252, 'FirewallD is not running');
  const fw = firewalldState();
  const permanent = argv.includes('--permanent');
  for (const a of argv) {
    const port = /^--add-port=(.+)$/.exec(a)?.[1];
    const proto = /^--add-protocol=(.+)$/.exec(a)?.[1];
    const delPort = /^--remove-port=(.+)$/.exec(a)?.[1];
    if (port && !/^\d+(-\d+)?\/(tcp|udp|sctp)$/.test(port)) fail(1, `Error: INVALID_PORT: ${port}`);
    const ports = permanent ? fw.permanentPorts : fw.ports;
    const protos = permanent ? fw.permanentProtocols : fw.protocols;
    if (port && !ports.includes(port)) ports.push(port);
    if (proto && !protos.includes(proto)) protos.push(proto);
    if (delPort) ports.splice(ports.indexOf(delPort) >>> 0, ports.includes(delPort) ? 1 : 0);
  }
  if (argv.includes('--reload')) {
    fw.ports = [...fw.permanentPorts];
    fw.protocols = [...fw.permanentProtocols];
  }
  if (argv.includes('--list-ports')) return out((permanent ? fw.permanentPorts : fw.ports).join(' '));
  if (argv.includes('--list-protocols'))
    return out((permanent ? fw.permanentProtocols : fw.protocols).join(' '));
  saveFirewalld(fw);
  // Runtime changes (and a reload) take effect at once; --permanent alone waits for the reload.
  if (!permanent || argv.includes('--reload')) syncFirewall('firewalld', true);
  out('success');
}

export function ufw(argv: string[]): void {
  // ufw is Ubuntu's; Debian ships none (nftables, empty), the RHEL family firewalld.
  if (osSpec().firewall !== 'ufw') commandNotFound('ufw');
  const st = ufwState();
  const [sub, ...rest] = argv;
  if (sub === 'status')
    return out(
      `Status: ${st.active ? 'active' : 'inactive'}${st.active ? `\n\n${st.rules.join('\n')}` : ''}`,
    );
  if (sub === 'enable') st.active = true;
  else if (sub === 'disable') st.active = false;
  else if (sub === 'allow') {
    const rule = rest.join(' ');
    if (!st.rules.includes(rule)) st.rules.push(rule);
    out(st.active ? 'Rule added' : 'Rules updated');
  } else if (sub === 'delete' && rest[0] === 'allow') {
    st.rules = st.rules.filter((r) => r !== rest.slice(1).join(' '));
    out('Rule deleted');
  } else fail(1, 'ERROR: Invalid syntax');
  saveUfw(st);
  syncFirewall('ufw', st.active);
  if (sub === 'enable') out('Firewall is active and enabled on system startup');
  if (sub === 'disable') out('Firewall stopped and disabled on system startup');
}

/** At boot: the table the host's firewall service would have put in place. */
export function bootFirewall(): void {
  if (isRhel()) syncFirewall('firewalld', unitStatus('firewalld').active === 'active');
  else if (osSpec().firewall === 'ufw') syncFirewall('ufw', ufwState().active);
  else openAll();
}

// ---------------------------------------------------------------- iptables, IPVS, reboot

export function iptables(cmd: string, argv: string[]): void {
  // Rules of the host's own network namespace; kubeadm reset's cleanup flushes them. Recorded only.
  const st = readState<string[]>('iptables', () => []);
  st.push(`${cmd} ${argv.join(' ')}`);
  writeState('iptables', st.slice(-200));
}

export function ipvsadm(argv: string[]): void {
  if (argv.includes('--clear') || argv.includes('-C')) writeState('ipvs', []);
  else
    out(
      'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    );
}

export function reboot(cmd: string): void {
  fail(
    1,
    `${cmd}: the lab does not reboot hosts (it would end the host's namespaces); stop and start services instead`,
  );
}
