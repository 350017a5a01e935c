// Bundle a TypeScript benchmark entry with the same esbuild settings as the CLI, then run it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export async function runBench(entry, nodeArgs = [], args = []) {
  mkdirSync('.bench', { recursive: true });
  const out = join('.bench', basename(entry).replace(/\.tsx?$/, '.mjs'));
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['ssh2', 'cpu-features'],
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const r = spawnSync(process.execPath, [...nodeArgs, out, ...args], { stdio: 'inherit' });
  return r.status ?? 1;
}

if (process.argv[2])
  process.exitCode = await runBench(process.argv[2], ['--expose-gc'], process.argv.slice(3));
