// The layering is enforced, not hoped for: ESLint refuses a renderer that imports a step (or Ink), a
// step that imports a screen, and the model layers importing anything above them.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';

const root = packageRoot();
const probes: string[] = [];
afterAll(() => {
  for (const p of probes) rmSync(p, { force: true });
});

async function lint(rel: string, code: string): Promise<string[]> {
  const file = join(root, rel);
  probes.push(file);
  writeFileSync(file, code);
  const [result] = await new ESLint({ cwd: root }).lintFiles([file]);
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layering', () => {
  it('refuses a render file that imports from src/steps/', async () => {
    const msgs = await lint(
      'src/render/zz-layering-probe.ts',
      "import { quote } from '../steps/transport/shell.js';\nexport const x = quote('a');\n",
    );
    expect(msgs.join('\n')).toMatch(/render is pure: it never imports steps/);
  }, 60_000);

  it('refuses a step that imports a screen or Ink', async () => {
    const msgs = await lint(
      'src/steps/zz-layering-probe.ts',
      "import { Box } from 'ink';\nimport { Start } from '../screens/Start.js';\nexport const x = [Box, Start];\n",
    );
    expect(msgs.join('\n')).toMatch(/steps never import screens/);
    expect(msgs.join('\n')).toMatch(/steps never import Ink/);
  }, 60_000);

  it('lets a step import a renderer (the direction data flows)', async () => {
    const msgs = await lint(
      'src/steps/zz-layering-probe-ok.ts',
      "import { certSANs } from '../render/kubeadm.js';\nexport const x = certSANs;\n",
    );
    expect(msgs).toEqual([]);
  }, 60_000);
});
