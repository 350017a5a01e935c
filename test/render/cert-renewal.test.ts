// The certificate-renewal timer: rendered on control planes only, staggered, and accepted by the real
// systemd-analyze (calendar and unit files) and /bin/sh; none renders nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCertRenewal, renewalCalendar } from '../../src/render/cert-renewal.js';
import { renderCluster } from '../../src/render/index.js';
import { catalog, hostsOf, seedPlain, seedWith, valid } from '../helpers/answers.js';
import { generateSecrets } from '../../src/secrets/generate.js';

const dir = mkdtempSync(join(tmpdir(), 'k8sha-cert-renewal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the certificate-renewal timer', () => {
  it('goes to every control plane and no worker, 20 minutes apart from 03:00', async () => {
    const a = valid(seedPlain());
    const r = renderCluster({ answers: a, catalog, secrets: await generateSecrets() });
    for (const h of a.hosts) {
      const paths = r.nodes[h.name]!.map((f) => f.path);
      const expected = h.role === 'control-plane';
      expect(paths.includes('/etc/systemd/system/k8s-certs-renew.timer'), h.name).toBe(expected);
      expect(paths.includes('/usr/local/sbin/k8s-certs-renew.sh'), h.name).toBe(expected);
    }
    const seven = valid({ ...seedPlain(), hosts: hostsOf(7, 1) });
    expect(
      seven.hosts.filter((h) => h.role === 'control-plane').map((h) => renewalCalendar(seven, h)),
    ).toEqual([
      'Mon *-*-1..7 03:00:00',
      'Mon *-*-1..7 03:20:00',
      'Mon *-*-1..7 03:40:00',
      'Mon *-*-1..7 04:00:00',
      'Mon *-*-1..7 04:20:00',
      'Mon *-*-1..7 04:40:00',
      'Mon *-*-1..7 05:00:00',
    ]);
  });

  it('passes systemd-analyze (calendar and units) and sh -n', () => {
    const a = valid(seedPlain());
    const files = renderCertRenewal(a, a.hosts[1]!);
    const script = files.find((f) => f.path.endsWith('.sh'))!;
    const scriptPath = join(dir, basename(script.path));
    writeFileSync(scriptPath, script.content);
    chmodSync(scriptPath, script.mode);
    execFileSync('sh', ['-n', scriptPath]);
    const units: string[] = [];
    for (const f of files.filter((x) => !x.path.endsWith('.sh'))) {
      const p = join(dir, basename(f.path));
      // ExecStart must name an executable that exists here; everything else is verified as rendered.
      writeFileSync(p, f.content.replace(script.path, scriptPath));
      units.push(p);
    }
    const verify = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
    expect(`${verify.stdout}${verify.stderr}`).toBe('');
    expect(verify.status).toBe(0);
    const cal = spawnSync('systemd-analyze', ['calendar', renewalCalendar(a, a.hosts[1]!)], {
      encoding: 'utf8',
    });
    expect(cal.status).toBe(0);
    expect(cal.stdout).toMatch(/Next elapse: Mon \d{4}-\d{2}-0[1-7] 03:20:00/);
    // A broken calendar is caught the same way, so the check above can fail.
    const bad = join(dir, 'bad.timer');
    writeFileSync(bad, files.find((f) => f.path.endsWith('.timer'))!.content.replace('03:20:00', '03:80:00'));
    writeFileSync(join(dir, 'bad.service'), '[Service]\nType=oneshot\nExecStart=/bin/true\n');
    expect(spawnSync('systemd-analyze', ['verify', bad], { encoding: 'utf8' }).status).not.toBe(0);
  });

  it('is left out with system.certRenewal: none', () => {
    const a = valid(seedWith((s) => (s.system = { certRenewal: 'none' })));
    expect(a.hosts.flatMap((h) => renderCertRenewal(a, h))).toEqual([]);
  });
});
