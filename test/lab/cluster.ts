// Test helpers that use the real renderers against the lab: the seed configs for the lab's hosts.
import { readFileSync } from 'node:fs';
import { parseAnswersText } from '../../src/answers/load.js';
import type { Answers } from '../../src/answers/schema.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { renderCluster } from '../../src/render/index.js';
import type { RenderResult, Secrets } from '../../src/render/types.js';
import { generateSecrets } from '../../src/secrets/generate.js';
import type { LabState } from './lab.js';
import { labOs } from './os-matrix.js';

export async function renderForLab(
  state: LabState,
): Promise<{ answers: Answers; secrets: Secrets; result: RenderResult }> {
  const catalog = loadCatalog();
  const answers = parseAnswersText(readFileSync(state.answersPath, 'utf8'), state.answersPath, catalog);
  const secrets = await generateSecrets();
  // What the installer would learn from each host: its family and, for apt, distro and release.
  const facts = Object.fromEntries(
    state.hosts.map((h) => {
      const os = labOs(h.os);
      return [
        h.name,
        {
          interface: 'eth0',
          osFamily: os.family,
          ...(os.codename ? { distro: os.id, codename: os.codename } : {}),
        },
      ];
    }),
  );
  return { answers, secrets, result: renderCluster({ answers, catalog, secrets, facts }) };
}
