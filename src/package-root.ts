// Find the installed package's root (where assets/ lives). The same code runs from src/ under the
// test runner and from the bundled dist/cli.js after `npm pack`, so walk up instead of hard-coding depth.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && existsSync(join(dir, 'assets'))) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
      if (name === 'k8sha-wizard') return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('k8sha-wizard: cannot find the package root (assets/ is missing)');
    dir = parent;
  }
}

export function assetPath(...parts: string[]): string {
  return join(packageRoot(), 'assets', ...parts);
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}
