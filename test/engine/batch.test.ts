// One round trip for many reads: the output splits back exactly (no trailing newline added or lost),
// each read keeps its exit code, and a batch cut short leaves the rest to run on their own.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batch } from '../../src/steps/engine/batch.js';
import { fileStateRead } from '../../src/steps/engine/file-state.js';

const sh = (script: string) => spawnSync('sh', ['-c', script], { encoding: 'utf8' });

describe('a batch of reads', () => {
  it('gives each command its own stdout and exit code, byte for byte', () => {
    const cmds = [
      'printf "no newline"',
      'printf "two\\nlines\\n"',
      'exit 3',
      'printf ""',
      'echo "x" >&2; echo y',
      'cat /nonexistent-k8sha',
    ];
    const b = batch(cmds);
    const r = sh(b.script);
    const out = b.split(r.stdout, 1);
    expect(out.map((x) => x?.stdout)).toEqual(['no newline', 'two\nlines\n', '', '', 'y\n', '']);
    expect(out.map((x) => x?.code)).toEqual([0, 0, 3, 0, 0, 1]);
  });

  it("keeps commands apart: one cannot read the next one's stdin or end the batch", () => {
    const b = batch(['read x; echo "got:$x"', 'exit 0', 'echo after']);
    const out = b.split(sh(b.script).stdout, 1);
    expect(out.map((x) => x?.stdout)).toEqual(['got:\n', '', 'after\n']);
  });

  it('returns only the reads that finished when the output was cut short', () => {
    const b = batch(['echo one', 'echo two', 'echo three']);
    const full = sh(b.script).stdout;
    const cut = full.slice(0, full.indexOf('two') + 4);
    expect(b.split(cut, 1).map((x) => x?.stdout)).toEqual(['one\n', undefined, undefined]);
  });

  it("joins files' state reads into one, and answers each exactly as its own read would", () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8sha-batch-'));
    try {
      writeFileSync(join(dir, 'a.conf'), 'alpha\n', { mode: 0o644 });
      writeFileSync(join(dir, 'secret.key'), 'key', { mode: 0o600 });
      mkdirSync(join(dir, 'sub.d'));
      writeFileSync(join(dir, 'sub.d', 'b.yaml'), '', { mode: 0o755 });
      chmodSync(join(dir, 'sub.d', 'b.yaml'), 0o755);
      const cmds = [
        'echo before',
        fileStateRead(join(dir, 'a.conf')),
        fileStateRead(join(dir, 'missing.conf')),
        'exit 4',
        fileStateRead(join(dir, 'secret.key')),
        fileStateRead(join(dir, 'sub.d', 'b.yaml')),
        fileStateRead(join(dir, 'with space')), // needs quoting: read on its own
      ];
      writeFileSync(join(dir, 'with space'), 'x');
      const b = batch(cmds);
      expect(b.script.match(/sha256sum/g)).toHaveLength(2); // the joined read, and the quoted path's
      const joined = b.split(sh(b.script).stdout, 1);
      const alone = cmds.map((c) => sh(c));
      expect(joined.map((r) => r?.stdout)).toEqual(alone.map((r) => r.stdout));
      expect(joined.map((r) => r?.code)).toEqual(alone.map((r) => r.status));
      expect(joined[2]).toMatchObject({ code: 1, stdout: '' });
      expect(joined[4]!.stdout).toMatch(/^[0-9a-f]{64} {2}\S+secret\.key\n600\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a single file on its own', () => {
    const b = batch(['echo x', fileStateRead('/etc/hostname')]);
    expect(b.script).toContain(fileStateRead('/etc/hostname'));
  });
});
