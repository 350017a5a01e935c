// Answers from a file (with line:col in every message) or from plain data (saved answers, screens).
import type { Catalog } from '../catalog/schema.js';
import { InputError } from '../errors.js';
import { zodProblems } from '../input/zod-problems.js';
import { parseYamlText, readYamlFile, toPlain, type YamlSource } from '../input/yaml-source.js';
import type { RuleOptions } from './rules.js';
import { answersSchema, type Answers } from './schema.js';

export function loadAnswersFile(path: string, catalog: Catalog, o: RuleOptions = {}): Answers {
  return validateSource(readYamlFile(path), catalog, o);
}

/** Answers from YAML already read (the wizard keeps the source as its draft too). */
export function validateAnswersSource(src: YamlSource, catalog: Catalog): Answers {
  return validateSource(src, catalog);
}

export function parseAnswersText(text: string, name: string, catalog: Catalog): Answers {
  return validateSource(parseYamlText(text, name), catalog);
}

function validateSource(src: YamlSource, catalog: Catalog, o: RuleOptions = {}): Answers {
  const plain = toPlain(src);
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new InputError(
      src.name,
      [{ path: '', message: 'must be a YAML mapping that starts with apiVersion: k8sha-wizard/v1' }],
      'see assets/examples/seed-cluster.yaml',
    );
  }
  const parsed = answersSchema(catalog, o).safeParse(plain);
  if (!parsed.success) throw new InputError(src.name, zodProblems(parsed.error, src));
  return parsed.data;
}

/** Validate answers that are already data (saved answers, a wizard draft). */
export function validateAnswers(data: unknown, name: string, catalog: Catalog, o: RuleOptions = {}): Answers {
  const parsed = answersSchema(catalog, o).safeParse(data);
  if (!parsed.success) throw new InputError(name, zodProblems(parsed.error));
  return parsed.data;
}
