// Secrets drill: a full install as the non-root user with a password from an environment variable
// (sudo on the hosts; an unset variable is bad input), a rerun, an export; then every
// file the tool wrote on the operator side, and the process list sampled during the run, hold no
// secret outside the 0600 secrets file. The same run carries hostile-but-valid strings (key URLs
// with shell characters), which must reach the hosts quoted: no stray file appears on any host.
import { labOs } from '../lab/os-matrix.js';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import type { Secrets } from '../../src/render/types.js';
import { secretValues } from '../../src/secrets/generate.js';
import { CLI } from '../helpers/cli.js';
import { useLab } from '../lab/fixture.js';
import { apply, filesUnder, kubectlNodes, workspace } from '../lab/install.js';
import { labExec } from '../lab/lab.js';

const { enabled, lab } = useLab('secrets and quoting drill');

// Names a mis-quoted URL would create: the pieces of the hostile string, or glob expansions of it.
const STRAY =
  "find / /root /tmp /etc /home/ops -maxdepth 1 \\( -name '*pwned*' -o -name '*(*' -o -name '*)*' -o -name '*[*' -o -name '*{*' -o -name '*!*' -o -name '~*' \\) 2>/dev/null";

describe.runIf(enabled)('secrets and quoting', () => {
  it(
    'keeps every secret out of files, output and the process list, and quotes hostile strings',
    { timeout: 300_000 },
    async () => {
      const s = lab.state;
      const password = readFileSync(s.opsPasswordPath, 'utf8').trim();
      // The URL rules refuse quotes, $, ;, |, &, <, >, spaces, ( ) * [ ] and unknown {placeholders}; what
      // they allow still means something to a shell (? is a glob, ! history, # a comment, ~ home).
      const hostile = 'https://download.docker.com/linux/ubuntu/gpg?pwned=~x!y#z@w,v%41';
      const ws = workspace(s, 'secrets', (a) => {
        a.ssh = { user: 'ops', port: 22, passwordEnv: 'K8SHA_DRILL_PASSWORD' };
        a.mirror = 'official';
        a.mirrorOverrides = {
          dockerCe: { deb: { url: 'https://download.docker.com/linux/{distro}', key: hostile } },
        };
      });
      // Sample every process's arguments on the whole machine (lab hosts included) during the run.
      const sampler = spawn('sh', ['-c', 'while :; do ps -eo args; echo "--sample--"; sleep 0.1; done'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let psOut = '';
      sampler.stdout.on('data', (d: Buffer) => (psOut += d.toString()));
      const unset = await apply(ws);
      expect(unset.code, 'an unset password variable is bad input').toBe(2);
      expect(unset.stderr).toMatch(/K8SHA_DRILL_PASSWORD.*not set/);
      const first = await apply(ws, { env: { K8SHA_DRILL_PASSWORD: password } });
      const rerun = await apply(ws, { env: { K8SHA_DRILL_PASSWORD: password } });
      sampler.kill();
      expect(first.code, first.stdout.slice(-1500)).toBe(0);
      expect(rerun.code).toBe(0);
      expect(kubectlNodes(s, ws).filter((n) => n.ready)).toHaveLength(5);
      // The login user gets its own kubeconfig on the control planes.
      expect(
        labExec(
          s,
          'master02',
          'test -f /home/ops/.kube/config && stat -c %U /home/ops/.kube/config',
        ).stdout.trim(),
      ).toBe('ops');

      // Export through the wizard's saved answers.
      const config = join(ws.stateDir, '..', 'config');
      const save = `import Conf from 'conf'; import { parse } from 'yaml'; import { readFileSync } from 'node:fs';
      new Conf({ projectName: 'k8sha-wizard', projectSuffix: '', configName: 'saved-answers', configFileMode: 0o600, cwd: ${JSON.stringify(config)} }).set({ draft: parse(readFileSync(${JSON.stringify(ws.answers)}, 'utf8')) });`;
      expect(
        spawnSync(process.execPath, ['--input-type=module', '-e', save], { cwd: packageRoot() }).status,
      ).toBe(0);
      const exported = join(ws.stateDir, '..', 'exported.yaml');
      expect(
        spawnSync(process.execPath, [CLI, 'export', '--out', exported], {
          env: { ...process.env, K8SHA_CONFIG_DIR: config },
        }).status,
      ).toBe(0);

      const clusterDir = join(ws.stateDir, 'clusters', 'seed-cluster');
      const secrets = JSON.parse(readFileSync(join(clusterDir, 'secrets.json'), 'utf8')) as Secrets;
      expect(statSync(join(clusterDir, 'secrets.json')).mode & 0o777).toBe(0o600);
      const values = [...secretValues(secrets), password];
      const written = [
        ...filesUnder(ws.stateDir),
        ...filesUnder(ws.kubeconfigDir),
        ...filesUnder(config),
        exported,
        ws.answers,
      ].filter((f) => !f.endsWith('/secrets.json'));
      expect(written.length).toBeGreaterThan(8);
      const leaks: string[] = [];
      for (const f of written) {
        const text = readFileSync(f, 'latin1');
        values.forEach((v, i) => text.includes(v) && leaks.push(`${f} holds secret #${i}`));
      }
      values.forEach(
        (v, i) =>
          (first.stdout + first.stderr + rerun.stdout).includes(v) && leaks.push(`output holds secret #${i}`),
      );
      const samples = psOut.split('--sample--').length;
      values.forEach((v, i) => psOut.includes(v) && leaks.push(`process list holds secret #${i}`));
      expect(leaks).toEqual([]);
      expect(samples).toBeGreaterThan(20);

      // The hostile URL reached the apt hosts quoted: the key was fetched, and nothing else appeared.
      for (const h of s.hosts) {
        expect(labExec(s, h.name, STRAY).stdout, `${h.name} got unexpected files`).toBe('');
        if (labOs(h.os).family === 'debian')
          expect(labExec(s, h.name, 'grep -c "BEGIN PGP" /etc/apt/keyrings/docker.asc').stdout.trim()).toBe(
            '1',
          );
      }
      writeFileSync(join(ws.stateDir, '..', 'ps-samples.txt'), `${samples} samples`);
      process.stderr.write(
        `secrets drill: ${written.length} files scanned, ${samples} process-list samples, no leak\n`,
      );
    },
  );
});
