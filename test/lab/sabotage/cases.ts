// Installer mistakes a real cluster refuses, planted between the engine and the hosts
// (a test-only transport wrapper: files are changed on their way up, commands on their way out,
// or the cluster is disturbed at a chosen moment). Never through the answers. Each case says where
// the install must stop and what the message must point at.

export interface Hosts {
  /** Run a command on a lab host as root, through the runner's own SSH connections. */
  run(host: string, command: string): Promise<{ code: number; stdout: string; stderr: string }>;
}

export interface Sabotage {
  /** One line on what is wrong, for the test's name. */
  what: string;
  /** Change a file on its way to a host. */
  upload?(host: string, path: string, content: string): string;
  /** Change a command on its way to a host, or do something to the cluster first (return undefined: unchanged). */
  exec?(host: string, command: string, hosts: Hosts): Promise<string | undefined>;
  /** Where the install must stop, and words the failure (message, output, cause or fix) must contain. */
  expect: { node: string; step: string; says: RegExp };
  /**
   * The smallest lab that reaches the failure (3 control planes and 2 workers when not given): the lab
   * is CPU-bound, and every host it does not need slows the others' node steps.
   */
  lab?: { masters: number; workers: number };
}

const once = () => {
  let done = false;
  return () => (done ? false : (done = true));
};

const quorumLoss = once();
const certsGone = once();
const halfJoin = once();

const ETCD = (path: string, body: string) =>
  `curl -sS --max-time 8 --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/apiserver-etcd-client.crt --key /etc/kubernetes/pki/apiserver-etcd-client.key -X POST https://127.0.0.1:2379${path} -d '${body}'`;

/** Not mistakes: what a crash leaves behind, which a resume must repair (expect a completed install). */
export const REPAIRS: Record<string, Sabotage> = {
  'half-joined-member': {
    what: 'a control-plane join killed after etcd added its member (a learner that never started)',
    exec: async (h, cmd, hosts) => {
      if (h !== 'master03' || !cmd.startsWith('kubeadm join') || !halfJoin()) return undefined;
      // etcd refuses reconfiguration for a few seconds after master02 joined: try until it takes it.
      for (let i = 0; i < 40; i++) {
        const r = await hosts.run(
          'master01',
          ETCD('/v3/cluster/member/add', '{"peerURLs":["https://172.16.100.160:2380"],"isLearner":true}'),
        );
        if (r.stdout.includes('"member"')) break;
        await new Promise((ok) => setTimeout(ok, 500));
      }
      return 'echo "the join was killed here" >&2; exit 137';
    },
    expect: { node: '', step: '', says: /./ },
  },
  // kubeadm always adds controlPlaneEndpoint's host to the apiserver certificate, so certSANs without
  // the VIP is harmless when the endpoint is the VIP: a real cluster accepts it, and so must the lab.
  'vip-missing-from-certsans': {
    what: 'the apiserver certificate lacks the VIP, and the endpoint is the VIP',
    upload: (h, p, c) =>
      p === '/etc/kubernetes/kubeadm-config.yaml' && h === 'master01'
        ? c.replace(/^\s*- 172\.16\.100\.150\n/m, '')
        : c,
    expect: { node: '', step: '', says: /./ },
  },
};

/** Every repair in one run: they touch different nodes and steps, and each must be repaired. */
export function allRepairs(): Sabotage {
  const repairs = Object.values(REPAIRS);
  return {
    what: repairs.map((r) => r.what).join('; '),
    upload: (h, p, c) => repairs.reduce((content, r) => (r.upload ? r.upload(h, p, content) : content), c),
    exec: async (h, cmd, hosts) => {
      for (const r of repairs) {
        const changed = await r.exec?.(h, cmd, hosts);
        if (changed !== undefined) return changed;
      }
      return undefined;
    },
    expect: { node: '', step: '', says: /./ },
  };
}

export const ALL_REPAIRS = 'all-repairs';

const MISTAKES: Record<string, Sabotage> = {
  'wrong-ca-hash': {
    what: 'joins pin a CA hash that is not the cluster’s',
    upload: (h, p, c) =>
      p === '/etc/kubernetes/kubeadm-config.yaml' && h !== 'master01'
        ? c.replace(/sha256:[0-9a-f]{64}/g, `sha256:${'0'.repeat(64)}`)
        : c,
    expect: {
      node: 'master02',
      step: 'join-control-plane',
      says: /none of the public keys .* are pinned[\s\S]*CA/,
    },
    lab: { masters: 3, workers: 0 },
  },
  'expired-certificate-key': {
    what: 'the uploaded control-plane certificates expire before a control plane joins',
    exec: async (h, cmd, hosts) => {
      if (h === 'master02' && cmd.startsWith('kubeadm join') && certsGone())
        await hosts.run(
          'master01',
          'kubectl --kubeconfig /etc/kubernetes/admin.conf -n kube-system delete secret kubeadm-certs',
        );
      return undefined;
    },
    expect: {
      node: 'master02',
      step: 'join-control-plane',
      says: /certificates uploaded for the joins .*have expired[\s\S]*run apply again/,
    },
  },
  'etcd-quorum-lost-mid-join': {
    what: 'etcd loses quorum while the third control plane joins',
    exec: async (h, cmd, hosts) => {
      if (h === 'master03' && cmd.startsWith('kubeadm join') && quorumLoss())
        await hosts.run(
          'master02',
          'mkdir -p /root/held && mv /etc/kubernetes/manifests/etcd.yaml /root/held/',
        );
      return undefined;
    },
    expect: { node: 'master03', step: 'join-control-plane', says: /etcd|quorum/ },
    lab: { masters: 3, workers: 0 },
  },
  'containerd-without-systemdcgroup': {
    what: 'containerd runs without SystemdCgroup = true, the kubelet with the systemd driver',
    upload: (_h, p, c) =>
      p === '/etc/containerd/config.toml' ? c.replace('SystemdCgroup = true', 'SystemdCgroup = false') : c,
    expect: {
      node: 'master01',
      step: 'kubeadm-init',
      says: /cgroup driver: "systemd" is different from the container runtime cgroup driver: "cgroupfs"[\s\S]*SystemdCgroup = true/,
    },
    lab: { masters: 1, workers: 0 },
  },
  'repo-of-another-minor': {
    what: 'the Kubernetes package repository is the one of another minor',
    upload: (h, p, c) =>
      h === 'master01' && /kubernetes\.(repo|list)$/.test(p) ? c.replace(/v1\.36/g, 'v1.35') : c,
    expect: {
      node: 'master01',
      step: 'kubernetes-packages',
      says: /(No match for argument|was not found)[\s\S]*one repository per minor/,
    },
    lab: { masters: 1, workers: 0 },
  },
  'haproxy-wrong-port': {
    what: 'haproxy forwards to the wrong port',
    upload: (_h, p, c) => (p === '/etc/haproxy/haproxy.cfg' ? c.replace(/:6443 check/g, ':6444 check') : c),
    expect: {
      node: 'master01',
      step: 'vip-ready',
      says: /haproxy forwards to 172\.16\.100\.\d+:6444.*but the apiservers are/,
    },
    lab: { masters: 3, workers: 0 },
  },
  'keepalived-same-priority': {
    what: 'keepalived has the same priority on every control plane',
    upload: (_h, p, c) =>
      p === '/etc/keepalived/keepalived.conf' ? c.replace(/priority \d+/, 'priority 150') : c,
    expect: {
      node: 'master01',
      step: 'vip-ready',
      says: /master01 and master02 and master03 share keepalived priority 150/,
    },
    lab: { masters: 3, workers: 0 },
  },
  'ipvs-without-modules': {
    what: 'kube-proxy in IPVS mode without the ip_vs modules',
    upload: (_h, p, c) => (p === '/etc/modules-load.d/k8s.conf' ? c.replace(/^ip_vs.*\n/gm, '') : c),
    exec: async (_h, cmd) => (cmd.startsWith('modprobe -a') ? cmd.replace(/ ip_vs\S*/g, '') : undefined),
    expect: {
      node: 'master01',
      step: 'verify',
      says: /kube-proxy on \S+ is CrashLoopBackOff: can't use the IPVS proxier[\s\S]*modprobe -a ip_vs/,
    },
    lab: { masters: 1, workers: 0 },
  },
  'calico-cidr-outside-podsubnet': {
    what: 'Calico’s pool CIDR is outside the cluster’s podSubnet',
    upload: (_h, p, c) =>
      p.endsWith('cni-install-calico.sh') ? c.replace(/^pod_cidr=.*$/m, "pod_cidr='192.168.0.0/16'") : c,
    expect: {
      node: 'master01',
      step: 'verify',
      says: /calico-node on \S+ is CrashLoopBackOff: .*192\.168\.0\.0\/16 .*not within the cluster's podSubnet 172\.30\.0\.0\/16/,
    },
    lab: { masters: 1, workers: 0 },
  },
  'missing-firewall-port': {
    what: 'the control planes’ firewalls do not open the load balancer’s port',
    exec: async (h, cmd) => {
      if (!h.startsWith('master')) return undefined;
      if (cmd.startsWith('firewall-cmd --permanent')) return cmd.replace(' --add-port=8443/tcp', '');
      if (cmd.startsWith('ufw allow')) return cmd.replace('ufw allow 8443/tcp && ', '');
      return undefined;
    },
    expect: {
      node: 'master02',
      step: 'join-control-plane',
      says: /8443\/tcp on master0\d do not answer from master02: the packets are dropped/,
    },
    lab: { masters: 3, workers: 0 },
  },
};

/**
 * Two mistakes in one install, where the install stops at the same node and step for both and the
 * failure must name both: the load-balancer consistency check lists every disagreement, and verify
 * lists every failing pod. (Each pair would otherwise cost a second install to the same point.)
 */
function together(a: string, b: string): Sabotage {
  const x = MISTAKES[a]!;
  const y = MISTAKES[b]!;
  if (x.expect.node !== y.expect.node || x.expect.step !== y.expect.step)
    throw new Error(`${a} and ${b} stop at different places; they cannot share an install`);
  return {
    what: `${x.what}, and ${y.what}`,
    upload: (h, p, c) => {
      const once = x.upload ? x.upload(h, p, c) : c;
      return y.upload ? y.upload(h, p, once) : once;
    },
    exec: async (h, cmd, hosts) => {
      const first = (await x.exec?.(h, cmd, hosts)) ?? cmd;
      return (await y.exec?.(h, first, hosts)) ?? (first === cmd ? undefined : first);
    },
    expect: {
      node: x.expect.node,
      step: x.expect.step,
      says: new RegExp(`^(?=[\\s\\S]*${x.expect.says.source})(?=[\\s\\S]*${y.expect.says.source})`),
    },
    ...(x.lab || y.lab
      ? {
          lab: {
            masters: Math.max(x.lab?.masters ?? 3, y.lab?.masters ?? 3),
            workers: Math.max(x.lab?.workers ?? 2, y.lab?.workers ?? 2),
          },
        }
      : {}),
  };
}

/**
 * Cases that go on from the one before on its lab, as an operator's next `apply` would after the
 * earlier failure: the install up to that point is not repeated (a run that goes on from a failed
 * one must get there too). Each follows its predecessor directly in SABOTAGE.
 */
export const CONTINUES: Record<string, string> = {
  'expired-certificate-key': 'wrong-ca-hash',
  'etcd-quorum-lost-mid-join': 'expired-certificate-key',
};

const PAIRED = [
  ['haproxy-wrong-port', 'keepalived-same-priority'],
  ['ipvs-without-modules', 'calico-cidr-outside-podsubnet'],
] as const;

export const SABOTAGE: Record<string, Sabotage> = Object.fromEntries([
  ...Object.entries(MISTAKES).filter(([name]) => !PAIRED.some((pair) => pair.some((n) => n === name))),
  ...PAIRED.map(([a, b]) => [`${a}+${b}`, together(a, b)] as const),
]);
