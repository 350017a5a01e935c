// The OS matrix: the catalog's `operatingSystems` is what preflight accepts, the README's table says
// the same row for row, the lab simulates every row, and the suite's labs install every row.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import type { NodeFacts } from '../../src/steps/engine/facts.js';
import { parseFacts } from '../../src/steps/engine/facts.js';
import { preflight, supportedOs } from '../../src/steps/engine/preflight.js';
import { assetPath } from '../../src/package-root.js';
import { LAB_OSES, osRelease } from '../lab/os-matrix.js';
import { SEED_LAB, VARIATION_LAB } from '../lab/os-coverage.js';
import { labTopology } from '../lab/topology.js';
import { seedPlain, valid } from '../helpers/answers.js';

const matrix = loadCatalog().operatingSystems!;
const rows = matrix.flatMap((os) => os.versions.map((v) => ({ os, version: v })));

/** Facts as the facts script reports them for a host with this /etc/os-release. */
function factsFor(release: string, i: number): NodeFacts {
  const env = Object.fromEntries(
    release
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [k, ...v] = l.split('=');
        return [k!, v.join('=').replace(/^"|"$/g, '')];
      }),
  );
  return parseFacts(
    [
      `os_id=${env.ID ?? ''}`,
      `os_like=${env.ID_LIKE ?? ''}`,
      `os_version=${env.VERSION_ID ?? ''}`,
      `codename=${env.VERSION_CODENAME ?? ''}`,
      'hostname=h',
      'arch=x86_64',
      'cpus=2',
      'mem_kb=4000000',
      `machine_id=m${i}`,
      `product_uuid=u${i}`,
      `macs=02:00:00:00:00:0${i}`,
      'addr_iface=eth0',
      'swap=0',
      'epoch_ms=1000',
      'cgroup=cgroup2fs',
      'uid=0',
      'firewall=none',
    ].join('\n'),
    1000,
  );
}

describe('the OS matrix', () => {
  it('has ten rows, each simulated by exactly one lab OS whose os-release preflight accepts', () => {
    expect(rows).toHaveLength(10);
    for (const { os, version } of rows) {
      const lab = LAB_OSES.filter(
        (l) => l.id === os.id && (l.versionId === version || l.versionId.startsWith(`${version}.`)),
      );
      expect(lab, `${os.id} ${version}`).toHaveLength(1);
      expect(lab[0]!.family).toBe(os.family);
      expect(lab[0]!.firewall).toBe(os.firewall);
    }
    expect(LAB_OSES).toHaveLength(rows.length);
    const a = valid(seedPlain());
    for (const [i, l] of LAB_OSES.entries()) {
      const f = factsFor(osRelease(l), i);
      expect(f.osFamily, l.key).toBe(l.family);
      if (l.family === 'debian') expect([f.distro, f.codename]).toEqual([l.id, l.codename]);
      expect(supportedOs(f, matrix)?.id, l.key).toBe(l.id);
      const all = Object.fromEntries(
        a.hosts.map((h, j) => [
          h.name,
          { ...f, macs: [`02:00:00:00:01:0${j}`], machineId: `m${j}`, productUuid: `u${j}` },
        ]),
      );
      expect(preflight(a, all, false, matrix), l.key).toEqual([]);
    }
  });

  it('refuses an OS outside the matrix by name, and says what is supported', () => {
    const a = valid(seedPlain());
    const cases: [string, RegExp][] = [
      [
        'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="20.04"\nVERSION_CODENAME=focal\n',
        /unsupported OS "ubuntu 20\.04": this catalog supports Rocky Linux 9, 10; .*Debian 12, 13/,
      ],
      ['ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.10"\n', /unsupported OS "rocky 8\.10"/],
      ['ID=debian\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\n', /unsupported OS "debian 11"/],
      ['ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.10"\n', /unsupported OS "ubuntu 24\.10"/],
      ['ID=alpine\nVERSION_ID=3.22.0\n', /unsupported OS "alpine 3\.22\.0": use a RHEL-family/],
    ];
    for (const [release, message] of cases) {
      const facts = Object.fromEntries(a.hosts.map((h, i) => [h.name, factsFor(release, i)]));
      const problems = preflight(a, facts, false, matrix);
      expect(
        problems.map((p) => p.node),
        release,
      ).toEqual(a.hosts.map((h) => h.name));
      expect(problems[0]!.message, release).toMatch(message);
    }
    // A custom catalog without a matrix: only the family is checked, as before the matrix.
    const old = Object.fromEntries(a.hosts.map((h, i) => [h.name, factsFor(cases[0]![0], i)]));
    expect(preflight(a, old, false, undefined)).toEqual([]);
  });

  it('is the README table, row for row', () => {
    const readme = readFileSync(assetPath('..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Supported hosts'));
    const table = section
      .slice(0, section.indexOf('\n## '))
      .split('\n')
      .filter((l) => /^\|[^|]+\|\s*`[a-z]+`\s*\|/.test(l))
      .map((l) => l.split('|').map((c) => c.trim()));
    expect(table.map((c) => `${c[2]!.replace(/`/g, '')} ${c[3]!.replace(/\.x$/, '')}`)).toEqual(
      rows.map((r) => `${r.os.id} ${r.version}`),
    );
    expect(table.map((c) => c[1])).toEqual(rows.map((r) => `${r.os.name} ${r.version}`));
  });

  it("is installed row by row across the suite's labs (the seed lab and the scale variation)", () => {
    const installed = new Set(
      [SEED_LAB, VARIATION_LAB].flatMap((l) =>
        labTopology(l.masters, l.workers, l.os).hosts.map((h) => h.os),
      ),
    );
    expect([...installed].sort()).toEqual(LAB_OSES.map((o) => o.key).sort());
  });
});
