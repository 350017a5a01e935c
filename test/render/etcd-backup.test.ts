// The etcd snapshot timer (system.etcdBackup): control planes only, a calendar systemd accepts, and a
// script that really decodes etcd's snapshot stream, checks its SHA-256, keeps the newest N (0600),
// and refuses a damaged stream. curl and date are stubbed; sed, base64, od, sha256sum are real.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderEtcdBackup } from '../../src/render/etcd-backup.js';
import { problemsOf, seedPlain, valid } from '../helpers/answers.js';

const dir = mkdtempSync(join(tmpdir(), 'k8sha-etcd-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withBackup = (b: unknown) => ({ ...seedPlain(), system: { etcdBackup: b } });

/** etcd's gateway stream: JSON lines with base64 pieces, the SHA-256 of the database last. */
function stream(db: Buffer, damage = false): string {
  const all = Buffer.concat([db, createHash('sha256').update(db).digest()]);
  if (damage) all[10] = all[10]! ^ 1;
  const lines: string[] = [];
  for (let i = 0; i < all.length; i += 3000)
    lines.push(
      JSON.stringify({
        result: { header: { revision: '7' }, blob: all.subarray(i, i + 3000).toString('base64') },
      }),
    );
  return `${lines.join('\n')}\n`;
}

describe('the etcd snapshot timer', () => {
  it('goes to control planes only, and only when asked for', () => {
    const a = valid(withBackup({ keep: 3 }));
    expect(a.system.etcdBackup).toEqual({ schedule: 'daily', keep: 3 });
    for (const h of a.hosts)
      expect(renderEtcdBackup(a, h).length, h.name).toBe(h.role === 'control-plane' ? 3 : 0);
    const none = valid(seedPlain());
    expect(none.hosts.flatMap((h) => renderEtcdBackup(none, h))).toEqual([]);
  });

  it('refuses a schedule that could break out of the unit file, and a silly keep', () => {
    expect(
      problemsOf(withBackup({ schedule: 'daily\nExecStartPre=/bin/evil' })).map((p) => p.path),
    ).toContain('system.etcdBackup.schedule');
    expect(problemsOf(withBackup({ keep: 0 })).map((p) => p.path)).toContain('system.etcdBackup.keep');
  });

  it('has a calendar systemd accepts', () => {
    const a = valid(withBackup({ schedule: '*-*-* 02:30:00' }));
    const timer = renderEtcdBackup(a, a.hosts[0]!).find((f) => f.path.endsWith('.timer'))!;
    expect(timer.content).toContain('OnCalendar=*-*-* 02:30:00');
    const cal = spawnSync('systemd-analyze', ['calendar', '*-*-* 02:30:00'], { encoding: 'utf8' });
    expect(cal.status, cal.stderr).toBe(0);
  });

  it('decodes and checks each snapshot, keeps the newest two, and refuses a damaged one', () => {
    const a = valid(withBackup({ keep: 2 }));
    const script = renderEtcdBackup(a, a.hosts[0]!).find((f) => f.path.endsWith('.sh'))!;
    const bin = join(dir, 'bin');
    const out = join(dir, 'backups');
    mkdirSync(bin, { recursive: true });
    const scriptPath = join(dir, 'k8s-etcd-backup.sh');
    writeFileSync(scriptPath, script.content);
    chmodSync(scriptPath, 0o755);
    expect(spawnSync('sh', ['-n', scriptPath]).status).toBe(0);
    // curl writes the stream given in STREAM to the file after -o; date counts up.
    writeFileSync(
      join(bin, 'curl'),
      '#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ "$1" = -o ]; then cp "$STREAM" "$2"; fi; shift; done\n',
    );
    writeFileSync(
      join(bin, 'date'),
      `#!/bin/sh\nn=$(cat ${dir}/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${dir}/n; echo 2026120${'$'}{n}T000000Z\n`,
    );
    chmodSync(join(bin, 'curl'), 0o755);
    chmodSync(join(bin, 'date'), 0o755);
    const run = (db: Buffer, damage = false) => {
      const f = join(dir, 'stream.json');
      writeFileSync(f, stream(db, damage));
      return spawnSync(scriptPath, [], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, STREAM: f, K8S_ETCD_BACKUP_DIR: out },
      });
    };
    const dbs = [1, 2, 3].map((n) => Buffer.alloc(20_000 + n, n));
    for (const db of dbs) {
      const r = run(db);
      expect(r.status, r.stderr).toBe(0);
    }
    const kept = readdirSync(out)
      .filter((f) => f.endsWith('.db'))
      .sort();
    expect(kept).toEqual(['etcd-20261202T000000Z.db', 'etcd-20261203T000000Z.db']);
    const last = readFileSync(join(out, kept[1]!));
    expect(last.subarray(0, dbs[2]!.length).equals(dbs[2]!)).toBe(true);
    expect(last.length).toBe(dbs[2]!.length + 32);
    expect(statSync(join(out, kept[1]!)).mode & 0o777).toBe(0o600);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(readdirSync(out)).toContain(`${kept[1]}.sha256`);
    const bad = run(Buffer.alloc(20_000, 9), true);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/fails its integrity check/);
    expect(readdirSync(out).filter((f) => f.endsWith('.db'))).toEqual(kept);
  });
});
