// The CLI as users run it: exit codes, messages without stack traces, and nothing written on bad input.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assetPath, packageRoot, packageVersion } from '../../src/package-root.js';
import { seedWith } from '../helpers/answers.js';
import { hasStackTrace, runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'k8sha-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SEED = assetPath('examples/seed-cluster.yaml');
const MINIMAL = assetPath('examples/single-control-plane.yaml');
const KUBE_VIP = assetPath('examples/kube-vip.yaml');

function write(name: string, content: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

describe('--help and --version', () => {
  it('prints the version', () => {
    const r = runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(packageVersion());
  });
  it('prints help listing the commands', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/validate[\s\S]*render[\s\S]*schema/);
  });
  it('refuses a wizard --answers file it cannot open, before any screen: exit 2, file:line, no stack', () => {
    const missing = runCli(['--answers', join(tmp, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml[\s\S]*no such file/);
    const bad = write(
      'bad-wizard.yaml',
      readFileSync(SEED, 'utf8').replace('podCIDR: 172.30.0.0/16', 'podCIDR: 172.30.0.0/99'),
    );
    const r = runCli(['--answers', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-wizard\.yaml is not valid[\s\S]*network\.podCIDR \(25:\d+\)/);
    for (const x of [missing, r]) expect(hasStackTrace(x.stderr)).toBe(false);
    // A good file gets past the file check to the terminal check (this test has no terminal).
    expect(runCli(['--answers', SEED]).stderr).toMatch(/needs a terminal/);
  });

  it('exits 2 on an unknown command or a missing flag', () => {
    expect(runCli(['frobnicate']).code).toBe(2);
    const r = runCli(['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--answers/);
  });
});

describe('validate', () => {
  it('accepts every example with a one-line summary', () => {
    for (const f of [SEED, MINIMAL, KUBE_VIP]) {
      const r = runCli(['validate', '--answers', f]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toMatch(/valid/);
    }
    expect(runCli(['validate', '-a', SEED]).stdout).toMatch(
      /3 control plane\(s\), 2 worker\(s\), endpoint 172\.16\.100\.150:8443/,
    );
    expect(runCli(['validate', '-a', KUBE_VIP]).stdout).toMatch(/endpoint 172\.16\.100\.150:6443/);
  });

  it('prints each problem as path (line:col): message and exits 2', () => {
    const f = write(
      'bad.yaml',
      'apiVersion: k8sha-wizard/v1\ncluster:\n  name: seed\nhosts:\n  - { name: master01, address: 10.0.0.1, role: control-plane }\n  - { name: master01, address: 10.0.0.2, role: control-plane }\n',
    );
    const r = runCli(['validate', '--answers', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\s+hosts\[1\]\.name \(6:\d+\): duplicate host name "master01"/m);
    expect(r.stderr).toMatch(/^\s+hosts \(5:\d+\): 2 control planes is an even number/m);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  const hostile: [string, string | Buffer, RegExp][] = [
    ['missing file', '', /no such file/],
    ['malformed YAML', 'apiVersion: [\n', /YAML syntax/],
    ['wrong types', 'apiVersion: 1\ncluster: yes\nhosts: 3\n', /apiVersion|cluster|hosts/],
    [
      'alias bomb',
      `a: &a [x,x,x,x,x,x,x,x,x]\n${Array.from({ length: 8 }, (_, i) => `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`).join('\n')}\n`,
      /alias|exhaustion/i,
    ],
    ['file over 1 MiB', `# ${'y'.repeat(1024 * 1024 + 10)}\n`, /1 MiB/],
    ['binary garbage', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff]), /NUL|UTF-8/],
    [
      'host name with shell metacharacters',
      stringify(seedWith((s) => (s.hosts[0]!.name = 'm01;touch /tmp/pwned'))),
      /hosts\[0\]\.name .*RFC 1123/,
    ],
  ];
  for (const [name, content, message] of hostile) {
    it(`exits 2 without a stack trace on ${name}`, () => {
      const f =
        name === 'missing file'
          ? join(tmp, 'does-not-exist.yaml')
          : write(`${name.replace(/\W+/g, '-')}.yaml`, content);
      const r = runCli(['validate', '--answers', f]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(hasStackTrace(r.stderr)).toBe(false);
    });
  }

  it('uses a --catalog file and validates it too', () => {
    const broken = write('catalog.yaml', 'catalogVersion: 1\nrecommended: "9.9"\n');
    const r = runCli(['validate', '--answers', SEED, '--catalog', broken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/catalog\.yaml is not valid/);
    const mine = write(
      'catalog2.yaml',
      readFileSync(assetPath('catalog.yaml'), 'utf8').replace("recommended: '1.36'", "recommended: '1.37'"),
    );
    const min = runCli(['validate', '--answers', MINIMAL, '--catalog', mine]);
    expect(min.code, min.stderr).toBe(0);
    expect(min.stdout).toMatch(/Kubernetes 1\.37\.1/);
  });
});

describe('render', () => {
  it('writes DIR/<host>/<path on the node> and DIR/_cluster/, with file modes, and says what it wrote', () => {
    const out = join(tmp, 'rendered');
    const r = runCli(['render', '--answers', SEED, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      '_cluster',
      'master01',
      'master02',
      'master03',
      'worker01',
      'worker02',
    ]);
    expect(existsSync(join(out, 'master01/etc/haproxy/haproxy.cfg'))).toBe(true);
    expect(existsSync(join(out, 'worker01/etc/haproxy/haproxy.cfg'))).toBe(false);
    expect(existsSync(join(out, '_cluster/cni/install-calico.sh'))).toBe(true);
    expect(statSync(join(out, 'master01/etc/kubernetes/kubeadm-config.yaml')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'master01/etc/keepalived/check_apiserver.sh')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(out, 'master01/etc/kubernetes/kubeadm-config.yaml'), 'utf8')).toMatch(
      /controlPlaneEndpoint: 172\.16\.100\.150:8443/,
    );
    expect(r.stdout).toMatch(/wrote .*master01\/etc\/haproxy\/haproxy\.cfg/);
    // 63 before the certificate-renewal timer, plus its script, service and timer on 3 control planes.
    expect(statSync(join(out, 'master02/usr/local/sbin/k8s-certs-renew.sh')).mode & 0o777).toBe(0o755);
    expect(existsSync(join(out, 'worker01/etc/systemd/system/k8s-certs-renew.timer'))).toBe(false);
    expect(r.stdout).toMatch(/72 files for 5 nodes/);
  });

  it('says when it used eth0 because no interface was given', () => {
    const r = runCli(['render', '--answers', MINIMAL, '--out', join(tmp, 'minimal')]);
    expect(r.code).toBe(0);
    const noIface = write(
      'noiface.yaml',
      stringify(seedWith((s) => delete (s.loadBalancer as Record<string, unknown>).interface)),
    );
    const r2 = runCli(['render', '--answers', noIface, '--out', join(tmp, 'noiface')]);
    expect(r2.stdout).toMatch(/keepalived\.conf uses eth0/);
  });

  it('writes nothing when the answers are invalid', () => {
    const out = join(tmp, 'never');
    const bad = write(
      'bad-render.yaml',
      stringify(seedWith((s) => ((s.loadBalancer as Record<string, unknown>).port = 6443))),
    );
    const r = runCli(['render', '--answers', bad, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/loadBalancer\.port/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('schema', () => {
  it('prints the JSON Schema, and the checked-in copy is current', () => {
    const r = runCli(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as {
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'apiVersion',
        'cluster',
        'hosts',
        'ssh',
        'loadBalancer',
        'network',
        'mirror',
        'addons',
      ]),
    );
    expect(schema.required).toEqual(['apiVersion', 'cluster', 'hosts']);
    expect(schema.additionalProperties).toBe(false);
    const copy = readFileSync(assetPath('answers.schema.json'), 'utf8');
    expect(copy, 'assets/answers.schema.json is stale: run `npm run schema:update`').toBe(r.stdout);
  });
});

describe('the wizard and saved answers from the command line', () => {
  it('refuses to start the wizard without a terminal, with a hint, exit 2', () => {
    const r = runCli([], { input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal/);
    expect(r.stderr).toMatch(/apply --answers FILE --yes/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('exports saved answers as YAML that validate accepts, and apply without --answers uses them', () => {
    const config = join(tmp, 'config');
    const env = { K8SHA_CONFIG_DIR: config, K8SHA_STATE_DIR: join(tmp, 'state') };
    const none = runCli(['export'], { env });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no saved answers/);
    // Save the seed as the wizard would (conf, 0600).
    const saver = `import Conf from 'conf'; import { parse } from 'yaml'; import { readFileSync } from 'node:fs';
      new Conf({ projectName: 'k8sha-wizard', projectSuffix: '', configName: 'saved-answers', configFileMode: 0o600, cwd: ${JSON.stringify(config)} })
        .set({ draft: parse(readFileSync(${JSON.stringify(SEED)}, 'utf8')) });`;
    const saved = spawnSync(process.execPath, ['--input-type=module', '-e', saver], {
      cwd: packageRoot(),
      encoding: 'utf8',
    });
    expect(saved.status, saved.stderr).toBe(0);
    const out = join(tmp, 'exported.yaml');
    // A damaged file is bad input with its path and what to do, as everywhere (the wizard reads it the
    // same way before its first screen).
    const file = join(config, 'saved-answers.json');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.slice(0, 40));
    const damaged = runCli(['export', '--out', out], { env });
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toContain(file);
    expect(damaged.stderr).toMatch(/not valid JSON[\s\S]*move the file away/);
    expect(hasStackTrace(damaged.stderr)).toBe(false);
    expect(existsSync(out)).toBe(false);
    writeFileSync(file, good);
    const ex = runCli(['export', '--out', out], { env });
    expect(ex.code, ex.stderr).toBe(0);
    // The schema the installation really has, not a web address that may not exist.
    const schema = /^# yaml-language-server: \$schema=(file:\S+)/.exec(readFileSync(out, 'utf8'))?.[1];
    expect(schema && existsSync(fileURLToPath(schema))).toBe(true);
    expect(runCli(['validate', '--answers', out]).code).toBe(0);
    const plan = runCli(['plan', '--offline'], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/plan for cluster seed-cluster/);
  });
});
