// Answers for tests: the seed example as plain data, and validation that returns problems instead of throwing.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { validateAnswers } from '../../src/answers/load.js';
import type { Answers } from '../../src/answers/schema.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { InputError, type InputProblem } from '../../src/errors.js';
import { assetPath } from '../../src/package-root.js';

export const catalog = loadCatalog();

export type Plain = Record<string, unknown>;

export function seedPlain(): Plain {
  return parse(readFileSync(assetPath('examples/seed-cluster.yaml'), 'utf8')) as Plain;
}

export function valid(data: unknown): Answers {
  return validateAnswers(data, 'test answers', catalog);
}

/** The problems validation reports, or [] when the data is valid. */
export function problemsOf(data: unknown): InputProblem[] {
  try {
    validateAnswers(data, 'test answers', catalog);
    return [];
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
}

/** The seed answers with one change applied by `edit`. */
export function seedWith(edit: (a: Plain & { hosts: Plain[] }) => void): Plain {
  const a = seedPlain() as Plain & { hosts: Plain[] };
  edit(a);
  return a;
}

export function hostsOf(cps: number, workers: number, base = '172.16.100.'): Plain[] {
  const hosts: Plain[] = [];
  for (let i = 1; i <= cps; i++)
    hosts.push({
      name: `master${String(i).padStart(2, '0')}`,
      address: `${base}${10 + i}`,
      role: 'control-plane',
    });
  for (let i = 1; i <= workers; i++)
    hosts.push({ name: `worker${String(i).padStart(2, '0')}`, address: `${base}${100 + i}`, role: 'worker' });
  return hosts;
}
