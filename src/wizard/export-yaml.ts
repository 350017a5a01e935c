// Answers as YAML for `export`: a schema header for editors, then the answers `apply --answers`
// accepts unchanged.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { packageRoot } from '../package-root.js';
import { compact, type Draft } from './draft.js';

/** The schema this installation ships (a URL on the web would point at a repository that may not exist). */
export function schemaUrl(): string {
  return pathToFileURL(join(packageRoot(), 'assets', 'answers.schema.json')).href;
}

export function exportYaml(d: Draft): string {
  const header =
    `# yaml-language-server: $schema=${schemaUrl()}\n` +
    `# (the schema of the installed k8sha-wizard; \`k8sha-wizard schema > answers.schema.json\` writes a copy to keep beside this file)\n` +
    `# Exported by k8sha-wizard on ${new Date().toISOString()}. No secrets: passwords are never saved.\n`;
  return header + stringify(compact(d), { lineWidth: 0 });
}
