// One program for the whole simulated node OS. `sim.mjs --daemon` is the host's simulator daemon
// (commands arrive through client.pl); `sim.mjs kube-apiserver FLAGS…` is a control plane's
// apiserver (a static pod); `sim.mjs COMMAND ARGS…` runs one command in its own process (the way
// every command ran before the daemon; the CPU benchmark compares both).
import { runApiserver } from './apiserver/main.js';
import { curl } from './curl.js';
import { startDaemon } from './daemon.js';
import { err, journal, SimExit } from './env.js';
import { Passthrough } from './invocation.js';
import { kubeadm } from './kubeadm/main.js';
import { kubectl } from './kubectl.js';
import { startKubelet } from './kubelet.js';
import { runKubeVip } from './kube-vip.js';
import { aptGet, aptMark, dnf, dpkg, rpm } from './packages.js';
import { containerd, crictl, kubelet } from './runtime.js';
import {
  bootFirewall,
  firewallCmd,
  getenforce,
  hostnamectl,
  iptables,
  ipvsadm,
  lsmod,
  modprobe,
  reboot,
  setenforce,
  swapoff,
  swapon,
  sysctl,
  timedatectl,
  ufw,
} from './system.js';
import { systemctl } from './units.js';

export async function dispatch(cmd: string, argv: string[]): Promise<void> {
  switch (cmd) {
    case 'dnf':
    case 'yum':
      return dnf(cmd, argv);
    case 'rpm':
      return rpm(argv);
    case 'apt-get':
    case 'apt':
      return aptGet(cmd, argv);
    case 'apt-mark':
      return aptMark(argv);
    case 'dpkg':
      return dpkg(argv);
    case 'systemctl':
      return systemctl(argv);
    case 'swapoff':
      return swapoff(argv);
    case 'swapon':
      return swapon(argv);
    case 'modprobe':
      return modprobe(argv);
    case 'lsmod':
      return lsmod();
    case 'sysctl':
      return sysctl(argv);
    case 'setenforce':
      return setenforce(argv);
    case 'getenforce':
      return getenforce();
    case 'hostnamectl':
      return hostnamectl(argv);
    case 'timedatectl':
      return timedatectl(argv);
    case 'firewall-cmd':
      return firewallCmd(argv);
    case 'ufw':
      return ufw(argv);
    case 'iptables':
    case 'ip6tables':
      return iptables(cmd, argv);
    case 'ipvsadm':
      return ipvsadm(argv);
    case 'reboot':
    case 'shutdown':
    case 'poweroff':
      return reboot(cmd);
    case 'curl':
      return curl(argv);
    case 'kubeadm':
      return kubeadm(argv);
    case 'kubectl':
      return kubectl(argv);
    case 'kubelet':
      return kubelet(argv);
    case 'containerd':
      return containerd(argv);
    case 'crictl':
      return crictl(argv);
    default:
      throw new SimExit(127, `lab: unknown simulated command ${cmd}`);
  }
}

/** How a command ends: its SimExit code and message, or 70 with the bug's stack in the host's log. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof SimExit) {
    if (e.stderr) err(e.stderr);
    return e.code;
  }
  journal('sim-daemon', `internal error: ${(e as Error).stack ?? String(e)}`);
  err(`lab: internal error: ${(e as Error).stack ?? String(e)}`);
  return 70;
}

const [first = '', ...rest] = process.argv.slice(2);
if (first === '--daemon') {
  startDaemon(dispatch, exitCodeOf, () => {
    bootFirewall();
    startKubelet();
  });
} else if (first === 'kube-apiserver') {
  runApiserver(rest);
} else if (first === 'kube-vip') {
  await runKubeVip(
    rest,
    process.env,
    JSON.parse(process.env.K8SHA_LAB_MOUNTS ?? '{}') as Record<string, string>,
  );
} else {
  try {
    await dispatch(first, rest);
  } catch (e) {
    if (e instanceof Passthrough) {
      const { spawnSync } = await import('node:child_process');
      process.exitCode = spawnSync(e.argv[0]!, e.argv.slice(1), { stdio: 'inherit' }).status ?? 1;
    } else process.exitCode = exitCodeOf(e);
  }
}
