// Run a TypeScript entry (a benchmark, the lab CLI): bundle it with esbuild into .bench/, then run
// it with node. Usage: node scripts/run-ts.mjs [--node-arg=X ...] [--build-only] [--out-dir=DIR] <entry.ts> [args...]
// (--out-dir: test lanes that run side by side each bundle into their own directory.)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

const argv = process.argv.slice(2);
const nodeArgs = argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice('--node-arg='.length));
const buildOnly = argv.includes('--build-only');
const outDir = argv.find((a) => a.startsWith('--out-dir='))?.slice('--out-dir='.length) ?? '.bench';
const [entry, ...args] = argv.filter(
  (a) => !a.startsWith('--node-arg=') && a !== '--build-only' && !a.startsWith('--out-dir='),
);

mkdirSync(outDir, { recursive: true });
const out = join(outDir, basename(entry).replace(/\.tsx?$/, '.mjs'));
await build({
  entryPoints: [entry],
  jsx: 'automatic',
  outfile: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  loader: { '.yaml': 'text', '.asc': 'text' },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
if (buildOnly) process.stdout.write(`${out}\n`);
else
  process.exitCode =
    spawnSync(process.execPath, [...nodeArgs, out, ...args], { stdio: 'inherit' }).status ?? 1;
