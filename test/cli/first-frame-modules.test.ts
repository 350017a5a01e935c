// The wizard's first frame on a fresh start loads only what the Cluster screen draws with: Ink, React
// and the screen. Validation (zod), YAML, conf and the engine load after it (src/screens/wizard-parts.ts).
// Read from the built bundle, the way Node loads it: the static imports from dist/cli.js, through the
// wizard command's chunk, to run-wizard's.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';

const CLI = join(packageRoot(), 'dist', 'cli.js');

/** A string each library keeps in its minified code. */
const MARKERS = {
  zod: 'ZodError',
  yaml: 'YAMLParseError',
  conf: 'clearInvalidConfig',
  engine: 'join-control-plane',
};

const STATIC = /(?:^|[;}\s])import\s*(?:[^"';()]*?from\s*)?"(\.{1,2}\/[^"]+\.js)"/g;
const DYNAMIC = /import\("(\.{1,2}\/[^"]+\.js)"\)/g;

/** The files a module loads before it runs (its static imports, transitively). */
function staticClosure(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC)) visit(join(dirname(file), m[1]!));
  };
  entries.forEach(visit);
  return seen;
}

function dynamicImports(file: string, name: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(DYNAMIC)]
    .map((m) => join(dirname(file), m[1]!))
    .filter((f) => f.includes(`/${name}-`));
}

const contains = (files: Set<string>, marker: string) =>
  [...files].some((f) => readFileSync(f, 'utf8').includes(marker));

describe('the wizard first frame', () => {
  it('loads no zod, yaml, conf or engine before it draws; they all load after it', () => {
    if (!existsSync(CLI))
      throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
    const [wizard] = dynamicImports(CLI, 'wizard');
    expect(wizard, 'dist/cli.js imports the wizard command').toBeDefined();
    const [runWizard] = dynamicImports(wizard!, 'run-wizard');
    expect(runWizard, "the wizard command's chunk imports run-wizard").toBeDefined();
    const first = staticClosure([CLI, wizard!, runWizard!]);
    const later = staticClosure([...first].flatMap((f) => dynamicImports(f, 'wizard-parts')));
    expect(later.size, 'the parts load behind the first frame').toBeGreaterThan(0);

    const loadedFirst = Object.entries(MARKERS).filter(([, m]) => contains(first, m));
    const loadedLater = Object.entries(MARKERS).filter(([, m]) => contains(later, m));
    expect(loadedFirst.map(([lib]) => lib)).toEqual([]);
    expect(loadedLater.map(([lib]) => lib)).toEqual(Object.keys(MARKERS));
    const kib = [...first].reduce((n, f) => n + readFileSync(f).length, 0) / 1024;
    expect(kib, 'KiB of JavaScript before the first frame').toBeLessThan(600);
  });
});
