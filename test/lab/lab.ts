// The rehearsal lab: simulated hosts in network, mount, UTS and PID namespaces on one machine.
// Real sshd, haproxy and keepalived; a simulated node OS for what cannot run here.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { packageRoot } from '../../src/package-root.js';
import { HOST_SHARED_DIR, OPS_USER, OVERLAID, SIM_DIR, upperDir, writeHostFiles } from './host-files.js';
import { realKubectl } from './kubectl-binary.js';
import { buildSimBundle } from './sim-bundle.js';
import { ipBatch, run, sleep, tryRun } from './shell.js';
import {
  BRIDGE,
  LAB_PREFIX,
  labTopology,
  nsName,
  OPERATOR_NS,
  switchPort,
  SWITCH_NS,
  type LabHost,
  type LabTopology,
  type OsChoice,
} from './topology.js';

export interface LabOptions {
  masters?: number;
  workers?: number;
  os?: OsChoice;
  /** Where the lab keeps its state; `.lab/` in the checkout by default. */
  dir?: string;
}

export interface LabHostState extends LabHost {
  /** PID (in the machine's PID namespace) of the host's init: sshd, PID 1 inside the host. */
  initPid: number;
  /** PID of `unshare`, the parent that waits for it. */
  unsharePid: number;
  dir: string;
}

export interface LabState {
  dir: string;
  topology: LabTopology;
  hosts: LabHostState[];
  keyPath: string;
  answersPath: string;
  opsPasswordPath: string;
  startedAt: string;
}

const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function defaultLabDir(): string {
  return resolve(process.env.K8SHA_LAB_DIR ?? join(packageRoot(), '.lab'));
}

export function assertCanRunLab(): void {
  if (process.platform !== 'linux') throw new Error('the lab needs Linux (network namespaces, overlayfs)');
  if (process.getuid?.() !== 0)
    throw new Error('the lab needs root: run it with sudo (it creates network and mount namespaces)');
  for (const bin of ['ip', 'unshare', 'nsenter', 'ssh-keygen', 'openssl', 'nft', 'etcd', 'etcdctl', 'perl']) {
    if (!tryRun('sh', ['-c', `command -v ${bin}`]).ok)
      throw new Error(
        `the lab needs ${bin}; install iproute2, util-linux, openssh-client, openssl, nftables, etcd-server, etcd-client and perl`,
      );
  }
  if (!existsSync('/usr/sbin/sshd')) throw new Error('the lab needs sshd: apt-get install -y openssh-server');
}

export function readLabState(dir = defaultLabDir()): LabState | undefined {
  const p = join(dir, 'state.json');
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as LabState;
}

export async function labUp(opts: LabOptions = {}): Promise<LabState> {
  assertCanRunLab();
  const dir = resolve(opts.dir ?? defaultLabDir());
  await labDown(dir); // stale leftovers of an earlier lab first
  const topo = labTopology(opts.masters ?? 3, opts.workers ?? 2, opts.os ?? 'mixed');
  mkdirSync(join(dir, 'hosts'), { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, 'shared', 'store'), { recursive: true, mode: 0o700 });

  // Keys and passwords the hosts accept.
  const keyPath = join(dir, 'id_ed25519');
  rmSync(keyPath, { force: true });
  rmSync(`${keyPath}.pub`, { force: true });
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'k8sha-lab-operator', '-f', keyPath]);
  const authorized = readFileSync(`${keyPath}.pub`, 'utf8');
  const opsPassword = randomBytes(12).toString('base64url');
  const opsPasswordPath = join(dir, 'ops-password');
  writeFileSync(opsPasswordPath, `${opsPassword}\n`, { mode: 0o600 });
  // Through stdin: a password that starts with '-' must not be read as an option.
  const salt = randomBytes(6).toString('hex');
  const opsPasswordHash = run(
    'openssl',
    ['passwd', '-6', '-salt', salt, '-stdin'],
    `${opsPassword}\n`,
  ).trim();
  const simBundle = await buildSimBundle(dir);
  // The real kubectl, shared read-only with every host through the shared directory.
  copyFileSync(realKubectl(), join(dir, 'shared', 'kubectl'));
  chmodSync(join(dir, 'shared', 'kubectl'), 0o755);

  // Network: a bridge inside its own namespace (the "switch"), so the machine's own namespace holds no
  // lab interface and no route; one veth pair per host plus one for the operator.
  const all = [
    ...topo.hosts.map((h) => ({ ns: nsName(h.name), port: switchPort(h.index), address: h.address })),
    { ns: OPERATOR_NS, port: 'ws', address: topo.operator },
  ];
  ipBatch([`netns add ${SWITCH_NS}`, ...all.map((x) => `netns add ${x.ns}`)]);
  ipBatch(
    [
      `link add ${BRIDGE} type bridge`,
      `link set ${BRIDGE} up`,
      ...all.map((x) => `link add ${x.port} type veth peer name eth0 netns ${x.ns}`),
      ...all.flatMap((x) => [`link set ${x.port} master ${BRIDGE}`, `link set ${x.port} up`]),
    ],
    SWITCH_NS,
  );
  for (const x of all)
    ipBatch(['link set lo up', `addr add ${x.address}/${topo.prefix} dev eth0`, 'link set eth0 up'], x.ns);

  // Hosts: files first (into overlay upper dirs), then boot each one.
  const hosts: LabHostState[] = [];
  for (const h of topo.hosts) {
    const hostDir = join(dir, 'hosts', h.name);
    writeHostFiles(hostDir, h, topo, { authorized, opsPasswordHash }, simBundle);
    writeFileSync(join(hostDir, 'init.sh'), initScript(hostDir, join(dir, 'shared'), h), { mode: 0o755 });
    hosts.push({ ...h, dir: hostDir, initPid: 0, unsharePid: 0 });
  }
  for (const h of hosts) {
    const log = openSync(join(h.dir, 'init.log'), 'a');
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        nsName(h.name),
        'unshare',
        '--mount',
        '--uts',
        '--pid',
        '--fork',
        '--mount-proc',
        '--propagation',
        'private',
        'sh',
        join(h.dir, 'init.sh'),
      ],
      {
        detached: true,
        stdio: ['ignore', log, log],
      },
    );
    child.unref();
    h.unsharePid = child.pid!;
  }
  const state: LabState = {
    dir,
    topology: topo,
    hosts,
    keyPath,
    answersPath: join(dir, 'answers.yaml'),
    opsPasswordPath,
    startedAt: new Date().toISOString(),
  };
  writeState(state); // so `lab down` can clean up even if boot fails below
  await Promise.all(hosts.map((h) => waitForHost(h)));
  writeState(state);
  writeFileSync(state.answersPath, labAnswers(topo, keyPath));
  return state;
}

function writeState(s: LabState): void {
  writeFileSync(join(s.dir, 'state.json'), `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
}

function initScript(hostDir: string, sharedDir: string, h: LabHost): string {
  const mounts = OVERLAID.map(
    (d) =>
      `mount -t overlay overlay -o lowerdir=/${d},upperdir=${upperDir(hostDir, d)},workdir=${join(hostDir, `${d.replace('/', '-')}-work`)} /${d}`,
  );
  return [
    '#!/bin/sh',
    `# lab host ${h.name}: PID 1 of its own PID namespace, inside its network, mount and UTS namespaces.`,
    'set -eu',
    ...mounts,
    'mount -t tmpfs -o mode=0755 tmpfs /run',
    'mkdir -p /run/sshd /run/lock /run/k8sha-lab',
    // Before /tmp is hidden: the lab directory may itself live under /tmp.
    `mkdir -p ${HOST_SHARED_DIR} && mount --bind ${sharedDir} ${HOST_SHARED_DIR}`,
    'mount -t tmpfs -o mode=1777 tmpfs /tmp',
    // A cgroup v2 distribution: Kubernetes 1.35+ refuses cgroup v1 (this machine mounts v1).
    'mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || true',
    `hostname ${h.name}`,
    // The host's simulator daemon (every simulated command talks to it) and its kubelet stand-in. It
    // starts in / : the checkout may live under /tmp, which the host does not see, and every program
    // the daemon spawns would fail to start in a missing working directory.
    'mkdir -p /var/log/k8sha-lab',
    `cd / && env -i HOME=/root PATH=${HOST_PATH} LANG=C.UTF-8 /usr/bin/node ${SIM_DIR}/sim.mjs --daemon >>/var/log/k8sha-lab/daemon.log 2>&1 &`,
    'for i in $(seq 1 100); do [ -S /run/k8sha-lab/sim.sock ] && break; sleep 0.05; done',
    'echo "lab daemon ready"',
    'exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config',
    '',
  ].join('\n');
}

async function waitForHost(h: LabHostState): Promise<void> {
  const log = join(h.dir, 'init.log');
  for (let i = 0; i < 300; i++) {
    if (existsSync(log) && /lab daemon ready[\s\S]*Server listening/.test(readFileSync(log, 'utf8'))) {
      const children = readFileSync(`/proc/${h.unsharePid}/task/${h.unsharePid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
      h.initPid = Number(children[0]);
      if (h.initPid > 0) return;
    }
    if (!existsSync(`/proc/${h.unsharePid}`)) break;
    await sleep(50);
  }
  const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-5).join('\n') : '(no log)';
  throw new Error(`lab host ${h.name} did not start sshd:\n${tail}`);
}

/** A ready answers file for the lab, in the v1 contract. */
export function labAnswers(topo: LabTopology, keyPath: string): string {
  const doc = {
    apiVersion: 'k8sha-wizard/v1',
    cluster: { name: 'seed-cluster', kubernetesVersion: '1.36' },
    hosts: topo.hosts.map((h) => ({ name: h.name, address: h.address, role: h.role })),
    ssh: { user: 'root', port: 22, identityFile: keyPath },
    loadBalancer: { vip: `${topo.vip}/${topo.prefix}`, port: 8443, virtualRouterId: 51 },
    network: { podCIDR: '172.30.0.0/16', serviceCIDR: '10.254.0.0/16', cni: 'calico', proxyMode: 'ipvs' },
    mirror: 'aliyun',
    addons: { dashboard: 'kuboard' },
  };
  return `# Generated by \`npm run lab -- up\` for the lab's ${topo.hosts.length} hosts.\n${stringify(doc, { collectionStyle: 'block' })}`;
}

/** Processes of a namespace, by PID (never by name). */
function nsPids(ns: string): number[] {
  const r = tryRun('ip', ['netns', 'pids', ns]);
  return r.ok ? r.out.split(/\s+/).filter(Boolean).map(Number) : [];
}

function killPids(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Remove every lab namespace (and everything in it) and the lab's files. Safe to run twice. */
export async function labDown(dir = defaultLabDir()): Promise<{ namespaces: number; processes: number }> {
  const namespaces = tryRun('ip', ['netns', 'list'])
    .out.split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(`${LAB_PREFIX}-`));
  const state = readLabState(dir);
  let killed = 0;
  // Host init processes first: killing PID 1 of a PID namespace ends everything in it. Its parent
  // (unshare) then reaps it and exits, so no zombie is left for the machine's init to collect.
  const inits = (state?.hosts ?? []).map((h) => h.initPid).filter((p) => p > 0 && isInLab(p));
  killPids(inits, 'SIGKILL');
  for (let i = 0; i < 100 && inits.some(isRunning); i++) await sleep(20);
  for (let round = 0; round < 20; round++) {
    const pids = namespaces.flatMap(nsPids).filter(isRunning);
    if (pids.length === 0) break;
    killed += pids.length;
    killPids(pids, round < 2 ? 'SIGTERM' : 'SIGKILL');
    await sleep(round < 2 ? 100 : 50);
  }
  // Deleting the switch namespace removes the bridge and every veth pair with it.
  const order = [...namespaces.filter((n) => n !== SWITCH_NS), ...namespaces.filter((n) => n === SWITCH_NS)];
  for (const ns of order) tryRun('ip', ['netns', 'del', ns]);
  // Everything under the lab directory is the lab's (hosts' overlays, store, keys, test workspaces).
  rmSync(dir, { recursive: true, force: true });
  return { namespaces: namespaces.length, processes: killed + inits.length };
}

/** Running, not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A PID we recorded is still ours only if it lives in a lab namespace (PIDs get reused). */
function isInLab(pid: number): boolean {
  const r = tryRun('ip', ['netns', 'identify', String(pid)]);
  return r.ok && r.out.trim().startsWith(`${LAB_PREFIX}-`);
}

export function hostState(state: LabState, name: string): LabHostState {
  const h = state.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no lab host ${name}; hosts: ${state.hosts.map((x) => x.name).join(', ')}`);
  return h;
}

/** Cut (down) or restore (up) a host's cable: its port on the lab switch. */
export function setHostLink(state: LabState, name: string, up: boolean): void {
  const port = switchPort(hostState(state, name).index);
  const r = spawnSync('ip', ['-n', SWITCH_NS, 'link', 'set', port, up ? 'up' : 'down']);
  if (r.status !== 0) throw new Error(`cannot set the link of ${name} ${up ? 'up' : 'down'}`);
}

/** argv that runs a command inside a lab host (all of its namespaces), as root with a login-like env. */
export function execArgv(state: LabState, host: string, command: string[]): string[] {
  const h = hostState(state, host);
  return [
    'nsenter',
    '-t',
    String(h.initPid),
    '-m',
    '-u',
    '-n',
    '-p',
    '--',
    'env',
    '-i',
    'HOME=/root',
    'USER=root',
    'LOGNAME=root',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'LANG=C.UTF-8',
    ...command,
  ];
}

export function labExec(
  state: LabState,
  host: string,
  script: string,
  input?: string,
): { code: number; stdout: string; stderr: string } {
  const [cmd, ...args] = execArgv(state, host, ['sh', '-c', `cd /root && ${script}`]);
  const r = spawnSync(cmd!, args, { encoding: 'utf8', input, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** argv that runs a command in the operator namespace (no route off the machine). */
export function wsArgv(command: string[]): string[] {
  return ['ip', 'netns', 'exec', OPERATOR_NS, ...command];
}

export function labWs(
  command: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): { code: number; stdout: string; stderr: string } {
  const [cmd, ...args] = wsArgv(command);
  const r = spawnSync(cmd!, args, {
    encoding: 'utf8',
    input: opts.input,
    env: opts.env ?? process.env,
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function sshArgs(state: LabState, user: string, address: string): string[] {
  return [
    'ssh',
    '-i',
    state.keyPath,
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=5',
    `${user}@${address}`,
  ];
}

/** Which host holds the VIP right now (undefined while nobody does); `except` leaves a dead host out. */
export function vipHolder(state: LabState, except?: string): string | undefined {
  for (const h of state.hosts.filter((x) => x.role === 'control-plane' && x.name !== except)) {
    const r = tryRun('ip', ['-n', nsName(h.name), '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    if (r.out.includes(` ${state.topology.vip}/`)) return h.name;
  }
  return undefined;
}

/**
 * A machine dies: every process in its namespaces is killed (by PID) and its switch port goes down,
 * so its addresses, the VIP among them, leave the network with it. Returns how many processes died.
 */
export function killHost(state: LabState, name: string): number {
  const pids = tryRun('ip', ['netns', 'pids', nsName(name)])
    .out.split(/\s+/)
    .filter(Boolean)
    .map(Number);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone with the namespace's PID 1
    }
  }
  run('ip', ['-n', SWITCH_NS, 'link', 'set', switchPort(hostState(state, name).index), 'down']);
  return pids.length;
}

export function labStatus(state: LabState): string {
  const lines = [
    `lab in ${state.dir}, started ${state.startedAt}; VIP ${state.topology.vip} held by ${vipHolder(state) ?? 'nobody'}`,
  ];
  for (const h of state.hosts) {
    const alive = existsSync(`/proc/${h.initPid}`) && isInLab(h.initPid);
    lines.push(
      `  ${h.name.padEnd(10)} ${h.address.padEnd(16)} ${h.role.padEnd(14)} ${h.os.padEnd(13)} ${alive ? `up (sshd pid ${h.initPid})` : 'DOWN'}`,
    );
  }
  lines.push(
    `  operator namespace ${OPERATOR_NS} at ${state.topology.operator}; ssh: ${sshArgs(state, 'root', '<address>').join(' ')}`,
  );
  lines.push(`  ops user "${OPS_USER}" password in ${state.opsPasswordPath}`);
  return lines.join('\n');
}
