// Which package repositories exist in the simulated world, and what they hold. A repository file on
// the host must point at one of these (the official site or a known mirror, the right minor) for
// its packages to be installable, as with the real package managers.

/** Latest patch per minor that pkgs.k8s.io serves (late 2026). The legacy Google repos are gone. */
export const K8S_LATEST_PATCH: Record<string, number> = {
  '1.31': 14,
  '1.32': 13,
  '1.33': 10,
  '1.34': 9,
  '1.35': 9,
  '1.36': 4,
  '1.37': 1,
};
export const K8S_PACKAGES = ['kubelet', 'kubeadm', 'kubectl', 'cri-tools', 'kubernetes-cni'];
export const CONTAINERD_VERSIONS = ['1.7.28', '2.1.5', '2.2.1', '2.3.4'];
const CRI_TOOLS: Record<string, string> = { '1.35': '1.35.0', '1.36': '1.36.0', '1.37': '1.37.0' };

/** Packages every host's own distribution repositories provide. */
export const BASE_PACKAGES: Record<string, string> = {
  haproxy: '2.8.14',
  keepalived: '2.2.8',
  curl: '8.5.0',
  openssl: '3.0.13',
  ipset: '7.11',
  ipvsadm: '1.31',
  conntrack: '1.4.7',
  'conntrack-tools': '1.4.7',
  socat: '1.7.4.4',
  chrony: '4.5',
  ebtables: '2.0.11',
  ethtool: '6.7',
  tar: '1.35',
  jq: '1.7.1',
  'ca-certificates': '2024.2.69',
  gnupg: '2.4.4',
  gpg: '2.4.4',
  'apt-transport-https': '2.7.14',
  'dnf-plugins-core': '4.3.0',
  'yum-utils': '4.3.0',
  'iproute-tc': '6.2.0',
  'container-selinux': '2.229.0',
  'bash-completion': '2.11',
  nftables: '1.0.9',
  iptables: '1.8.10',
  'iptables-nft': '1.8.10',
  'policycoreutils-python-utils': '3.6',
  firewalld: '1.3.4',
};

export type RepoKind = 'kubernetes' | 'docker';

export interface KnownRepo {
  kind: RepoKind;
  /** Kubernetes minor of a pkgs.k8s.io-style repo. */
  minor?: string;
  /** Docker: the distribution path in the URL (rhel, centos, ubuntu, debian). */
  distro?: string;
}

const K8S_HOSTS = [
  'https://pkgs.k8s.io/core:/stable:/',
  'https://mirrors.aliyun.com/kubernetes-new/core/stable/',
  'https://mirrors.tuna.tsinghua.edu.cn/kubernetes/core:/stable:/',
];
const DOCKER_HOSTS = ['https://download.docker.com/linux/', 'https://mirrors.aliyun.com/docker-ce/linux/'];
/** Hosts that answer at all; anything else is offline, since the lab has no internet. */
export const GONE_HOSTS = [
  'packages.cloud.google.com',
  'apt.kubernetes.io',
  'mirrors.aliyun.com/kubernetes/',
];

export function classifyRepoUrl(
  url: string,
  format: 'rpm' | 'deb',
): KnownRepo | { error: 'gone' | 'offline' | 'not-found' } {
  const u = url.replace(/\/*$/, '/');
  for (const base of K8S_HOSTS) {
    if (u.startsWith(base)) {
      const m = /^v(\d+\.\d+)\/(rpm|deb)\/$/.exec(u.slice(base.length));
      if (!m || m[2] !== format || K8S_LATEST_PATCH[m[1]!] === undefined) return { error: 'not-found' };
      return { kind: 'kubernetes', minor: m[1]! };
    }
  }
  for (const base of DOCKER_HOSTS) {
    if (u.startsWith(base)) {
      const rest = u.slice(base.length);
      if (format === 'rpm') {
        const m = /^(rhel|centos)\/(\$releasever|9|10)\/(\$basearch|x86_64|aarch64)\/stable\/$/.exec(rest);
        return m ? { kind: 'docker', distro: m[1]! } : { error: 'not-found' };
      }
      const m = /^(ubuntu|debian)\/?$/.exec(rest);
      return m ? { kind: 'docker', distro: m[1]! } : { error: 'not-found' };
    }
  }
  if (GONE_HOSTS.some((g) => url.includes(g))) return { error: 'gone' };
  return { error: 'offline' };
}

export interface PackageOffer {
  name: string;
  /** Upstream version, e.g. 1.36.4 */
  version: string;
  /** Full package version as the package manager shows it. */
  full: string;
  repo: string;
}

/** What a known repository offers, in the version format of the package manager. */
export function offers(repoId: string, r: KnownRepo, format: 'rpm' | 'deb'): PackageOffer[] {
  if (r.kind === 'docker') {
    return CONTAINERD_VERSIONS.map((v) => ({
      name: 'containerd.io',
      version: v,
      full: format === 'rpm' ? `${v}-1.el9` : `${v}-1`,
      repo: repoId,
    }));
  }
  const list: PackageOffer[] = [];
  const latest = K8S_LATEST_PATCH[r.minor!]!;
  for (let p = 0; p <= latest; p++) {
    const v = `${r.minor}.${p}`;
    for (const name of ['kubelet', 'kubeadm', 'kubectl'])
      list.push({ name, version: v, full: format === 'rpm' ? `${v}-150500.1.1` : `${v}-1.1`, repo: repoId });
  }
  const cri = CRI_TOOLS[r.minor!] ?? `${r.minor}.0`;
  list.push({
    name: 'cri-tools',
    version: cri,
    full: format === 'rpm' ? `${cri}-150500.1.1` : `${cri}-1.1`,
    repo: repoId,
  });
  list.push({
    name: 'kubernetes-cni',
    version: '1.7.1',
    full: format === 'rpm' ? '1.7.1-150500.1.1' : '1.7.1-1.1',
    repo: repoId,
  });
  return list;
}

/** Dependencies the real packages declare. */
export const DEPENDS: Record<string, string[]> = {
  kubeadm: ['cri-tools', 'kubelet'],
  kubelet: ['kubernetes-cni'],
};
