// The simulated node OS is one JavaScript bundle (fixtures included) copied into every host.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root.js';

export async function buildSimBundle(labDir: string): Promise<string> {
  const out = join(labDir, 'sim', 'sim.mjs');
  mkdirSync(join(labDir, 'sim'), { recursive: true });
  await build({
    entryPoints: [join(packageRoot(), 'test', 'lab', 'sim', 'main.ts')],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    loader: { '.yaml': 'text', '.asc': 'text' },
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return out;
}
