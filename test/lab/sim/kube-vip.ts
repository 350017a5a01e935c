// kube-vip in control-plane ARP mode, as the kubelet stand-in runs it from
// /etc/kubernetes/manifests/kube-vip.yaml. No registry this machine can reach has kube-vip's image,
// so this is a simulator of what it does: leader election on the Lease named by vip_leasename
// (through kubernetes_addr, or the kubeconfig's server), the VIP added to vip_interface by the leader
// with a gratuitous ARP (a real frame on the lab bridge, sent by perl over AF_PACKET), dropped when
// renewals fail past vip_renewdeadline, and dropped with the Lease released on SIGTERM.
// What real kube-vip refuses, this refuses: no kubeconfig mounted, or one whose user the apiserver
// does not authorize (admin.conf during kubeadm init on 1.29+: kube-vip#684), means no VIP.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { journal, now } from './env.js';
import { https, type HttpResult } from './http.js';
import { readKubeconfig, type Credentials } from './kubeconfig.js';

/** Where the pod sees its kubeconfig: kube-vip's --k8sConfigPath default. */
const POD_KUBECONFIG = '/etc/kubernetes/admin.conf';

interface Settings {
  address: string;
  iface: string;
  cidr: string;
  lease: string;
  namespace: string;
  durationS: number;
  renewDeadlineS: number;
  retryS: number;
  apiServer?: string;
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

function settings(env: NodeJS.ProcessEnv): Settings {
  const need = (k: string) => {
    const v = env[k];
    if (!v) {
      log(`level=fatal msg="no ${k} set in the pod's environment"`);
      process.exit(1);
    }
    return v;
  };
  if (env.cp_enable !== 'true' || env.vip_arp !== 'true' || env.vip_leaderelection !== 'true') {
    log('level=fatal msg="lab: only control-plane ARP mode with leader election is simulated"');
    process.exit(1);
  }
  return {
    address: need('address'),
    iface: need('vip_interface'),
    cidr: env.vip_cidr ?? '32',
    lease: env.vip_leasename ?? 'plndr-cp-lock',
    namespace: env.cp_namespace ?? 'kube-system',
    durationS: Number(env.vip_leaseduration ?? 5),
    renewDeadlineS: Number(env.vip_renewdeadline ?? 3),
    retryS: Number(env.vip_retryperiod ?? 1),
    ...(env.kubernetes_addr ? { apiServer: `https://${env.kubernetes_addr}` } : {}),
  };
}

function ip(args: string[]): { code: number; stderr: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { code: r.status ?? 1, stderr: r.stderr ?? '' };
}

function hasVip(s: Settings): boolean {
  const r = spawnSync('ip', ['-o', '-4', 'addr', 'show', 'dev', s.iface], { encoding: 'utf8' });
  return (r.stdout ?? '').includes(` ${s.address}/`);
}

// An ARP request for the VIP from the VIP (gratuitous), broadcast: the neighbours update their caches.
const GARP_PERL = `
use strict; use Socket;
my ($if, $ip) = @ARGV;
open(my $f, '<', "/sys/class/net/$if/address") or die "no $if"; my $mac = <$f>; chomp $mac;
open(my $g, '<', "/sys/class/net/$if/ifindex") or die "no $if"; my $idx = <$g>; chomp $idx;
my $m = pack('H12', join('', split(/:/, $mac)));
my $a = inet_aton($ip);
my $frame = ("\\xff" x 6) . $m . pack('n', 0x0806)
  . pack('nnCCn', 1, 0x0800, 6, 4, 1) . $m . $a . ("\\x00" x 6) . $a;
socket(my $s, 17, SOCK_RAW, 0) or die "socket: $!";
my $to = pack('SnIS CC a8', 17, 0x0806, $idx, 1, 0, 6, ("\\xff" x 6) . ("\\x00" x 2));
send($s, $frame, 0, $to) or die "send: $!";
`;

function gratuitousArp(s: Settings): void {
  const r = spawnSync('perl', ['-e', GARP_PERL, s.iface, s.address], { encoding: 'utf8' });
  if (r.status !== 0) log(`level=warning msg="gratuitous ARP for ${s.address} failed: ${r.stderr?.trim()}"`);
}

function addVip(s: Settings): void {
  if (hasVip(s)) return;
  const r = ip(['addr', 'add', `${s.address}/${s.cidr}`, 'dev', s.iface]);
  if (r.code !== 0) log(`level=error msg="adding ${s.address} to ${s.iface}: ${r.stderr.trim()}"`);
  else
    log(
      `level=info msg="Gratuitous Arp broadcast will repeat every 3 seconds for [${s.address}/${s.iface}]"`,
    );
  gratuitousArp(s);
}

function dropVip(s: Settings): void {
  if (!hasVip(s)) return;
  ip(['addr', 'del', `${s.address}/${s.cidr}`, 'dev', s.iface]);
  log(`level=info msg="[VIP] releasing the Virtual IP [${s.address}]"`);
}

const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

class Elector {
  private readonly me = hostname();
  private readonly url: string;
  private leader = false;
  private lastRenew = 0;

  constructor(
    private readonly s: Settings,
    private readonly creds: Credentials,
  ) {
    const server = s.apiServer ?? creds.server;
    this.url = `${server}/apis/coordination.k8s.io/v1/namespaces/${s.namespace}/leases`;
  }

  private call(method: string, path: string, body?: unknown): Promise<HttpResult> {
    return https(`${this.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body }),
      ca: this.creds.ca,
      ...(this.creds.cert ? { cert: this.creds.cert, key: this.creds.key } : {}),
      ...(this.creds.token ? { token: this.creds.token } : {}),
      timeoutMs: this.s.renewDeadlineS * 1000,
    });
  }

  /** One round of leader election: true when this node holds the Lease now. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const t = now();
    const spec = (acquire: boolean, prev?: Lease['spec']) => ({
      ...prev,
      holderIdentity: this.me,
      leaseDurationSeconds: this.s.durationS,
      renewTime: microTime(t),
      ...(acquire ? { acquireTime: microTime(t), leaseTransitions: (prev?.leaseTransitions ?? -1) + 1 } : {}),
    });
    const got = await this.call('GET', `/${this.s.lease}`);
    if (got.status === 404) {
      const r = await this.call('POST', '', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.s.lease, namespace: this.s.namespace },
        spec: spec(true),
      });
      return this.accepted(r);
    }
    if (got.status !== 200) return this.accepted(got);
    const cur = JSON.parse(got.body) as Lease;
    const holder = cur.spec.holderIdentity ?? '';
    const expired =
      !holder ||
      t - Date.parse(cur.spec.renewTime ?? '1970-01-01T00:00:00Z') >
        (cur.spec.leaseDurationSeconds ?? this.s.durationS) * 1000;
    if (holder !== this.me && !expired) return false;
    const r = await this.call('PUT', `/${this.s.lease}`, {
      ...cur,
      spec: spec(holder !== this.me, cur.spec),
    });
    return this.accepted(r);
  }

  private accepted(r: HttpResult): boolean {
    if (r.status === 200 || r.status === 201) return true;
    if (r.status === 409) return false; // another node won this round
    const why = r.status === 403 ? 'forbidden' : `HTTP ${r.status}`;
    log(
      `level=error msg="error retrieving resource lock ${this.s.namespace}/${this.s.lease}: ${why}: ${r.body.slice(0, 200)}"`,
    );
    return false;
  }

  async round(): Promise<void> {
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (e) {
      log(
        `level=error msg="failed to renew lease ${this.s.namespace}/${this.s.lease}: ${(e as Error).message}"`,
      );
    }
    if (ok) {
      this.lastRenew = Date.now();
      if (!this.leader)
        log(`level=info msg="successfully acquired lease ${this.s.namespace}/${this.s.lease}"`);
      this.leader = true;
      addVip(this.s);
    } else if (this.leader && Date.now() - this.lastRenew > this.s.renewDeadlineS * 1000) {
      log(`level=info msg="leaderelection lost"`);
      this.leader = false;
      dropVip(this.s);
    } else if (!this.leader) dropVip(this.s);
  }

  /** SIGTERM: drop the VIP and hand the Lease back (ReleaseOnCancel), so another node takes over now. */
  async release(): Promise<void> {
    dropVip(this.s);
    if (!this.leader) return;
    try {
      const got = await this.call('GET', `/${this.s.lease}`);
      const cur = JSON.parse(got.body) as Lease;
      if (cur.spec.holderIdentity === this.me)
        await this.call('PUT', `/${this.s.lease}`, {
          ...cur,
          spec: { ...cur.spec, holderIdentity: '', leaseDurationSeconds: 1 },
        });
    } catch {
      // the apiserver may be gone with this node; the Lease then expires on its own
    }
  }
}

/** `kube-vip manager` with the pod's env; mounts maps the pod's paths to the host's. */
export async function runKubeVip(
  argv: string[],
  env: NodeJS.ProcessEnv,
  mounts: Record<string, string>,
): Promise<void> {
  if (argv[0] !== 'manager') {
    log(`level=fatal msg="unknown command ${argv[0] ?? ''}"`);
    process.exit(1);
  }
  const s = settings(env);
  const hostPath = mounts[POD_KUBECONFIG];
  let creds: Credentials;
  try {
    if (!hostPath) throw new Error('not mounted into the pod');
    creds = readKubeconfig(hostPath);
  } catch (e) {
    log(`level=fatal msg="unable to load kubeconfig ${POD_KUBECONFIG}: ${(e as Error).message}"`);
    process.exit(1);
  }
  log(
    `level=info msg="kube-vip (lab) starting: ${s.address} on ${s.iface}, lease ${s.namespace}/${s.lease}, kubeconfig ${hostPath}"`,
  );
  journal('kube-vip', `started with ${hostPath}`);
  const elector = new Elector(s, creds);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void elector.release().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (;;) {
    if (stopping) return;
    await elector.round();
    await new Promise((r) => setTimeout(r, s.retryS * 1000));
  }
}
