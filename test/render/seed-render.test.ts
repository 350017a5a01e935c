// The seed example rendered: the kubeadm config fixes every mistake of the 2021 recipe.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Answers } from '../../src/answers/schema.js';
import { renderCluster } from '../../src/render/index.js';
import type { RenderedFile, RenderResult, Secrets } from '../../src/render/types.js';
import { generateSecrets } from '../../src/secrets/generate.js';
import { catalog, seedPlain, seedWith, valid } from '../helpers/answers.js';

let secrets: Secrets;
let seed: Answers;
let out: RenderResult;

beforeAll(async () => {
  secrets = await generateSecrets();
  seed = valid(seedPlain());
  out = renderCluster({ answers: seed, catalog, secrets });
});

function file(host: string, path: string, r: RenderResult = out): RenderedFile {
  const f = r.nodes[host]?.find((x) => x.path === path);
  if (!f) throw new Error(`${host} has no ${path}`);
  return f;
}
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
function docs(f: RenderedFile): Doc[] {
  return parseAllDocuments(f.content).map((d) => d.toJS() as Doc);
}
function kind(ds: Doc[], k: string): Doc {
  const d = ds.find((x) => x.kind === k);
  if (!d) throw new Error(`no ${k}`);
  return d;
}

describe('kubeadm-config.yaml for the seed', () => {
  it('gives master01 Init, Cluster, Kubelet and KubeProxy configuration with the VIP endpoint', () => {
    const ds = docs(file('master01', '/etc/kubernetes/kubeadm-config.yaml'));
    expect(ds.map((d) => d.kind)).toEqual([
      'InitConfiguration',
      'ClusterConfiguration',
      'KubeletConfiguration',
      'KubeProxyConfiguration',
    ]);
    const cc = kind(ds, 'ClusterConfiguration');
    expect(cc.apiVersion).toBe('kubeadm.k8s.io/v1beta4');
    expect(cc.controlPlaneEndpoint).toBe('172.16.100.150:8443');
    expect(cc.apiServer.certSANs).toEqual(
      expect.arrayContaining([
        '172.16.100.150',
        'master01',
        '172.16.100.100',
        'master02',
        '172.16.100.120',
        'master03',
        '172.16.100.160',
      ]),
    );
    expect(cc.networking).toMatchObject({ podSubnet: '172.30.0.0/16', serviceSubnet: '10.254.0.0/16' });
    expect(cc.kubernetesVersion).toBe('v1.36.4');
    expect(cc.imageRepository).toBe('registry.aliyuncs.com/google_containers');
    expect(kind(ds, 'KubeletConfiguration').cgroupDriver).toBe('systemd');
    expect(kind(ds, 'KubeProxyConfiguration')).toMatchObject({
      mode: 'ipvs',
      ipvs: { strictARP: true, excludeCIDRs: ['172.16.100.150/32'] },
    });
  });

  it('uses the generated token (short TTL, never 0) and certificate key, and pins the node IP as a v1beta4 list', () => {
    const init = kind(docs(file('master01', '/etc/kubernetes/kubeadm-config.yaml')), 'InitConfiguration');
    expect(init.bootstrapTokens[0].token).toBe(secrets.bootstrapToken);
    expect(init.bootstrapTokens[0].token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(init.bootstrapTokens[0].ttl).toBe('2h0m0s');
    expect(init.certificateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(init.localAPIEndpoint).toEqual({ advertiseAddress: '172.16.100.100', bindPort: 6443 });
    expect(init.nodeRegistration.kubeletExtraArgs).toEqual([{ name: 'node-ip', value: '172.16.100.100' }]);
    expect(init.nodeRegistration.criSocket).toBe('unix:///run/containerd/containerd.sock');
  });

  it('joins master02 as a control plane and worker01 as a worker, both through the VIP with the CA pin', () => {
    const cp = kind(docs(file('master02', '/etc/kubernetes/kubeadm-config.yaml')), 'JoinConfiguration');
    expect(cp.discovery.bootstrapToken).toEqual({
      apiServerEndpoint: '172.16.100.150:8443',
      token: secrets.bootstrapToken,
      caCertHashes: [secrets.caCertHash],
    });
    expect(cp.controlPlane).toEqual({
      localAPIEndpoint: { advertiseAddress: '172.16.100.120', bindPort: 6443 },
      certificateKey: secrets.certificateKey,
    });
    const w = kind(docs(file('worker01', '/etc/kubernetes/kubeadm-config.yaml')), 'JoinConfiguration');
    expect(w.controlPlane).toBeUndefined();
    expect(w.discovery.bootstrapToken.apiServerEndpoint).toBe('172.16.100.150:8443');
    expect(secrets.caCertHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('marks files holding secrets 0600 and secret', () => {
    for (const p of [
      '/etc/kubernetes/kubeadm-config.yaml',
      '/etc/keepalived/keepalived.conf',
      '/etc/kubernetes/pki/ca.key',
    ]) {
      expect(file('master01', p)).toMatchObject({ mode: 0o600, secret: true });
    }
    expect(file('master01', '/etc/kubernetes/pki/ca.crt').secret).toBeUndefined();
  });

  it('never carries the seed mistakes', () => {
    const all = Object.values(out.nodes)
      .flat()
      .concat(out.cluster)
      .map((f) => f.content)
      .join('\n');
    for (const bad of [
      /^\s*nbproc/m,
      /admin:admin/,
      /^[^#]*pkill/m,
      /k8s\.gcr\.io/,
      /packages\.cloud\.google\.com/,
      /kubernetes-el7/,
      /docs\.projectcalico\.org/,
      /172\.16\.100\.100:8443/,
      /token-ttl/,
      /ttl: "?0"?$/m,
      /docker-ce"?\s*$/m,
      /native\.cgroupdriver/,
      /nf_conntrack_ipv4/,
    ]) {
      expect(all, `found ${bad}`).not.toMatch(bad);
    }
  });
});

describe('v1beta3 for catalogs that still ask for it', () => {
  it('writes extra args as a map and keeps timeoutForControlPlane', () => {
    const old = structuredClone(catalog);
    old.kubernetes['1.36']!.kubeadmApiVersion = 'kubeadm.k8s.io/v1beta3';
    const r = renderCluster({ answers: seed, catalog: old, secrets });
    const ds = docs(file('master01', '/etc/kubernetes/kubeadm-config.yaml', r));
    expect(kind(ds, 'InitConfiguration').nodeRegistration.kubeletExtraArgs).toEqual({
      'node-ip': '172.16.100.100',
    });
    expect(kind(ds, 'ClusterConfiguration').apiServer.timeoutForControlPlane).toBe('4m0s');
    expect(
      kind(docs(file('worker01', '/etc/kubernetes/kubeadm-config.yaml', r)), 'JoinConfiguration').discovery
        .timeout,
    ).toBe('5m0s');
  });
});

describe('node basics', () => {
  it('writes a managed /etc/hosts block with every node', () => {
    const f = file('worker02', '/etc/hosts');
    expect(f.kind).toBe('managed-block');
    expect(f.content).toMatch(/^# BEGIN k8sha-wizard managed block/);
    expect(f.content).toMatch(/172\.16\.100\.160\s+master03\n/);
    expect(f.content.trim().split('\n')).toHaveLength(7);
  });

  it('loads IPVS modules only in ipvs mode, with nf_conntrack', () => {
    expect(file('master01', '/etc/modules-load.d/k8s.conf').content).toMatch(
      /overlay\nbr_netfilter\nip_vs\nip_vs_rr\nip_vs_wrr\nip_vs_sh\nnf_conntrack\n/,
    );
    const nft = renderCluster({
      answers: valid(seedWith((s) => ((s.network as Record<string, unknown>).proxyMode = 'nftables'))),
      catalog,
      secrets,
    });
    expect(file('master01', '/etc/modules-load.d/k8s.conf', nft).content).not.toMatch(/ip_vs/);
  });

  it('enables forwarding and bridged traffic in sysctl', () => {
    expect(file('worker01', '/etc/sysctl.d/k8s.conf').content).toMatch(
      /net\.ipv4\.ip_forward\s+= 1[\s\S]*bridge-nf-call-iptables\s+= 1/,
    );
  });

  it('writes containerd config v4 for 2.3, v3 for 2.2, v2 for 1.7, each with SystemdCgroup and the mirror pause image', () => {
    const c = file('worker01', '/etc/containerd/config.toml').content;
    expect(c).toMatch(/^version = 4$/m);
    expect(c).toMatch(
      /\[plugins\.'io\.containerd\.cri\.v1\.runtime'\.containerd\.runtimes\.runc\.options\]\n {2}SystemdCgroup = true/,
    );
    expect(c).toMatch(/sandbox = "registry\.aliyuncs\.com\/google_containers\/pause:3\.10\.1"/);
    const v22 = renderCluster({
      answers: valid(seedWith((s) => (s.versions = { containerd: '2.2.1' }))),
      catalog,
      secrets,
    });
    expect(file('worker01', '/etc/containerd/config.toml', v22).content).toMatch(/^version = 3$/m);
    const old = renderCluster({
      answers: valid(
        seedWith((s) => {
          s.versions = { containerd: '1.7.28' };
          (s.cluster as Record<string, unknown>).kubernetesVersion = '1.35';
        }),
      ),
      catalog,
      secrets,
    });
    const c17 = file('worker01', '/etc/containerd/config.toml', old).content;
    expect(c17).toMatch(/^version = 2$/m);
    expect(c17).toMatch(/sandbox_image = "registry\.aliyuncs\.com\/google_containers\/pause:3\.10\.1"/);
    expect(c17).toMatch(/SystemdCgroup = true/);
  });

  it('points crictl at containerd', () => {
    expect(file('master02', '/etc/crictl.yaml').content).toMatch(
      /runtime-endpoint: unix:\/\/\/run\/containerd\/containerd\.sock/,
    );
  });
});

describe('package repositories', () => {
  it('writes the per-minor aliyun kubernetes-new repo for yum and apt, with the full exclude line', () => {
    const repo = file('master01', '/etc/yum.repos.d/kubernetes.repo').content;
    expect(repo).toMatch(
      /baseurl=https:\/\/mirrors\.aliyun\.com\/kubernetes-new\/core\/stable\/v1\.36\/rpm\//,
    );
    expect(repo).toMatch(/gpgcheck=1/);
    expect(repo).toMatch(/exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni/);
    expect(file('master01', '/etc/apt/sources.list.d/kubernetes.list').content).toMatch(
      /deb \[signed-by=\/etc\/apt\/keyrings\/kubernetes-apt-keyring\.asc\] https:\/\/mirrors\.aliyun\.com\/kubernetes-new\/core\/stable\/v1\.36\/deb\/ \//,
    );
  });

  it('uses pkgs.k8s.io for the official mirror and the Docker CE repo for containerd.io', () => {
    const r = renderCluster({ answers: valid(seedWith((s) => (s.mirror = 'official'))), catalog, secrets });
    expect(file('worker01', '/etc/yum.repos.d/kubernetes.repo', r).content).toMatch(
      /baseurl=https:\/\/pkgs\.k8s\.io\/core:\/stable:\/v1\.36\/rpm\//,
    );
    expect(file('worker01', '/etc/yum.repos.d/docker-ce.repo', r).content).toMatch(
      /baseurl=https:\/\/download\.docker\.com\/linux\/rhel\//,
    );
    expect(file('worker01', '/etc/apt/sources.list.d/docker.list', r).content).toMatch(
      /https:\/\/download\.docker\.com\/linux\/ubuntu noble stable/,
    );
  });

  it('writes only the family that fits once host facts are known', () => {
    const r = renderCluster({
      answers: seed,
      catalog,
      secrets,
      facts: {
        worker01: { osFamily: 'debian', distro: 'debian', codename: 'bookworm' },
        worker02: { osFamily: 'rhel' },
      },
    });
    const paths = (h: string) => r.nodes[h]!.map((f) => f.path);
    expect(paths('worker01')).toContain('/etc/apt/sources.list.d/docker.list');
    expect(paths('worker01')).not.toContain('/etc/yum.repos.d/kubernetes.repo');
    expect(file('worker01', '/etc/apt/sources.list.d/docker.list', r).content).toMatch(
      /linux\/debian bookworm stable/,
    );
    expect(paths('worker02')).not.toContain('/etc/apt/sources.list.d/kubernetes.list');
  });

  it('lays custom mirror URLs over the preset', () => {
    const r = renderCluster({
      answers: valid(
        seedWith(
          (s) =>
            (s.mirrorOverrides = {
              imageRepository: 'harbor.local:5000/k8s',
              kubernetes: {
                rpm: { baseurl: 'https://repo.local/k8s/{minor}/', gpgkey: 'https://repo.local/k8s.key' },
              },
            }),
        ),
      ),
      catalog,
      secrets,
    });
    expect(file('master01', '/etc/yum.repos.d/kubernetes.repo', r).content).toMatch(
      /baseurl=https:\/\/repo\.local\/k8s\/1\.36\//,
    );
    expect(file('master01', '/etc/containerd/config.toml', r).content).toMatch(
      /harbor\.local:5000\/k8s\/pause:3\.10\.1/,
    );
  });
});

describe('notes', () => {
  it('says when it guessed eth0 for keepalived', () => {
    const r = renderCluster({
      answers: valid(seedWith((s) => delete (s.loadBalancer as Record<string, unknown>).interface)),
      catalog,
      secrets,
    });
    expect(r.notes.join('\n')).toMatch(/keepalived\.conf uses eth0/);
    expect(file('master01', '/etc/keepalived/keepalived.conf', r).content).toMatch(/interface eth0/);
    const detected = renderCluster({
      answers: valid(seedWith((s) => delete (s.loadBalancer as Record<string, unknown>).interface)),
      catalog,
      secrets,
      facts: {
        master01: { interface: 'ens192' },
        master02: { interface: 'ens192' },
        master03: { interface: 'ens192' },
      },
    });
    expect(detected.notes.join('\n')).not.toMatch(/uses eth0/);
    expect(file('master01', '/etc/keepalived/keepalived.conf', detected).content).toMatch(/interface ens192/);
  });
});

describe('flags the kubelet no longer has', () => {
  it('passes no --pod-infra-container-image anywhere (removed in 1.35: the kubelet stops on it)', () => {
    const all = [...Object.values(out.nodes).flat(), ...out.cluster];
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((f) => f.content.includes('pod-infra-container-image')).map((f) => f.path)).toEqual([]);
    // The pause image is containerd's to choose (sandbox in its config), which the kubelet follows.
    expect(file('master01', '/etc/containerd/config.toml').content).toMatch(/sandbox/);
  });
});
