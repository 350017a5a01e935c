// `sudo npm run demo`, the README's way to try the tool without hosts: the lab comes up, the wizard
// opens inside it on the Review screen with the lab's answers, and the lab goes when the wizard exits.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { requireBinary } from '../helpers/binaries.js';
import { privilegedOrSkip } from '../helpers/root.js';
import { labDown, readLabState } from './lab.js';
import { Tmux } from './tmux.js';
import { LAB_PREFIX } from './topology.js';

const enabled = privilegedOrSkip('demo test');

describe.runIf(enabled)('npm run demo', () => {
  it('opens the wizard on the Review screen inside a fresh lab, and takes the lab down after', async () => {
    requireBinary('tmux');
    const runTs = join(packageRoot(), 'scripts', 'run-ts.mjs');
    // What `npm run demo` runs after its build (npm test has built dist/ already).
    const t = Tmux.start(
      'k8sha-demo',
      `cd ${packageRoot()} && ${process.execPath} ${runTs} test/lab/cli.ts demo; echo "demo exited $?"; sleep 60`,
      100,
      30,
    );
    try {
      const review = await t.waitFor('the answers are valid', 90_000);
      expect(review).toMatch(/Review/);
      expect(review).toMatch(/seed-cluster/);
      expect(readLabState(), 'the lab is up while the wizard runs').toBeDefined();
      await t.press('C-c');
      const end = await t.waitFor(/demo exited \d+/, 60_000);
      expect(end).toMatch(/Lab down: \d+ namespace\(s\) removed/);
      expect(end).toMatch(/demo exited 130/);
      expect(readLabState(), 'the lab is gone after the wizard').toBeUndefined();
      expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(LAB_PREFIX);
    } finally {
      t.kill();
      await labDown();
    }
  }, 180_000);
});
