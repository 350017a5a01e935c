// haproxy.cfg and keepalived.conf: their content rules, and the real binaries' verdict on the seed
// and on many random valid topologies (1-7 control planes, 0-100 workers, other prefixes and ports).
import { beforeAll, describe, expect, it } from 'vitest';
import { controlPlanes } from '../../src/answers/model.js';
import type { Answers } from '../../src/answers/schema.js';
import { renderCluster } from '../../src/render/index.js';
import { vrrpPlan } from '../../src/render/keepalived.js';
import type { RenderResult, Secrets } from '../../src/render/types.js';
import { generateSecrets } from '../../src/secrets/generate.js';
import { catalog, seedPlain, seedWith, valid } from '../helpers/answers.js';
import { binaryVersion, haproxyCheck, keepalivedCheck, requireBinary } from '../helpers/binaries.js';
import { privilegedOrSkip } from '../helpers/root.js';
import { randomTopology } from '../helpers/topology.js';

let secrets: Secrets;
beforeAll(async () => {
  secrets = await generateSecrets();
});

function content(r: RenderResult, host: string, path: string): string {
  const f = r.nodes[host]?.find((x) => x.path === path);
  if (!f) throw new Error(`${host}: no ${path}`);
  return f.content;
}

describe('haproxy.cfg', () => {
  it('fronts every apiserver with HTTPS /healthz checks on the LB port, without seed mistakes', () => {
    const r = renderCluster({ answers: valid(seedPlain()), catalog, secrets });
    const cfg = content(r, 'master02', '/etc/haproxy/haproxy.cfg');
    expect(cfg).toMatch(/^\s+bind \*:8443$/m);
    expect(cfg).toMatch(
      /http-check connect ssl\n\s+http-check send meth GET uri \/healthz\n\s+http-check expect status 200/,
    );
    expect(cfg.match(/^\s+server \S+ \S+:6443 check verify none$/gm)).toHaveLength(3);
    expect(cfg).not.toMatch(/^\s*nbproc|^\s*stats|admin:admin/m);
  });

  it('offers stats only on localhost with the generated password', () => {
    const r = renderCluster({
      answers: valid(seedWith((s) => ((s.loadBalancer as Record<string, unknown>).stats = true))),
      catalog,
      secrets,
    });
    const cfg = content(r, 'master01', '/etc/haproxy/haproxy.cfg');
    expect(cfg).toMatch(/bind 127\.0\.0\.1:8404/);
    expect(cfg).toContain(`stats auth k8sha:${secrets.haproxyStatsPassword}`);
    expect(r.nodes.master01!.find((f) => f.path === '/etc/haproxy/haproxy.cfg')).toMatchObject({
      mode: 0o600,
      secret: true,
    });
  });
});

describe('keepalived.conf', () => {
  it('gives distinct priorities, one MASTER, a generated 8-character auth_pass and script security', () => {
    const r = renderCluster({ answers: valid(seedPlain()), catalog, secrets });
    const confs = ['master01', 'master02', 'master03'].map((h) =>
      content(r, h, '/etc/keepalived/keepalived.conf'),
    );
    const prios = confs.map((c) => Number(/priority (\d+)/.exec(c)![1]));
    expect(new Set(prios).size).toBe(3);
    expect(confs.filter((c) => /state MASTER/.test(c))).toHaveLength(1);
    for (const c of confs) {
      expect(c).toMatch(/enable_script_security/);
      expect(c).toMatch(/auth_pass [A-Za-z0-9]{8}\n/);
      expect(c).toContain(`auth_pass ${secrets.vrrpPassword}`);
      expect(c).toMatch(/virtual_router_id 51/);
      expect(c).toMatch(/172\.16\.100\.150\/24 dev eth0/);
    }
    expect(secrets.vrrpPassword).not.toBe('123456');
  });

  it('makes any failed check drop its node below every healthy one, for 1 to 7 control planes', () => {
    for (const n of [1, 3, 5, 7]) {
      const hosts = Array.from({ length: n }, (_, i) => ({
        name: `m${i}`,
        address: `10.1.0.${i + 10}`,
        role: 'control-plane',
      }));
      const a: Answers = valid({
        apiVersion: 'k8sha-wizard/v1',
        cluster: { name: 'x' },
        hosts,
        loadBalancer: { vip: '10.1.0.5/24' },
      });
      const plans = controlPlanes(a).map((h) => vrrpPlan(a, h));
      for (const failed of plans) {
        for (const healthy of plans.filter((p) => p !== failed)) {
          expect(failed.priority + failed.weight).toBeLessThan(healthy.priority);
        }
      }
      for (const p of plans) expect(p.priority + p.weight).toBeGreaterThanOrEqual(1);
    }
  });

  it('writes unicast peers when asked', () => {
    const r = renderCluster({
      answers: valid(seedWith((s) => ((s.loadBalancer as Record<string, unknown>).unicast = true))),
      catalog,
      secrets,
    });
    const c = content(r, 'master02', '/etc/keepalived/keepalived.conf');
    expect(c).toMatch(
      /unicast_src_ip 172\.16\.100\.120\n\s+unicast_peer \{\n\s+172\.16\.100\.100\n\s+172\.16\.100\.160\n\s+\}/,
    );
  });

  it('tracks two checks: FAULT when the local haproxy is down, a priority drop when no apiserver answers', () => {
    const r = renderCluster({ answers: valid(seedPlain()), catalog, secrets });
    const c = content(r, 'master01', '/etc/keepalived/keepalived.conf');
    expect(c).toMatch(
      /vrrp_script check_haproxy \{\n\s+script "\/etc\/keepalived\/check_apiserver\.sh lb"\n(?:(?!weight)[^}])*\}/,
    );
    expect(c).toMatch(
      /vrrp_script check_apiserver \{\n\s+script "\/etc\/keepalived\/check_apiserver\.sh"\n[^}]*weight -4\n\}/,
    );
    expect(c).toMatch(/track_script \{\n\s+check_haproxy\n\s+check_apiserver\n\s+\}/);
    const s = content(r, 'master01', '/etc/keepalived/check_apiserver.sh');
    expect(s.startsWith('#!/bin/sh\n')).toBe(true);
    expect(s).not.toMatch(/^[^#]*(pkill|killall|\/dev\/tcp)/m);
  });
});

describe('the real haproxy and keepalived accept what we render', () => {
  it('has both binaries installed', () => {
    requireBinary('haproxy');
    requireBinary('keepalived');
    process.stderr.write(`using ${binaryVersion('haproxy')}; ${binaryVersion('keepalived')}\n`);
  });

  it("rejects the seed's own haproxy.cfg (so the check can fail)", () => {
    const seedCfg =
      'global\n  nbproc 1\n  user sword\n  group sword\n  daemon\ndefaults\n  mode tcp\n  timeout client 10s\n  timeout server 3s\n  timeout connect 1s\nfrontend master\n  bind 0.0.0.0:8443\n  default_backend api\nbackend api\n  server m1 172.16.100.100:6443 check\n';
    const r = haproxyCheck(seedCfg);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/nbproc/);
  });

  it('passes haproxy -c for the seed', () => {
    const r = renderCluster({ answers: valid(seedPlain()), catalog, secrets });
    for (const h of ['master01', 'master02', 'master03']) {
      const res = haproxyCheck(content(r, h, '/etc/haproxy/haproxy.cfg'));
      expect(res.ok, res.output).toBe(true);
    }
  });

  it('passes keepalived --config-test for the seed, and fails without the check script', () => {
    if (!privilegedOrSkip('keepalived --config-test (needs namespaces)')) return;
    const r = renderCluster({ answers: valid(seedPlain()), catalog, secrets });
    for (const h of ['master01', 'master02', 'master03']) {
      const res = keepalivedCheck(
        content(r, h, '/etc/keepalived/keepalived.conf'),
        content(r, h, '/etc/keepalived/check_apiserver.sh'),
        ['eth0'],
      );
      expect(res.ok, res.output).toBe(true);
    }
    const missing = keepalivedCheck(content(r, 'master01', '/etc/keepalived/keepalived.conf'), undefined, [
      'eth0',
    ]);
    expect(missing.ok).toBe(false);
    const noIface = keepalivedCheck(
      content(r, 'master01', '/etc/keepalived/keepalived.conf'),
      content(r, 'master01', '/etc/keepalived/check_apiserver.sh'),
      ['ens9'],
    );
    expect(noIface.ok).toBe(false);
  });

  const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + i * 7919);
  it(`passes both checks on ${SEEDS.length} random valid topologies`, () => {
    const privileged = privilegedOrSkip('keepalived --config-test on random topologies');
    let haproxyRuns = 0;
    let keepalivedRuns = 0;
    for (const seed of SEEDS) {
      const t = randomTopology(seed);
      const answers = valid(t.answers);
      const r = renderCluster({ answers, catalog, secrets });
      const cps = controlPlanes(answers);
      // haproxy.cfg is the same file on every control plane: one check per topology. keepalived.conf
      // differs only in state and priority: the first (MASTER) and the last (lowest BACKUP) are checked.
      const cfg = content(r, cps[0]!.name, '/etc/haproxy/haproxy.cfg');
      for (const h of cps) expect(content(r, h.name, '/etc/haproxy/haproxy.cfg'), h.name).toBe(cfg);
      const hp = haproxyCheck(cfg);
      expect(hp.ok, `seed ${seed}: ${hp.output}`).toBe(true);
      haproxyRuns++;
      for (const h of new Set([cps[0]!, cps[cps.length - 1]!])) {
        if (!privileged) continue;
        const conf = content(r, h.name, '/etc/keepalived/keepalived.conf');
        const iface = /^\s+interface (\S+)$/m.exec(conf)![1]!;
        const ka = keepalivedCheck(conf, content(r, h.name, '/etc/keepalived/check_apiserver.sh'), [iface]);
        expect(ka.ok, `seed ${seed} ${h.name}: ${ka.output}`).toBe(true);
        keepalivedRuns++;
      }
    }
    expect(haproxyRuns).toBe(SEEDS.length);
    if (privileged) expect(keepalivedRuns).toBeGreaterThan(SEEDS.length);
  });
});
