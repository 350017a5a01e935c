// What the engine learns about each node before it changes anything, in one read-only command.
import { APISERVER_PORT } from '../../answers/defaults.js';
import { vipAddress, type HostFacts } from '../../answers/model.js';
import type { Answers, Host } from '../../answers/schema.js';
import { quote } from '../transport/shell.js';

export interface NodeFacts extends HostFacts {
  osId: string;
  osVersion: string;
  hostname: string;
  arch: string;
  cpus: number;
  memMiB: number;
  machineId: string;
  productUuid: string;
  macs: string[];
  /** The interface that carries the node's address, or undefined when no interface has it. */
  addressInterface?: string;
  swapOn: boolean;
  selinux: string;
  /** Clock difference host - operator, corrected for half the round trip. */
  clockSkewMs: number;
  cgroup: string;
  /** Listening ports and who holds them (process name, or '' when not visible). */
  busyPorts: { port: number; process: string }[];
  uid: number;
  /** The node already belongs to a cluster (kubelet.conf exists). */
  joined: boolean;
  firewall: 'firewalld' | 'ufw' | 'none';
  vipHere: boolean;
  /** host:port of the API server the node's cluster credentials name (its cluster's endpoint), when joined. */
  apiServer?: string;
}

/**
 * One read-only command per host. Few processes: on a loaded machine every fork counts, and this runs
 * at the start of every run (shell builtins read files; one ss and one ip serve all their questions).
 */
export function factsScript(a: Answers, h: Host): string {
  const ports = [...new Set([APISERVER_PORT, a.loadBalancer?.port, 10250, 2379, 2380])].filter(
    (p): p is number => !!p,
  );
  const vip = vipAddress(a) ?? '';
  return [
    '. /etc/os-release 2>/dev/null',
    'printf \'os_id=%s\\nos_like=%s\\nos_version=%s\\ncodename=%s\\n\' "${ID:-}" "${ID_LIKE:-}" "${VERSION_ID:-}" "${VERSION_CODENAME:-}"',
    'echo "hostname=$(hostname)"; echo "arch=$(uname -m)"; echo "cpus=$(nproc)"',
    'awk \'/^MemTotal:/{print "mem_kb="$2}\' /proc/meminfo',
    'm=; { read -r m < /etc/machine-id; } 2>/dev/null; echo "machine_id=$m"',
    'u=; { read -r u < /sys/class/dmi/id/product_uuid; } 2>/dev/null; echo "product_uuid=$u"',
    'awk \'BEGIN{printf "macs="} $0!="00:00:00:00:00:00" && !seen[$0]++ {printf "%s ", $0} END{print ""}\' /sys/class/net/*/address 2>/dev/null',
    `ip -o -4 addr show 2>/dev/null | awk -v a=${quote(h.address)} -v v=${quote(vip)} '{split($4,p,"/"); if (p[1]==a && !i) i=$2; if (v!="" && p[1]==v) h=1} END{print "addr_iface=" i; print "vip_here=" (h ? 1 : "")}'`,
    'echo "swap=$(swapon --show --noheadings 2>/dev/null | wc -l)"',
    'echo "selinux=$(getenforce 2>/dev/null || echo none)"',
    'echo "epoch_ms=$(date +%s%3N)"',
    'echo "cgroup=$(stat -fc %T /sys/fs/cgroup 2>/dev/null)"',
    `ss -Hltnp 2>/dev/null | awk -v want=' ${ports.join(' ')} ' '{n=split($4,a,":"); p=a[n]; if (index(want, " " p " ") && !seen[p]++) {u=""; i=index($0, "users:((\\042"); if (i) {u=substr($0, i+9); u=substr(u, 1, index(u, "\\042")-1)}; print "port_busy=" p " " u}}'`,
    'echo "uid=$(id -u)"',
    // admin.conf (control planes) names controlPlaneEndpoint; a worker's kubelet.conf the endpoint it joined.
    'if test -f /etc/kubernetes/kubelet.conf; then echo joined=1; k=/etc/kubernetes/admin.conf; test -f $k || k=/etc/kubernetes/kubelet.conf; awk \'/^ *server: https:\\/\\//{sub(/.*https:\\/\\//, ""); print "api_server=" $0; exit}\' $k; fi',
    'if systemctl is-active --quiet firewalld 2>/dev/null; then echo firewall=firewalld; elif ufw status 2>/dev/null | grep -q "Status: active"; then echo firewall=ufw; else echo firewall=none; fi',
    'true',
  ].join('\n');
}

const ENDPOINT = /^[A-Za-z0-9.:[\]-]{1,255}$/;
const CODENAME = /^[a-z][a-z0-9-]{0,31}$/;
const IFACE = /^[A-Za-z0-9_.:@-]{1,15}$/;

function safe(value: string | undefined, shape: RegExp): string {
  return value && shape.test(value) ? value : '';
}

export function parseFacts(stdout: string, operatorMidpointMs: number): NodeFacts {
  const kv = new Map<string, string>();
  const busy: { port: number; process: string }[] = [];
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i < 0) continue;
    const k = line.slice(0, i);
    const v = line.slice(i + 1).trim();
    if (k === 'port_busy') {
      const [port, proc] = v.split(' ');
      busy.push({ port: Number(port), process: proc ?? '' });
    } else kv.set(k, v);
  }
  const osId = kv.get('os_id') ?? '';
  const like = `${osId} ${kv.get('os_like') ?? ''}`;
  const osFamily = /rhel|fedora|centos|rocky|alma/.test(like)
    ? 'rhel'
    : /debian|ubuntu/.test(like)
      ? 'debian'
      : undefined;
  const f: NodeFacts = {
    osId,
    osVersion: kv.get('os_version') ?? '',
    ...(osFamily ? { osFamily } : {}),
    ...(osFamily === 'debian'
      ? { distro: osId === 'debian' ? 'debian' : 'ubuntu', codename: safe(kv.get('codename'), CODENAME) }
      : {}),
    hostname: kv.get('hostname') ?? '',
    arch: kv.get('arch') ?? '',
    cpus: Number(kv.get('cpus') ?? 0),
    memMiB: Math.floor(Number(kv.get('mem_kb') ?? 0) / 1024),
    machineId: kv.get('machine_id') ?? '',
    productUuid: kv.get('product_uuid') ?? '',
    macs: (kv.get('macs') ?? '').split(/\s+/).filter(Boolean),
    swapOn: Number(kv.get('swap') ?? 0) > 0,
    selinux: kv.get('selinux') ?? 'none',
    clockSkewMs: Number(kv.get('epoch_ms') ?? operatorMidpointMs) - operatorMidpointMs,
    cgroup: kv.get('cgroup') ?? '',
    busyPorts: busy,
    uid: Number(kv.get('uid') ?? -1),
    joined: kv.get('joined') === '1',
    firewall: (kv.get('firewall') as NodeFacts['firewall']) ?? 'none',
    vipHere: kv.get('vip_here') === '1',
  };
  const apiServer = safe(kv.get('api_server'), ENDPOINT);
  if (apiServer) f.apiServer = apiServer;
  // Facts come from the host: anything that reaches a config file is held to a strict shape.
  const iface = safe(kv.get('addr_iface'), IFACE);
  if (iface) {
    f.addressInterface = iface;
    f.interface = iface;
  }
  return f;
}

/** The facts script's output for these facts: an offline plan answers the script with it. */
export function factsOutput(f: NodeFacts): string {
  const like = f.osFamily === 'rhel' ? 'rhel centos fedora' : f.osFamily === 'debian' ? 'debian' : '';
  return [
    `os_id=${f.osId}`,
    `os_like=${like}`,
    `os_version=${f.osVersion}`,
    `codename=${f.codename ?? ''}`,
    `hostname=${f.hostname}`,
    `arch=${f.arch}`,
    `cpus=${f.cpus}`,
    `mem_kb=${f.memMiB * 1024}`,
    `machine_id=${f.machineId}`,
    `product_uuid=${f.productUuid}`,
    `macs=${f.macs.join(' ')}`,
    `addr_iface=${f.addressInterface ?? ''}`,
    `vip_here=${f.vipHere ? 1 : ''}`,
    `swap=${f.swapOn ? 1 : 0}`,
    `selinux=${f.selinux}`,
    `cgroup=${f.cgroup}`,
    ...f.busyPorts.map((b) => `port_busy=${b.port} ${b.process}`),
    `uid=${f.uid}`,
    ...(f.joined ? ['joined=1'] : []),
    ...(f.apiServer ? [`api_server=${f.apiServer}`] : []),
    `firewall=${f.firewall}`,
    '',
  ].join('\n');
}
