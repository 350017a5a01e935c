// Hostile input drill: every invalid or malicious answers file makes `apply --yes` exit 2 with a
// place (field path or line:col), no stack trace, and no SSH connection to any lab host.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { CLI, hasStackTrace } from '../helpers/cli.js';
import { useLab } from '../lab/fixture.js';
import { wsArgv } from '../lab/lab.js';
import { hostileCases } from './hostile-answers.js';

const { enabled, lab } = useLab('hostile input drill');

function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const [cmd, ...rest] = wsArgv(args);
  return new Promise((resolve) => {
    const c = spawn(cmd!, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

function connectionsLogged(dir: string): number {
  let n = 0;
  for (const h of readdirSync(join(dir, 'hosts')))
    n += (readFileSync(join(dir, 'hosts', h, 'init.log'), 'utf8').match(/Connection from /g) ?? []).length;
  return n;
}

describe.runIf(enabled)('hostile answers files', () => {
  it(
    'refuses at least 500 of them, each with exit 2, a place, no stack trace, and no connection',
    { timeout: 600_000 },
    async () => {
      const s = lab.state;
      const cases = hostileCases();
      expect(cases.length).toBeGreaterThanOrEqual(500);
      const dir = join(s.dir, 'hostile');
      mkdirSync(dir, { recursive: true });
      const before = connectionsLogged(s.dir);
      cases.forEach((c, i) => writeFileSync(join(dir, `${String(i).padStart(3, '0')}.yaml`), c.content));
      // All of them in one process (inside the operator namespace), through the CLI's own main()...
      const bundled = spawnSync(
        process.execPath,
        ['scripts/run-ts.mjs', '--build-only', 'test/drills/hostile-runner.ts'],
        { cwd: packageRoot(), encoding: 'utf8' },
      );
      expect(bundled.status, bundled.stderr).toBe(0);
      const [cmd, ...args] = wsArgv([
        process.execPath,
        join(packageRoot(), '.bench', 'hostile-runner.mjs'),
        dir,
        join(dir, 'state'),
      ]);
      const out = spawnSync(cmd!, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const byFile = new Map(
        out.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { file: string; code: number; stderr: string })
          .map((r) => [r.file, r]),
      );
      const results = cases.map((c, i) => ({ ...c, ...byFile.get(`${String(i).padStart(3, '0')}.yaml`)! }));
      // ...and a sample through the built binary, exactly as an operator runs it.
      const limit = pLimit(4);
      const sample = await Promise.all(
        cases
          .map((c, i) => ({ c, i }))
          .filter((_, i) => i % 25 === 0)
          .map(({ c, i }) =>
            limit(async () => ({
              ...c,
              ...(await run([
                process.execPath,
                CLI,
                'apply',
                '--answers',
                join(dir, `${String(i).padStart(3, '0')}.yaml`),
                '--yes',
                '--state-dir',
                join(dir, 'state'),
              ])),
            })),
          ),
      );
      results.push(...sample.map((r) => ({ ...r, name: `binary: ${r.name}`, file: '' })));
      const bad = results.filter(
        (r) =>
          r.code !== 2 ||
          hasStackTrace(r.stderr) ||
          !/\S \(\d+:\d+\): |^\s+\(document\)|^error: [\w.[\]]+: /m.test(r.stderr),
      );
      expect(bad.map((b) => `${b.name}: exit ${b.code}\n${b.stderr.slice(0, 300)}`)).toEqual([]);
      expect(connectionsLogged(s.dir) - before, 'SSH connections made to lab hosts').toBe(0);
      process.stderr.write(
        `hostile input: ${cases.length} files in-process and ${sample.length} through the binary, all refused with exit 2 and no connection\n`,
      );
    },
  );
});
