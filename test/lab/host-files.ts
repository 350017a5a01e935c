// The files each simulated host starts with, written into its overlay upper dirs before it boots:
// identity (hostname, os-release, machine-id), users (root by key, `ops` by password with sudo),
// sshd, a swap line in fstab, and the simulated node OS on /usr/local/sbin.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../src/package-root.js';
import { run } from './shell.js';
import type { LabHost, LabTopology } from './topology.js';
import { labOs, osRelease, type LabOsSpec } from './os-matrix.js';
import { SIM_COMMANDS } from './sim/commands.js';

export const OVERLAID = ['etc', 'var', 'root', 'opt', 'home', 'usr/local'] as const;
export const OPS_USER = 'ops';
export const OPS_UID = 1500;
export const SIM_DIR = '/usr/local/lib/k8sha-lab';
/** Where each host sees the lab's shared directory (bind-mounted; the lab may live under /tmp, which hosts hide). */
export const HOST_SHARED_DIR = '/run/k8sha-lab/shared';

export function upperDir(hostDir: string, d: string): string {
  return join(hostDir, `${d.replace('/', '-')}-up`);
}

function put(path: string, content: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
}

export interface HostConfig {
  name: string;
  address: string;
  os: LabHost['os'];
  /** What the host's OS is made of (the simulated commands read it). */
  osSpec: LabOsSpec;
  role: LabHost['role'];
  /** The lab's shared directory as the host sees it (cluster store, clock override): a bind mount. */
  sharedDir: string;
  subnet: string;
  vip: string;
}

export function writeHostFiles(
  hostDir: string,
  h: LabHost,
  topo: LabTopology,
  keys: { authorized: string; opsPasswordHash: string },
  simBundle: string,
): void {
  for (const d of OVERLAID) {
    mkdirSync(upperDir(hostDir, d), { recursive: true });
    mkdirSync(join(hostDir, `${d.replace('/', '-')}-work`), { recursive: true });
  }
  const etc = upperDir(hostDir, 'etc');
  put(join(etc, 'hostname'), `${h.name}\n`);
  put(join(etc, 'machine-id'), `${randomBytes(16).toString('hex')}\n`, 0o444);
  const os = labOs(h.os);
  put(join(etc, 'os-release'), osRelease(os));
  put(join(etc, 'hosts'), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  const swap =
    os.family === 'rhel'
      ? '/dev/mapper/rl-swap     none                    swap    defaults        0 0'
      : '/swap.img\tnone\tswap\tsw\t0\t0';
  const root =
    os.family === 'rhel'
      ? '/dev/mapper/rl-root     /                       xfs     defaults        0 0'
      : '/dev/disk/by-uuid/7f2c-lab / ext4 defaults 0 1';
  put(join(etc, 'fstab'), `# /etc/fstab (lab host ${h.name})\n${root}\n${swap}\n`);
  if (os.family === 'rhel') {
    put(join(etc, 'redhat-release'), `${os.prettyName.replace(/ (\d)/, ' release $1')}\n`);
    put(join(etc, 'selinux', 'config'), 'SELINUX=enforcing\nSELINUXTYPE=targeted\n');
    put(
      join(etc, 'yum.repos.d', `${os.id}.repo`),
      `[baseos]\nname=${os.prettyName.replace(/ \d.*$/, '')} $releasever - BaseOS\nmirrorlist=https://mirrors.${os.id}.example/mirrorlist?repo=BaseOS-$releasever\nenabled=1\n`,
    );
  } else {
    mkdirSync(join(etc, 'apt', 'keyrings'), { recursive: true, mode: 0o755 });
    mkdirSync(join(etc, 'apt', 'sources.list.d'), { recursive: true, mode: 0o755 });
    const archive =
      os.id === 'ubuntu' ? 'http://archive.ubuntu.com/ubuntu/' : 'http://deb.debian.org/debian/';
    put(
      join(etc, 'apt', 'sources.list.d', `${os.id}.sources`),
      `Types: deb\nURIs: ${archive}\nSuites: ${os.codename} ${os.codename}-updates\nComponents: main\n`,
    );
  }
  // Users: copies of the machine's account files plus `ops`, who logs in by password and uses sudo.
  const passwd = readFileSync('/etc/passwd', 'utf8').trimEnd();
  const shadow = readFileSync('/etc/shadow', 'utf8').trimEnd();
  const group = readFileSync('/etc/group', 'utf8').trimEnd();
  put(
    join(etc, 'passwd'),
    `${passwd}\n${OPS_USER}:x:${OPS_UID}:${OPS_UID}:lab operator:/home/${OPS_USER}:/bin/bash\n`,
  );
  put(join(etc, 'shadow'), `${shadow}\n${OPS_USER}:${keys.opsPasswordHash}:20000:0:99999:7:::\n`, 0o640);
  put(join(etc, 'group'), `${group}\n${OPS_USER}:x:${OPS_UID}:\n`);
  put(join(etc, 'sudoers.d', 'ops'), `${OPS_USER} ALL=(ALL:ALL) ALL\n`, 0o440);
  const sshd = [
    `# lab host ${h.name}`,
    'Port 22',
    `ListenAddress ${h.address}`,
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'UsePAM yes',
    'AuthorizedKeysFile .ssh/authorized_keys',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    'PidFile /run/sshd.pid',
    // The engine keeps one connection per host and runs many channels on it.
    'MaxSessions 100',
    'MaxStartups 200:30:400',
    'ClientAliveInterval 15',
    // VERBOSE logs every TCP connection ("Connection from ..."), so tests can count them.
    'LogLevel VERBOSE',
    '',
  ].join('\n');
  put(join(etc, 'ssh', 'sshd_config'), sshd);
  run('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    `root@${h.name}`,
    '-f',
    join(etc, 'ssh', 'ssh_host_ed25519_key'),
  ]);
  const config: HostConfig = {
    name: h.name,
    address: h.address,
    os: h.os,
    osSpec: os,
    role: h.role,
    sharedDir: HOST_SHARED_DIR,
    subnet: topo.subnet,
    vip: topo.vip,
  };
  put(join(etc, 'k8sha-lab', 'host.json'), `${JSON.stringify(config, null, 2)}\n`);

  // root: key login and a plain shell profile (the machine's .bashrc runs pyenv, ~0.55 s a command).
  const rootHome = upperDir(hostDir, 'root');
  put(join(rootHome, '.bashrc'), '# lab host: plain bashrc\n');
  put(join(rootHome, '.profile'), '[ -f ~/.bashrc ] && . ~/.bashrc\n');
  mkdirSync(join(rootHome, '.ssh'), { recursive: true, mode: 0o700 });
  chmodSync(join(rootHome, '.ssh'), 0o700);
  put(join(rootHome, '.ssh', 'authorized_keys'), keys.authorized, 0o600);
  const opsHome = join(upperDir(hostDir, 'home'), OPS_USER);
  mkdirSync(opsHome, { recursive: true, mode: 0o750 });
  put(join(opsHome, '.bashrc'), '# lab host: plain bashrc\n');
  for (const p of [opsHome, join(opsHome, '.bashrc')]) chownSync(p, OPS_UID, OPS_UID);

  // The simulated node OS: one bundle run by the host's daemon, and one small Perl client that
  // every command name on PATH points to (ahead of the real ones), plus the real kubectl.
  const local = upperDir(hostDir, 'usr/local');
  mkdirSync(join(local, 'lib', 'k8sha-lab'), { recursive: true });
  copyFileSync(simBundle, join(local, 'lib', 'k8sha-lab', 'sim.mjs'));
  put(join(local, 'lib', 'k8sha-lab', 'simc'), readFileSync(CLIENT_SOURCE, 'utf8'), 0o755);
  symlinkSync(`${HOST_SHARED_DIR}/kubectl`, join(local, 'lib', 'k8sha-lab', 'kubectl'));
  for (const dir of ['sbin', 'bin']) mkdirSync(join(local, dir), { recursive: true });
  for (const cmd of SIM_COMMANDS) {
    symlinkSync(`${SIM_DIR}/simc`, join(local, 'sbin', cmd));
    symlinkSync(`../sbin/${cmd}`, join(local, 'bin', cmd));
  }
}

/** The Perl client every simulated command runs (client.pl). */
export const CLIENT_SOURCE = join(packageRoot(), 'test', 'lab', 'sim', 'client.pl');
