// Every validation rule, once passing and once failing, with the field path it must name.
import { describe, expect, it } from 'vitest';
import { hostsOf, problemsOf, seedPlain, seedWith, valid, type Plain } from '../helpers/answers.js';

function expectProblem(data: unknown, path: string, text: RegExp): void {
  const problems = problemsOf(data);
  const hit = problems.find((p) => p.path === path && text.test(p.message));
  expect(
    hit,
    `expected a problem at ${path} matching ${text}; got ${JSON.stringify(problems, null, 1)}`,
  ).toBeDefined();
}

describe('the answers contract (v1)', () => {
  it('accepts the seed example exactly as the contract writes it, with aliyun and kuboard', () => {
    const a = valid(seedPlain());
    expect(a.loadBalancer?.vip).toBe('172.16.100.150/24');
    expect(a.network).toMatchObject({
      podCIDR: '172.30.0.0/16',
      serviceCIDR: '10.254.0.0/16',
      proxyMode: 'ipvs',
      cni: 'calico',
    });
    expect(a.mirror).toBe('aliyun');
    expect(a.addons.dashboard).toBe('kuboard');
  });

  it('needs only apiVersion, cluster.name and hosts, and fills every default', () => {
    const a = valid({ apiVersion: 'k8sha-wizard/v1', cluster: { name: 'one' }, hosts: hostsOf(1, 0) });
    expect(a.cluster.kubernetesVersion).toBe('1.36');
    expect(a.network).toEqual({
      podCIDR: '10.244.0.0/16',
      serviceCIDR: '10.96.0.0/12',
      cni: 'calico',
      proxyMode: 'nftables',
      dnsDomain: 'cluster.local',
    });
    expect(a.mirror).toBe('official');
    expect(a.addons.dashboard).toBe('none');
    expect(a.ssh).toMatchObject({ user: 'root', port: 22 });
    expect(a.loadBalancer).toBeUndefined();
  });

  it('defaults the load balancer port and router id but never the VIP', () => {
    const a = valid(seedWith((s) => (s.loadBalancer = { vip: '172.16.100.150/24' })));
    expect(a.loadBalancer).toMatchObject({ port: 8443, virtualRouterId: 51 });
    expectProblem(
      seedWith((s) => (s.loadBalancer = { port: 8443 })),
      'loadBalancer.vip',
      /required/,
    );
  });

  it('rejects unknown keys by name, at any depth', () => {
    expectProblem(
      seedWith((s) => (s.extra = 1)),
      'extra',
      /unknown key "extra"/,
    );
    expectProblem(
      seedWith((s) => ((s.network as Plain).podCidr = '10.0.0.0/16')),
      'network.podCidr',
      /unknown key/,
    );
    expectProblem(
      seedWith((s) => (s.hosts[0]!.ip = '1.2.3.4')),
      'hosts[0].ip',
      /unknown key/,
    );
  });

  it('rejects a wrong apiVersion and wrong types', () => {
    expectProblem(
      seedWith((s) => (s.apiVersion = 'v1')),
      'apiVersion',
      /k8sha-wizard\/v1/,
    );
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).port = '8443')),
      'loadBalancer.port',
      /number/,
    );
    expectProblem(
      seedWith((s) => ((s.cluster as Plain).kubernetesVersion = 1.35)),
      'cluster.kubernetesVersion',
      /quote/,
    );
    expectProblem(
      seedWith((s) => (s.hosts = { a: 1 } as unknown as Plain[])),
      'hosts',
      /array/,
    );
  });
});

describe('control planes', () => {
  it('needs at least one', () => {
    expectProblem(
      seedWith((s) => s.hosts.forEach((h) => (h.role = 'worker'))),
      'hosts',
      /no host with role control-plane/,
    );
  });
  it('must be odd, and the message explains etcd quorum', () => {
    expectProblem(
      seedWith((s) => (s.hosts[3]!.role = 'control-plane')),
      'hosts',
      /even number.*majority \(quorum\).*Use 3 or 5/,
    );
    expect(problemsOf(seedWith((s) => (s.hosts = hostsOf(5, 0))))).toEqual([]);
    expect(problemsOf(seedWith((s) => (s.hosts = hostsOf(7, 3))))).toEqual([]);
  });
});

describe('host names', () => {
  it('are lowercase RFC 1123 labels', () => {
    for (const bad of [
      'Master01',
      'master_01',
      '-m',
      'm-',
      'a'.repeat(64),
      'm;rm -rf /',
      '$(id)',
      'm`x`',
      'm.example',
    ]) {
      expectProblem(
        seedWith((s) => (s.hosts[0]!.name = bad)),
        'hosts[0].name',
        /RFC 1123/,
      );
    }
    expect(problemsOf(seedWith((s) => (s.hosts[0]!.name = 'a'.repeat(63))))).toEqual([]);
  });
  it('are unique', () => {
    expectProblem(
      seedWith((s) => (s.hosts[4]!.name = 'worker01')),
      'hosts[4].name',
      /duplicate host name "worker01" \(also hosts\[3\]\)/,
    );
  });
});

describe('addresses', () => {
  it('are valid IPv4', () => {
    for (const bad of [
      '172.16.100.256',
      '172.16.100',
      '172.16.100.010',
      'host.example',
      '::1',
      '172.16.100.1; id',
    ]) {
      expectProblem(
        seedWith((s) => (s.hosts[3]!.address = bad)),
        'hosts[3].address',
        /IPv4/,
      );
    }
  });
  it('are unique', () => {
    expectProblem(
      seedWith((s) => (s.hosts[4]!.address = '172.16.100.180')),
      'hosts[4].address',
      /duplicate address 172.16.100.180/,
    );
  });
});

describe('the VIP', () => {
  it('is required with 2+ control planes and optional with one', () => {
    expectProblem(
      seedWith((s) => delete s.loadBalancer),
      'loadBalancer',
      /required with 3 control planes/,
    );
    expect(
      problemsOf({ apiVersion: 'k8sha-wizard/v1', cluster: { name: 'x' }, hosts: hostsOf(1, 2) }),
    ).toEqual([]);
  });
  it('needs a prefix', () => {
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).vip = '172.16.100.150')),
      'loadBalancer.vip',
      /prefix/,
    );
  });
  it('is not a host address', () => {
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).vip = '172.16.100.180/24')),
      'loadBalancer.vip',
      /address of worker01/,
    );
  });
  it('is not the network or broadcast address', () => {
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).vip = '172.16.100.0/24')),
      'loadBalancer.vip',
      /network address/,
    );
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).vip = '172.16.100.255/24')),
      'loadBalancer.vip',
      /broadcast address/,
    );
  });
  it('has every control plane inside its subnet (workers may be elsewhere)', () => {
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).vip = '172.16.100.150/26')),
      'hosts[0].address',
      /outside the VIP's subnet 172.16.100.128\/26/,
    );
    expect(problemsOf(seedWith((s) => (s.hosts[3]!.address = '172.16.101.5')))).toEqual([]);
  });
});

describe('the load-balancer port and router id', () => {
  it('rejects 6443 and says why', () => {
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).port = 6443)),
      'loadBalancer.port',
      /kube-apiserver on every control plane/,
    );
  });
  it('rejects other control-plane ports and out-of-range values', () => {
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).port = 2379)),
      'loadBalancer.port',
      /etcd/,
    );
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).port = 0)),
      'loadBalancer.port',
      /1–65535/,
    );
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).port = 65536)),
      'loadBalancer.port',
      /1–65535/,
    );
    expect(problemsOf(seedWith((s) => ((s.loadBalancer as Plain).port = 16443)))).toEqual([]);
  });
  it('keeps virtualRouterId in 1–255', () => {
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).virtualRouterId = 0)),
      'loadBalancer.virtualRouterId',
      /1–255/,
    );
    expectProblem(
      seedWith((s) => ((s.loadBalancer as Plain).virtualRouterId = 256)),
      'loadBalancer.virtualRouterId',
      /1–255/,
    );
    expect(problemsOf(seedWith((s) => ((s.loadBalancer as Plain).virtualRouterId = 255)))).toEqual([]);
  });
});

describe('CIDRs', () => {
  const net = (patch: Plain) => seedWith((s) => Object.assign(s.network as Plain, patch));
  it('must be valid and network-aligned', () => {
    expectProblem(net({ podCIDR: '172.30.0.0/33' }), 'network.podCIDR', /CIDR/);
    expectProblem(net({ podCIDR: '172.30.1.0/16' }), 'network.podCIDR', /did you mean 172.30.0.0\/16/);
  });
  it('must not overlap each other', () => {
    expectProblem(net({ serviceCIDR: '172.30.128.0/20' }), 'network.serviceCIDR', /overlaps podCIDR/);
  });
  it("must not overlap the control planes' subnet or any host", () => {
    expectProblem(
      net({ podCIDR: '172.16.0.0/16' }),
      'network.podCIDR',
      /overlaps the control planes' subnet/,
    );
    expectProblem(
      seedWith((s) => {
        s.hosts[3]!.address = '10.254.3.4';
      }),
      'network.serviceCIDR',
      /contains host worker01/,
    );
  });
  it('keeps serviceCIDR at /12 or smaller', () => {
    expectProblem(net({ serviceCIDR: '10.0.0.0/11' }), 'network.serviceCIDR', /at most \/12/);
    expect(problemsOf(net({ serviceCIDR: '10.96.0.0/12' }))).toEqual([]);
  });
  it('needs room for a /24 per node in podCIDR', () => {
    expectProblem(net({ podCIDR: '172.30.0.0/25' }), 'network.podCIDR', /room for 0 node block/);
    expectProblem(net({ podCIDR: '172.30.0.0/22' }), 'network.podCIDR', /room for 4 node block.*5 nodes/);
    expect(problemsOf(net({ podCIDR: '172.30.0.0/21' }))).toEqual([]);
  });
});

describe('kubernetesVersion', () => {
  const v = (version: string) => seedWith((s) => ((s.cluster as Plain).kubernetesVersion = version));
  it('accepts a catalog minor or an exact patch', () => {
    expect(valid(v('1.35')).cluster.kubernetesVersion).toBe('1.35');
    expect(problemsOf(v('1.37.1'))).toEqual([]);
    expect(problemsOf(v('v1.36.2'))).toEqual([]);
  });
  it("explains why the seed's 1.20.12 is refused and what to pick", () => {
    expectProblem(
      v('1.20.12'),
      'cluster.kubernetesVersion',
      /end-of-life.*2022-02-28.*removed.*dockershim.*Supported: 1.35, 1.36, 1.37/,
    );
  });
  it('refuses a recently ended minor and an unknown future one', () => {
    expectProblem(v('1.34'), 'cluster.kubernetesVersion', /1.34 is end-of-life \(since 2026-10-27\)/);
    expectProblem(v('1.40'), 'cluster.kubernetesVersion', /not in the catalog.*--catalog/);
    expectProblem(v('latest'), 'cluster.kubernetesVersion', /not a version/);
  });
  it('refuses a containerd override older than the minor needs', () => {
    expectProblem(
      seedWith((s) => (s.versions = { containerd: '1.7.28' })),
      'versions.containerd',
      /too old for Kubernetes 1.36/,
    );
    expect(problemsOf(seedWith((s) => (s.versions = { containerd: '2.2.7' })))).toEqual([]);
  });
});

describe('operator extras beyond the contract', () => {
  it('accepts per-host SSH overrides, sudo via env var names, and a bastion', () => {
    const a = valid(
      seedWith((s) => {
        s.ssh = {
          user: 'ops',
          passwordEnv: 'K8SHA_SSH_PASSWORD',
          sudoPasswordEnv: 'K8SHA_SUDO_PASSWORD',
          bastion: { address: 'jump.example.com' },
        };
        s.hosts[1]!.ssh = { port: 2222 };
        s.hosts[1]!.interface = 'ens192';
      }),
    );
    expect(a.ssh.bastion).toMatchObject({ address: 'jump.example.com', port: 22 });
    expect(a.hosts[1]!.ssh?.port).toBe(2222);
  });
  it('takes the name of an environment variable, never a secret value', () => {
    expectProblem(
      seedWith((s) => (s.ssh = { passwordEnv: 'hunter2!' })),
      'ssh.passwordEnv',
      /NAME of an environment variable/,
    );
    expectProblem(
      seedWith((s) => (s.ssh = { password: 'hunter2' })),
      'ssh.password',
      /unknown key/,
    );
  });
  it('accepts custom mirror URLs but no shell characters in them', () => {
    expect(
      problemsOf(seedWith((s) => (s.mirrorOverrides = { imageRepository: 'harbor.local:5000/k8s' }))),
    ).toEqual([]);
    expectProblem(
      seedWith(
        (s) => (s.mirrorOverrides = { kubernetes: { deb: { url: 'https://x/$(id)', key: 'https://x/k' } } }),
      ),
      'mirrorOverrides.kubernetes.deb.url',
      /shell characters/,
    );
  });
  it('refuses unicast VRRP without peers', () => {
    expectProblem(
      {
        apiVersion: 'k8sha-wizard/v1',
        cluster: { name: 'x' },
        hosts: hostsOf(1, 0),
        loadBalancer: { vip: '172.16.100.150/24', unicast: true },
      },
      'loadBalancer.unicast',
      /at least two control planes/,
    );
  });
});
