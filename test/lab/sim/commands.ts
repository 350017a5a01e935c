// Every command the simulated node OS puts on a lab host's PATH. Commands that do not exist on a
// host's OS family answer "command not found" there (dnf on Ubuntu, apt-get on Rocky).
export const SIM_COMMANDS = [
  // packages
  'dnf',
  'yum',
  'rpm',
  'apt-get',
  'apt',
  'apt-mark',
  'dpkg',
  // services and system
  'systemctl',
  'swapoff',
  'swapon',
  'modprobe',
  'lsmod',
  'sysctl',
  'setenforce',
  'getenforce',
  'hostnamectl',
  'timedatectl',
  'firewall-cmd',
  'ufw',
  'iptables',
  'ip6tables',
  'ipvsadm',
  'reboot',
  'shutdown',
  'poweroff',
  // network fetches
  'curl',
  // Kubernetes and runtime
  'kubeadm',
  'kubectl',
  'kubelet',
  'containerd',
  'crictl',
] as const;
export type SimCommand = (typeof SIM_COMMANDS)[number];
