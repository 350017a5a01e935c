// loadBalancer.mode kube-vip: the answers it accepts and refuses, the static pod manifest on every
// control plane (and nothing of haproxy or keepalived), the super-admin.conf variant for kubeadm init,
// the endpoint on 6443, and the firewall without VRRP or the LB port.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { catalogSchema } from '../../src/catalog/schema.js';
import { renderCluster } from '../../src/render/index.js';
import { KUBE_VIP_MANIFEST_PATH, renderKubeVip } from '../../src/render/kube-vip.js';
import { firewallRules } from '../../src/steps/firewall-ports.js';
import { generateSecrets } from '../../src/secrets/generate.js';
import { catalog, problemsOf, seedWith, valid } from '../helpers/answers.js';

const kubeVip = (edit: (lb: Record<string, unknown>) => void = () => undefined) =>
  seedWith((s) => {
    const lb = s.loadBalancer as Record<string, unknown>;
    delete lb.port;
    lb.mode = 'kube-vip';
    edit(lb);
  });

type Pod = {
  spec: {
    containers: { image: string; args: string[]; env: { name: string; value: string }[] }[];
    volumes: { hostPath: { path: string } }[];
    hostNetwork: boolean;
  };
};
const envOf = (pod: Pod) => Object.fromEntries(pod.spec.containers[0]!.env.map((e) => [e.name, e.value]));

describe('loadBalancer.mode kube-vip', () => {
  it('defaults the port to 6443 (8443 stays the haproxy default) and refuses another one with the way out', () => {
    expect(valid(kubeVip()).loadBalancer).toMatchObject({ mode: 'kube-vip', port: 6443 });
    expect(valid(seedWith(() => undefined)).loadBalancer).toMatchObject({
      mode: 'haproxy-keepalived',
      port: 8443,
    });
    const p = problemsOf(kubeVip((lb) => (lb.port = 8443)));
    expect(p).toEqual([
      expect.objectContaining({
        path: 'loadBalancer.port',
        message: expect.stringMatching(/must be 6443 with kube-vip.*mode: haproxy-keepalived/),
      }),
    ]);
    // haproxy's and keepalived's own settings are refused in this mode, each by name.
    const extras = problemsOf(kubeVip((lb) => Object.assign(lb, { stats: true, unicast: true })));
    expect(extras.map((x) => x.path).sort()).toEqual(['loadBalancer.stats', 'loadBalancer.unicast']);
    // And 6443 is still refused for haproxy, which would collide with the apiserver.
    expect(
      problemsOf(seedWith((s) => ((s.loadBalancer as Record<string, unknown>).port = 6443))).map(
        (x) => x.path,
      ),
    ).toEqual(['loadBalancer.port']);
  });

  it('renders kube-vip.yaml on every control plane instead of haproxy and keepalived, endpoint VIP:6443', async () => {
    const a = valid(kubeVip());
    const r = renderCluster({ answers: a, catalog, secrets: await generateSecrets() });
    for (const h of a.hosts) {
      const paths = r.nodes[h.name]!.map((f) => f.path);
      expect(paths.includes(KUBE_VIP_MANIFEST_PATH), h.name).toBe(h.role === 'control-plane');
      expect(
        paths.some((p) => /haproxy|keepalived/.test(p)),
        h.name,
      ).toBe(false);
    }
    const m01 = r.nodes.master01!.find((f) => f.path === KUBE_VIP_MANIFEST_PATH)!;
    const pod = parse(m01.content) as Pod;
    expect(pod.spec.hostNetwork).toBe(true);
    expect(pod.spec.containers[0]!.image).toBe(`${catalog.kubeVip!.image}:${catalog.kubeVip!.version}`);
    expect(pod.spec.containers[0]!.args).toEqual(['manager']);
    expect(envOf(pod)).toMatchObject({
      address: '172.16.100.150',
      port: '6443',
      vip_arp: 'true',
      cp_enable: 'true',
      vip_leaderelection: 'true',
      vip_leasename: 'plndr-cp-lock',
      // its own apiserver, not the VIP (dell/omnia#4992)
      kubernetes_addr: '172.16.100.100:6443',
    });
    expect(pod.spec.volumes[0]!.hostPath.path).toBe('/etc/kubernetes/admin.conf');
    const kubeadm = r.nodes.master01!.find((f) => f.path === '/etc/kubernetes/kubeadm-config.yaml')!;
    expect(kubeadm.content).toMatch(/controlPlaneEndpoint: 172\.16\.100\.150:6443/);
    expect(r.notes.some((n) => /super-admin\.conf/.test(n))).toBe(true);
  });

  it("mounts super-admin.conf for kubeadm init (1.29+), and takes the registry override's path", () => {
    const a = valid(kubeVip());
    const boot = parse(renderKubeVip(a, catalog, a.hosts[0]!, undefined, { bootstrap: true }).content) as Pod;
    expect(boot.spec.volumes[0]!.hostPath.path).toBe('/etc/kubernetes/super-admin.conf');
    const mirrored = valid(
      seedWith((s) => {
        Object.assign(s.loadBalancer as Record<string, unknown>, { mode: 'kube-vip' });
        delete (s.loadBalancer as Record<string, unknown>).port;
        s.mirrorOverrides = { imageRepository: 'harbor.example.com/k8s' };
      }),
    );
    const pod = parse(renderKubeVip(mirrored, catalog, mirrored.hosts[0]!).content) as Pod;
    expect(pod.spec.containers[0]!.image).toBe(`harbor.example.com/k8s/kube-vip:${catalog.kubeVip!.version}`);
  });

  it('opens neither VRRP nor an LB port on the control planes', () => {
    const a = valid(kubeVip());
    const cp = firewallRules(a, a.hosts[0]!);
    expect(cp.protocols).not.toContain('vrrp');
    expect(cp.ports).not.toContain('8443/tcp');
    expect(cp.ports).toContain('6443/tcp');
    const seed = valid(seedWith(() => undefined));
    expect(firewallRules(seed, seed.hosts[0]!).protocols).toContain('vrrp');
  });

  it('refuses a catalog with a kube-vip release that loses the VIP in a stalled election', () => {
    const bad = catalogSchema.safeParse({ ...catalog, kubeVip: { ...catalog.kubeVip, version: 'v1.0.2' } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/kube-vip#1377/);
  });
});
