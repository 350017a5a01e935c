// One round trip for many reads: the output splits back exactly (no trailing newline added or lost),
// each read keeps its exit code, and a batch cut short leaves the rest to run on their own.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { batch } from '../../src/steps/engine/batch.js';

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
    expect(out.map((x) => x.stdout)).toEqual(['no newline', 'two\nlines\n', '', '', 'y\n', '']);
    expect(out.map((x) => x.code)).toEqual([0, 0, 3, 0, 0, 1]);
  });

  it("keeps commands apart: one cannot read the next one's stdin or end the batch", () => {
    const b = batch(['read x; echo "got:$x"', 'exit 0', 'echo after']);
    const out = b.split(sh(b.script).stdout, 1);
    expect(out.map((x) => x.stdout)).toEqual(['got:\n', '', 'after\n']);
  });

  it('returns only the reads that finished when the output was cut short', () => {
    const b = batch(['echo one', 'echo two', 'echo three']);
    const full = sh(b.script).stdout;
    const cut = full.slice(0, full.indexOf('two') + 4);
    expect(b.split(cut, 1).map((x) => x.stdout)).toEqual(['one\n']);
  });
});
