// The cluster-level scripts run for real (sh, awk, sed) with curl and kubectl replaced by stubs that
// serve a Calico fixture and record what would be applied.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCalicoInstall } from '../../src/render/calico.js';
import { dashboardAccess, renderDashboardInstall } from '../../src/render/dashboard.js';
import { catalog, seedPlain, seedWith, valid } from '../helpers/answers.js';

let dir = '';
const fixture = join(import.meta.dirname, '..', 'fixtures', 'calico-excerpt.yaml');

function stubs(work: string, manifest: string): string {
  const bin = join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  // curl: write the fixture to the -o target and log the URL.
  writeFileSync(
    join(bin, 'curl'),
    `#!/bin/sh\nout=''\nwhile [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift;; http*) echo "$1" >> '${work}/curl.log';; esac; shift; done\ncp '${manifest}' "$out"\n`,
  );
  writeFileSync(
    join(bin, 'kubectl'),
    `#!/bin/sh\necho "kubectl $*" >> '${work}/kubectl.log'\nfor a in "$@"; do [ -f "$a" ] && cp "$a" '${work}/applied.yaml'; done; exit 0\n`,
  );
  chmodSync(join(bin, 'curl'), 0o755);
  chmodSync(join(bin, 'kubectl'), 0o755);
  return bin;
}

function runScript(script: string, manifest = fixture): { code: number | null; stderr: string } {
  const bin = stubs(dir, manifest);
  // The script writes under /var/lib/k8sha-wizard; point it at the temp dir instead.
  const local = script.replace(/\/var\/lib\/k8sha-wizard/g, join(dir, 'var'));
  const r = spawnSync('sh', ['-c', local], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  return { code: r.status, stderr: r.stderr };
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
function fresh(): void {
  dir = mkdtempSync(join(tmpdir(), 'k8sha-scripts-'));
}

describe('install-calico.sh', () => {
  it('downloads the pinned manifest, sets CALICO_IPV4POOL_CIDR to podCIDR and applies it', () => {
    fresh();
    const f = renderCalicoInstall(valid(seedPlain()), catalog);
    const r = runScript(f.content);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'curl.log'), 'utf8').trim()).toBe(
      'https://raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/calico.yaml',
    );
    const applied = readFileSync(join(dir, 'applied.yaml'), 'utf8');
    const env = (
      parse(applied.replace(/^#.*$/gm, '')) as {
        spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
      }
    ).spec.template.spec.containers[0]!.env;
    expect(env).toContainEqual({ name: 'CALICO_IPV4POOL_CIDR', value: '172.30.0.0/16' });
    expect(env).toContainEqual({ name: 'IP_AUTODETECTION_METHOD', value: 'kubernetes-internal-ip' });
    expect(applied).not.toMatch(/192\.168\.0\.0\/16/);
    expect(readFileSync(join(dir, 'kubectl.log'), 'utf8')).toMatch(/^kubectl apply -f .*calico\.yaml$/m);
  });

  it('fails loudly (exit 3) when the manifest has no CIDR block to patch', () => {
    fresh();
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, readFileSync(fixture, 'utf8').replace(/CALICO_IPV4POOL_CIDR/g, 'SOMETHING_ELSE'));
    const r = runScript(renderCalicoInstall(valid(seedPlain()), catalog).content, broken);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/manifest layout changed/);
  });

  it('switches to the Typha manifest above 50 nodes', () => {
    const big = valid(
      seedWith((s) => {
        for (let i = 0; i < 50; i++)
          s.hosts.push({ name: `w${i}`, address: `172.16.101.${i + 1}`, role: 'worker' });
      }),
    );
    expect(renderCalicoInstall(big, catalog).content).toMatch(/manifests\/calico-typha\.yaml/);
  });
});

describe('the dashboard addon', () => {
  it('renders nothing when the answer is none', () => {
    expect(
      renderDashboardInstall(valid(seedWith((s) => (s.addons = { dashboard: 'none' }))), catalog),
    ).toBeUndefined();
  });

  it('installs Kuboard with a ServiceAccount for short-lived tokens, and says how to log in', () => {
    fresh();
    const a = valid(seedPlain());
    const f = renderDashboardInstall(a, catalog)!;
    const r = runScript(f.content);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'kubectl.log'), 'utf8')).toMatch(
      /kubectl apply -f https:\/\/addons\.kuboard\.cn\/kuboard\/kuboard-v3\.yaml/,
    );
    expect(f.content).toMatch(/kind: ServiceAccount\nmetadata:\n {2}name: kuboard-admin/);
    const access = dashboardAccess(a, catalog)!;
    expect(access.url).toBe('http://172.16.100.180:30080');
    expect(access.tokenCommand).toBe('kubectl -n kuboard create token kuboard-admin --duration=1h');
  });
});
