// One multi-call program for the whole simulated node OS: the shim names the command.
import { runApiserver } from './apiserver.js';
import { curl } from './curl.js';
import { err, SimExit } from './env.js';
import { kubeadm } from './kubeadm.js';
import { kubectl } from './kubectl.js';
import { aptGet, aptMark, dnf, dpkg, rpm } from './packages.js';
import { containerd, crictl, kubelet } from './runtime.js';
import {
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

const [cmd = '', ...argv] = process.argv.slice(2);

async function dispatch(): Promise<void> {
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
    case 'kube-apiserver':
      return runApiserver(argv[0]!);
    default:
      throw new SimExit(127, `lab: unknown simulated command ${cmd}`);
  }
}

try {
  await dispatch();
} catch (e) {
  if (e instanceof SimExit) {
    if (e.stderr) err(e.stderr);
    process.exitCode = e.code;
  } else {
    err(`lab ${cmd}: internal error: ${(e as Error).stack ?? String(e)}`);
    process.exitCode = 70;
  }
}
