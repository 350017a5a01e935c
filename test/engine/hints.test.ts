// The known-failure table: each entry recognises what kubeadm, the kubelet, a package manager or a
// pod really prints, says what to do, and says whether a retry alone could help.
import { describe, expect, it } from 'vitest';
import { deterministicCause, hintFor, HINTS } from '../../src/steps/engine/hints.js';

// [what the tools print, words the hint must contain, retry cannot help]
const CASES: [string, RegExp, boolean][] = [
  ['[ERROR Swap]: running with swap on is not supported. Please disable swap', /swapoff -a/, true],
  [
    'kubelet cgroup driver: "systemd" is different from the container runtime cgroup driver: "cgroupfs"',
    /SystemdCgroup = true/,
    true,
  ],
  [
    'containerd 2.3.4 expects config version 4, but /etc/containerd/config.toml says version 3',
    /config version 3/,
    true,
  ],
  ['none of the public keys "sha256:abc" are pinned', /caCertHashes/, true],
  ['x509: certificate is valid for 10.96.0.1, 172.16.100.100, not 172.16.100.150 ', /certSANs/, true],
  ["E: Version '1.36.4-1.1' for 'kubelet' was not found", /one repository per minor/, true],
  ['token id "abcdef" is invalid for this cluster or it has expired', /fresh token/, true],
  [
    'IPVS proxier will not be used because the following required kernel modules are not loaded: [ip_vs ip_vs_rr]',
    /modprobe -a ip_vs ip_vs_rr/,
    true,
  ],
  [
    "IP pool 192.168.0.0/16 (CALICO_IPV4POOL_CIDR) is not within the cluster's podSubnet 172.30.0.0/16",
    /inside network\.podCIDR/,
    true,
  ],
  ['etcdserver: request timed out', /quorum/, false],
  ['[ERROR Port-6443]: Port 6443 is in use', /ss -ltnp/, false],
  [
    'couldn\'t validate the identity of the API Server: Get "https://172.16.100.150:8443/api": dial tcp: i/o timeout',
    /cannot reach the API endpoint/,
    false,
  ],
  [
    '[ERROR FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not set to 1',
    /net\.ipv4\.ip_forward=1/,
    true,
  ],
  [
    '[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]: /etc/kubernetes/manifests/kube-apiserver.yaml already exists',
    /kube-apiserver\.yaml from an earlier install[\s\S]*reset --answers FILE --node worker01/,
    true,
  ],
  [
    '[ERROR DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty',
    /\/var\/lib\/etcd from an earlier/,
    true,
  ],
  [
    'a kubeconfig file "/etc/kubernetes/admin.conf" exists already but has an unexpected API Server URL: expected: https://172.16.100.150:8443, got: https://10.0.0.1:6443',
    /admin\.conf on worker01 belongs to another cluster/,
    true,
  ],
  [
    'error execution phase kubelet-start: a Node with name "worker01" and status "Ready" already exists in the cluster.',
    /already joined as worker01[\s\S]*own host name/,
    true,
  ],
  [
    'x509: certificate has expired or is not yet valid: current time 2026-01-01T00:00:00Z is before 2026-11-30T10:00:00Z',
    /clocks differ[\s\S]*timedatectl set-ntp true/,
    true,
  ],
  [
    '[ERROR CRI]: container runtime is not running: output: time="…" level=fatal msg="validate service connection"',
    /containerd is not running on worker01/,
    false,
  ],
  [
    'Failed to pull image "registry.k8s.io/pause:3.10.1": failed to pull image "registry.k8s.io/pause:3.10.1": dial tcp: i/o timeout',
    /cannot pull registry\.k8s\.io\/pause:3\.10\.1[\s\S]*aliyun/,
    false,
  ],
];

describe('known failures', () => {
  it.each(CASES)('%s', (text, says, deterministic) => {
    const hint = hintFor(`some output\n${text}\nmore output`, 'worker01');
    expect(hint).toMatch(says);
    expect(deterministicCause(text)).toBe(deterministic);
  });

  it('has a case here for every entry of the table, and nothing else matches an ordinary failure', () => {
    for (const h of HINTS)
      expect(
        CASES.some(([text]) => h.pattern.test(text)),
        `no case for ${h.pattern}`,
      ).toBe(true);
    expect(hintFor('Connection reset by peer', 'worker01')).toBeUndefined();
    expect(deterministicCause('Connection reset by peer')).toBe(false);
  });
});
