// Each answers screen: typing, validation beside the field, Enter forward, Esc back.
import { describe, expect, it, vi } from 'vitest';
import { Addons } from '../../src/screens/Addons.js';
import { Cluster } from '../../src/screens/Cluster.js';
import { Hosts } from '../../src/screens/Hosts.js';
import { LoadBalancer } from '../../src/screens/LoadBalancer.js';
import { Network } from '../../src/screens/Network.js';
import { SshAccess } from '../../src/screens/SshAccess.js';
import { Versions } from '../../src/screens/Versions.js';
import type { Draft } from '../../src/wizard/draft.js';
import { emptyDraft } from '../../src/wizard/draft.js';
import { catalog } from '../helpers/answers.js';
import { KEY, mount } from '../helpers/ink.js';

const SEED_HOSTS: Draft['hosts'] = [
  { name: 'master01', address: '172.16.100.100', role: 'control-plane' },
  { name: 'master02', address: '172.16.100.120', role: 'control-plane' },
  { name: 'master03', address: '172.16.100.160', role: 'control-plane' },
  { name: 'worker01', address: '172.16.100.180', role: 'worker' },
  { name: 'worker02', address: '172.16.100.200', role: 'worker' },
];
const withHosts = (): Draft => ({
  ...emptyDraft(catalog),
  cluster: { name: 'seed-cluster', kubernetesVersion: '1.36' },
  hosts: SEED_HOSTS,
});

describe('Cluster', () => {
  it('validates the name as you type, refuses to continue while invalid, and submits a valid one', async () => {
    const onSubmit = vi.fn();
    const onBack = vi.fn();
    const s = await mount(
      <Cluster
        draft={emptyDraft(catalog)}
        catalog={catalog}
        step="1/12"
        onSubmit={onSubmit}
        onBack={onBack}
      />,
    );
    // An empty field shows an example, worded as one: Enter does not take it as the value.
    expect(s.frame()).toMatch(/Cluster name +e\.g\. seed-cluster/);
    expect(s.frame()).toMatch(/1\.36 \(1\.36\.4\) — supported until 2027-06-28, recommended/);
    await s.press(KEY.enter);
    expect(s.frame()).toMatch(/✗ is required/);
    expect(onSubmit).not.toHaveBeenCalled();
    await s.type('Seed_Cluster');
    await s.waitFor(/RFC 1123/);
    for (let i = 0; i < 12; i++) await s.press(KEY.backspace);
    await s.type('seed-cluster');
    expect(s.frame()).not.toMatch(/✗/);
    await s.press(KEY.down, KEY.right);
    expect(s.frame()).toMatch(/‹ 1\.35 \(1\.35\.9\)/);
    await s.press(KEY.enter);
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ cluster: { name: 'seed-cluster', kubernetesVersion: '1.35' } }),
    );
    await s.press(KEY.esc);
    expect(onBack).toHaveBeenCalled();
    s.unmount();
  });
});

describe('Hosts', () => {
  it('adds, edits and deletes rows, and shows duplicate and quorum problems inline', async () => {
    const onSubmit = vi.fn();
    const base = withHosts();
    const s = await mount(
      <Hosts
        draft={{ ...base, hosts: SEED_HOSTS.slice(0, 3) }}
        catalog={catalog}
        step="2/12"
        onSubmit={onSubmit}
        onBack={() => undefined}
      />,
    );
    expect(s.frame()).toMatch(/3 host\(s\): 3 control plane\(s\)/);
    expect(s.frame()).toMatch(/a add\s+enter edit \/ continue\s+d delete/);
    // A fourth host with master01's address: refused inline.
    await s.press('a');
    await s.waitFor('Add a host');
    await s.type('master04');
    await s.press(KEY.down);
    await s.type('172.16.100.100');
    await s.waitFor(/duplicate address 172\.16\.100\.100/);
    await s.press(KEY.enter);
    expect(s.frame()).toMatch(/Fix the fields marked ✗/);
    for (let i = 0; i < 3; i++) await s.press(KEY.backspace);
    await s.type('181');
    // As a fourth control plane: the table explains etcd quorum.
    await s.press(KEY.down, KEY.right);
    expect(s.frame()).toMatch(/‹ control-plane ›/);
    await s.press(KEY.enter);
    await s.waitFor(/even number/);
    expect(s.frame()).toMatch(/etcd works only while a majority/);
    await s.press(KEY.down, KEY.enter);
    expect(onSubmit, 'cannot continue with an even number of control planes').not.toHaveBeenCalled();
    // Edit the row into a worker: the problem goes away.
    await s.press(KEY.up, KEY.enter);
    await s.waitFor('Edit host master04');
    await s.press(KEY.down, KEY.down, KEY.right, KEY.enter);
    await s.waitFor(/master04\s+172\.16\.100\.181\s+worker/);
    expect(s.frame()).not.toMatch(/✗/);
    // Delete it, then continue.
    await s.press('d');
    expect(s.frame()).not.toMatch(/master04/);
    await s.press(KEY.down, KEY.down, KEY.down, KEY.enter);
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ hosts: SEED_HOSTS.slice(0, 3) }));
    s.unmount();
  });
});

describe('LoadBalancer', () => {
  const mountLoadBalancer = (onSubmit: () => void) =>
    mount(
      <LoadBalancer
        draft={withHosts()}
        catalog={catalog}
        step="3/12"
        onSubmit={onSubmit}
        onBack={() => undefined}
      />,
    );

  it("proposes a free VIP in the control planes' subnet and rejects port 6443 with the reason", async () => {
    const onSubmit = vi.fn();
    const s = await mountLoadBalancer(onSubmit);
    expect(s.frame()).toMatch(/VIP \/ prefix\s+172\.16\.100\.150\/24/);
    await s.press(KEY.down, KEY.down);
    for (let i = 0; i < 4; i++) await s.press(KEY.backspace);
    await s.type('6443');
    await s.waitFor(/held by kube-apiserver/);
    await s.press(KEY.enter);
    expect(onSubmit).not.toHaveBeenCalled();
    for (let i = 0; i < 4; i++) await s.press(KEY.backspace);
    await s.type('8443');
    await s.press(KEY.enter);
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        loadBalancer: expect.objectContaining({
          mode: 'haproxy-keepalived',
          vip: '172.16.100.150/24',
          port: 8443,
          virtualRouterId: 51,
        }),
      }),
    );
    s.unmount();
  });

  it('offers kube-vip with its trade-off: the port follows the mode, and VRRP fields go', async () => {
    const onSubmit = vi.fn();
    const s = await mountLoadBalancer(onSubmit);
    expect(s.frame()).toMatch(/Holds the VIP\s+haproxy \+ keepalived/);
    expect(s.frame()).toMatch(/Virtual router id/);
    await s.press(KEY.down, KEY.right);
    await s.waitFor(/‹ kube-vip ›/);
    expect(s.frame()).toMatch(/the holder’s apiserver takes all API traffic/);
    expect(s.frame()).toMatch(/LB port\s+6443/);
    expect(s.frame()).not.toMatch(/Virtual router id/);
    // Another port is refused in this mode, with the way out.
    await s.press(KEY.down);
    for (let i = 0; i < 4; i++) await s.press(KEY.backspace);
    await s.type('8443');
    await s.waitFor(/must be 6443 with kube-vip[\s\S]*keep haproxy/);
    await s.press(KEY.enter);
    expect(onSubmit).not.toHaveBeenCalled();
    for (let i = 0; i < 4; i++) await s.press(KEY.backspace);
    await s.type('6443');
    await s.press(KEY.enter);
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        loadBalancer: expect.objectContaining({ mode: 'kube-vip', vip: '172.16.100.150/24', port: 6443 }),
      }),
    );
    s.unmount();
  });
});

describe('Network', () => {
  it('shows overlaps as you type, with a range that does not overlap', async () => {
    const draft = { ...withHosts(), loadBalancer: { vip: '172.16.100.150/24' } };
    const onSubmit = vi.fn();
    const s = await mount(
      <Network draft={draft} catalog={catalog} step="4/12" onSubmit={onSubmit} onBack={() => undefined} />,
    );
    // The prefilled value is selected: what is typed replaces it.
    await s.type('172.16.0.0/16');
    await s.waitFor(/overlaps the control planes' subnet[\s\S]*Try 10\.244\.0\.0\/16/);
    // Ctrl-U clears the field; the "u" ink-text-input would insert is not kept.
    await s.press(KEY.ctrlU);
    const podLine = () =>
      s
        .frame()
        .split('\n')
        .find((l) => l.includes('Pod CIDR'))!;
    expect(
      podLine()
        .replace(/.*Pod CIDR/, '')
        .trim(),
    ).toBe('');
    await s.type('172.30.0.0/16');
    await s.press(KEY.down);
    // Backspace on a selected value empties it.
    await s.press(KEY.backspace);
    await s.type('10.254.0.0/16');
    // nftables is the default; IPVS is one choice away, with its warning.
    await s.press(KEY.down, KEY.down);
    expect(s.frame()).toMatch(/‹ nftables \(the default/);
    await s.press(KEY.right);
    expect(s.frame()).toMatch(/‹ ipvs[\s\S]*IPVS is deprecated: kubeadm warns about it from 1\.35/);
    await s.press(KEY.left);
    expect(s.frame()).not.toMatch(/IPVS is deprecated/);
    await s.press(KEY.enter);
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        network: expect.objectContaining({
          podCIDR: '172.30.0.0/16',
          serviceCIDR: '10.254.0.0/16',
          proxyMode: 'nftables',
        }),
      }),
    );
    s.unmount();
  });
});

describe('Versions', () => {
  it('defaults from the catalog and offers custom mirror URLs', async () => {
    const onSubmit = vi.fn();
    const s = await mount(
      <Versions
        draft={withHosts()}
        catalog={catalog}
        step="5/12"
        onSubmit={onSubmit}
        onBack={() => undefined}
      />,
    );
    expect(s.frame()).toMatch(/2\.3\.4 \(catalog\)/);
    expect(s.frame()).toMatch(/v3\.32\.1 \(catalog\)/);
    await s.press(KEY.down, KEY.down, KEY.right);
    expect(s.frame()).toMatch(/aliyun/);
    await s.press(KEY.right);
    await s.waitFor('Image repository');
    await s.press(KEY.down);
    await s.type('harbor.local:5000/k8s');
    await s.press(KEY.enter);
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        mirrorOverrides: expect.objectContaining({ imageRepository: 'harbor.local:5000/k8s' }),
      }),
    );
    s.unmount();
  });
});

describe('SSH access', () => {
  it('checks the key file, masks passwords and keeps them out of the draft', async () => {
    const onSubmit = vi.fn();
    const onSecrets = vi.fn();
    const prev = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    const s = await mount(
      <SshAccess
        draft={withHosts()}
        catalog={catalog}
        step="6/12"
        secrets={{}}
        onSecrets={onSecrets}
        onSubmit={onSubmit}
        onBack={() => undefined}
      />,
    );
    expect(s.frame()).toMatch(/never saved or exported/);
    await s.press(KEY.down, KEY.down);
    await s.type('/nonexistent/key');
    await s.waitFor(/does not exist/);
    for (let i = 0; i < 16; i++) await s.press(KEY.backspace);
    await s.press(KEY.down);
    await s.type('hunter2secret');
    expect(s.frame()).not.toMatch(/hunter2secret/);
    expect(s.frame()).toMatch(/\*{13}/);
    await s.press(KEY.enter);
    expect(onSecrets).toHaveBeenCalledWith({ password: 'hunter2secret' });
    expect(JSON.stringify(onSubmit.mock.calls[0]![0])).not.toMatch(/hunter2secret/);
    if (prev) process.env.SSH_AUTH_SOCK = prev;
    s.unmount();
  });
});

describe('Add-ons', () => {
  it('chooses Kuboard', async () => {
    const onSubmit = vi.fn();
    const s = await mount(
      <Addons
        draft={withHosts()}
        catalog={catalog}
        step="7/12"
        onSubmit={onSubmit}
        onBack={() => undefined}
      />,
    );
    await s.press(KEY.right, KEY.enter);
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ addons: { dashboard: 'kuboard' }, system: { certRenewal: 'timer' } }),
    );
    s.unmount();
  });

  it('offers the certificate-renewal timer, on by default, and turns it off', async () => {
    const onSubmit = vi.fn();
    const s = await mount(
      <Addons
        draft={{ ...withHosts(), system: { firewall: 'leave' } }}
        catalog={catalog}
        step="7/12"
        onSubmit={onSubmit}
        onBack={() => undefined}
      />,
    );
    expect(s.frame()).toMatch(/Certificate renewal\s+monthly timer on each control plane/);
    await s.press(KEY.down, KEY.right, KEY.enter);
    // Other system answers (from a loaded YAML file) are kept.
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        addons: { dashboard: 'none' },
        system: { firewall: 'leave', certRenewal: 'none' },
      }),
    );
    s.unmount();
  });
});

describe('Hosts with many rows', () => {
  it('scrolls a 100-host list within the terminal', async () => {
    const hosts = Array.from({ length: 100 }, (_, i) => ({
      name: `node${String(i).padStart(3, '0')}`,
      address: `10.0.${Math.floor(i / 200)}.${(i % 200) + 10}`,
      role: (i < 3 ? 'control-plane' : 'worker') as 'control-plane' | 'worker',
    }));
    const s = await mount(
      <Hosts
        draft={{ ...withHosts(), hosts }}
        catalog={catalog}
        step="2/12"
        onSubmit={() => undefined}
        onBack={() => undefined}
      />,
    );
    expect(s.frame().split('\n').length).toBeLessThanOrEqual(24);
    expect(s.frame()).toMatch(/↓ \d+ more/);
    for (let i = 0; i < 50; i++) await s.press(KEY.down);
    expect(s.frame()).toMatch(/› node050/);
    expect(s.frame()).toMatch(/↑ \d+ more/);
    expect(s.frame().split('\n').length).toBeLessThanOrEqual(24);
    s.unmount();
  });
});
