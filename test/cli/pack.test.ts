// The package as users get it: `npm pack`, install the tarball, run the bin with its bundled assets.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot, packageVersion } from '../../src/package-root.js';

const tmp = mkdtempSync(join(tmpdir(), 'k8sha-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm pack', () => {
  it('installs from the tarball and runs `k8sha-wizard` with its assets', { timeout: 300_000 }, () => {
    // --ignore-scripts: dist/ is already built by `npm test`; prepack would rebuild it.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], {
      cwd: packageRoot(),
      stdio: 'pipe',
    });
    const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const listing = execFileSync('tar', ['-tzf', join(tmp, tarball!)], { encoding: 'utf8' });
    for (const f of [
      'package/dist/cli.js',
      'package/assets/catalog.yaml',
      'package/assets/answers.schema.json',
      'package/assets/examples/seed-cluster.yaml',
    ]) {
      expect(listing).toContain(f);
    }
    expect(listing).not.toMatch(/package\/(src|test)\//);

    const prefix = join(tmp, 'install');
    execFileSync(
      'npm',
      ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', join(tmp, tarball!)],
      {
        stdio: 'pipe',
        timeout: 240_000,
      },
    );
    const bin = join(prefix, 'node_modules', '.bin', 'k8sha-wizard');
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(packageVersion());
    // `npx k8sha-wizard` resolves the installed bin the same way.
    const npx = spawnSync('npx', ['--no-install', 'k8sha-wizard', '--version'], {
      cwd: prefix,
      encoding: 'utf8',
    });
    expect(npx.status, npx.stderr).toBe(0);
    expect(npx.stdout.trim()).toBe(packageVersion());
    const example = join(prefix, 'node_modules', 'k8sha-wizard', 'assets', 'examples', 'seed-cluster.yaml');
    const validate = spawnSync(bin, ['validate', '--answers', example], { encoding: 'utf8' });
    expect(validate.status, validate.stderr).toBe(0);
    const render = spawnSync(bin, ['render', '--answers', example, '--out', join(tmp, 'out')], {
      encoding: 'utf8',
    });
    expect(render.status, render.stderr).toBe(0);
  });
});
