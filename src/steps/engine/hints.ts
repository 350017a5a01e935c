// What to do about failures whose cause is known from their message: swap, cgroup drivers, a CA pin
// that does not match, a certificate without the VIP, a repository of another minor, IPVS modules,
// Calico's pool, etcd quorum … A retry alone does not fix these; the hint says what does. The table
// follows ../shared/reference/failure-modes.md.

export interface Hint {
  pattern: RegExp;
  hint: (m: RegExpExecArray, node: string) => string;
  /**
   * The same input fails the same way every time (a setting on the host or in a file), so the
   * engine does not retry by itself: the failure and its fix show at once. The rest (quorum, a port
   * held by a leftover, an endpoint that does not answer yet) can pass on a later try.
   */
  deterministic?: true;
}

export const HINTS: Hint[] = [
  {
    pattern: /running with swap on is not supported/,
    deterministic: true,
    hint: (_m, n) =>
      `swap is on on ${n}: run \`swapoff -a\` there and comment out the swap line in /etc/fstab (so it stays off after a reboot), then Retry`,
  },
  {
    pattern: /kubelet cgroup driver: "(\w+)" is different from the container runtime cgroup driver: "(\w+)"/,
    deterministic: true,
    hint: (m, n) =>
      `the kubelet uses the ${m[1]} cgroup driver but containerd on ${n} uses ${m[2]}: set \`SystemdCgroup = true\` under the runc options in /etc/containerd/config.toml, run \`systemctl restart containerd\`, then Retry`,
  },
  {
    pattern:
      /containerd (\S+) expects config version (\d+), but \/etc\/containerd\/config\.toml says version (\S+)/,
    deterministic: true,
    hint: (m, n) =>
      `/etc/containerd/config.toml on ${n} has config version ${m[3]}, but containerd ${m[1]} writes version ${m[2]}: let k8sha-wizard rewrite it (run apply again), or migrate it with \`containerd config migrate\``,
  },
  {
    pattern: /none of the public keys "([^"]+)" are pinned/,
    deterministic: true,
    hint: (m) =>
      `the cluster's CA (${m[1]}) is not the one the join pins: the join configuration is stale or the cluster was initialized with another CA. Compare discovery.bootstrapToken.caCertHashes in /etc/kubernetes/kubeadm-config.yaml with the hash of /etc/kubernetes/pki/ca.crt on the first control plane`,
  },
  {
    pattern: /x509: certificate is valid for (.+?), not (\S+?)["\s]/,
    deterministic: true,
    hint: (m) =>
      `the apiserver certificate does not cover ${m[2]}: it must list the load balancer's address. Add ${m[2]} to apiServer.certSANs (k8sha-wizard renders the VIP there: look for a hand-edited kubeadm-config.yaml), reset the control plane and initialize it again`,
  },
  {
    pattern:
      /No match for argument: (\S+)|Version '([^']+)' for '([^']+)' was not found|Unable to locate package (\S+)/,
    deterministic: true,
    hint: (m, n) =>
      `the package repository on ${n} does not offer ${m[1] ?? (m[2] ? `${m[3]} ${m[2]}` : m[4])}: pkgs.k8s.io has one repository per minor, so the repository file must name the minor the answers want (/etc/yum.repos.d/kubernetes.repo or /etc/apt/sources.list.d/kubernetes.list)`,
  },
  {
    pattern:
      /token id "(\w+)" is invalid for this cluster or it has expired|could not find a JWS signature in the cluster-info ConfigMap for token ID "(\w+)"/,
    deterministic: true,
    hint: () =>
      'the bootstrap token is unknown or expired: run apply again, which mints a fresh token (TTL 2 h) before the joins',
  },
  {
    pattern:
      /IPVS proxier will not be used because the following required kernel modules are not loaded: \[([^\]]+)\]/,
    deterministic: true,
    hint: (m, n) =>
      `load the IPVS modules on ${n} (\`modprobe -a ${m[1]}\`) and list them in /etc/modules-load.d/k8s.conf, or use proxyMode nftables (IPVS is deprecated since 1.35)`,
  },
  {
    pattern: /IP pool (\S+) \(CALICO_IPV4POOL_CIDR\) is not within the cluster's podSubnet (\S+)/,
    deterministic: true,
    hint: (m) =>
      `Calico's CALICO_IPV4POOL_CIDR (${m[1]}) must lie inside network.podCIDR (${m[2]}): apply the manifest k8sha-wizard renders (cni/install-calico.sh), which sets it`,
  },
  {
    pattern:
      /etcdserver: (request timed out|no leader|unhealthy cluster)|etcd has no quorum|readyz fails: etcd/,
    hint: () =>
      'etcd has no quorum: more than half of the control planes’ etcd members must be up and able to reach each other on 2379-2380/tcp. Look at etcd on each control plane (crictl ps -a --name etcd, and its logs), then Retry',
  },
  {
    pattern: /\[ERROR Port-(\d+)\]: Port \d+ is in use/,
    hint: (m, n) =>
      `something on ${n} already listens on port ${m[1]}: find it with \`ss -ltnp 'sport = :${m[1]}'\` and stop it (or choose another host)`,
  },
  {
    pattern:
      /couldn't validate the identity of the API Server: .*(i\/o timeout|context deadline exceeded|no route to host)/,
    hint: (_m, n) =>
      `${n} cannot reach the API endpoint: check that the VIP answers from ${n} (a firewall on the control planes must allow the load balancer's port) and that one control plane holds the VIP (keepalived, or kube-vip in its mode)`,
  },
  // The rest of failure-modes.md: what kubeadm's preflight and the kubelet print for them.
  {
    pattern: /\[ERROR FileContent--proc-sys-net-ipv4-ip_forward\]|ip_forward contents are not set to 1/,
    deterministic: true,
    hint: (_m, n) =>
      `IPv4 forwarding is off on ${n}: \`sysctl -w net.ipv4.ip_forward=1\` and keep it in /etc/sysctl.d/k8s.conf (the prepare step writes that file: look for a later file that sets it back to 0), then Retry`,
  },
  {
    pattern:
      /\[ERROR (?:FileAvailable--etc-kubernetes-\S+|DirAvailable--var-lib-etcd)\]: (\S+) (?:already exists|is not empty)/,
    deterministic: true,
    hint: (m, n) =>
      `${n} has ${m[1]} from an earlier install: \`k8sha-wizard reset --answers FILE --node ${n}\` (or \`kubeadm reset -f\` there) clears it, then Retry`,
  },
  {
    pattern:
      /a kubeconfig file "([^"]+)" exists already but has (?:an unexpected|a wrong|wrong) API Server URL/,
    deterministic: true,
    hint: (m, n) =>
      `${m[1]} on ${n} belongs to another cluster or endpoint: reset the node (\`k8sha-wizard reset --answers FILE --node ${n}\`), then Retry`,
  },
  {
    pattern: /a Node with name "([^"]+)" and status "\w+" already exists in the cluster/,
    deterministic: true,
    hint: (m) =>
      `another machine already joined as ${m[1]}: each node needs its own host name. Give this host another name (hostnamectl set-hostname, and the answers' hosts[].name), or remove the old Node first (k8sha-wizard remove --node ${m[1]})`,
  },
  {
    pattern:
      /x509: certificate has expired or is not yet valid: current time (\S+) is (?:before|after) (\S+)/,
    deterministic: true,
    hint: (m, n) =>
      `the clock on ${n} says ${m[1]}, outside the certificate's validity (${m[2]}): the clocks differ. Turn on time sync there (\`timedatectl set-ntp true\`, chrony) and check \`date -u\` on every node, then Retry`,
  },
  {
    pattern:
      /\[ERROR CRI\]: container runtime is not running|connect: no such file or directory.*containerd\.sock/,
    hint: (_m, n) =>
      `containerd is not running on ${n}: \`systemctl status containerd\` and \`journalctl -u containerd\` say why (often /etc/containerd/config.toml); the container-runtime step writes and starts it`,
  },
  {
    pattern: /failed to pull image "([^"]+)"|ErrImagePull|ImagePullBackOff/,
    hint: (m, n) =>
      `${n} cannot pull ${m[1] ?? 'an image'}: the registry is unreachable from there. Choose the aliyun mirror or a custom imageRepository on the Versions screen (mirror in the answers), or pre-pull with \`kubeadm config images pull\`, then Retry`,
  },
];

/** The first known cause in these lines, as something to do. */
export function hintFor(text: string, node: string): string | undefined {
  for (const h of HINTS) {
    const m = h.pattern.exec(text);
    if (m) return h.hint(m, node);
  }
  return undefined;
}

/** Whether the first known cause in these lines fails the same way on every try. */
export function deterministicCause(text: string): boolean {
  return HINTS.find((h) => h.pattern.test(text))?.deterministic === true;
}
