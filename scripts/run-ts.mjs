// Run a TypeScript entry (a benchmark, the lab CLI): bundle it with esbuild into .bench/, then run
// it with node. Usage: node scripts/run-ts.mjs [--node-arg=X ...] <entry.ts> [args...]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

const argv = process.argv.slice(2);
const nodeArgs = argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice('--node-arg='.length));
const [entry, ...args] = argv.filter((a) => !a.startsWith('--node-arg='));

mkdirSync('.bench', { recursive: true });
const out = join('.bench', basename(entry).replace(/\.tsx?$/, '.mjs'));
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
const r = spawnSync(process.execPath, [...nodeArgs, out, ...args], { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
