// Answers as YAML for `export`: a schema header for editors, then the answers `apply --answers`
// accepts unchanged.
import { stringify } from 'yaml';
import { SCHEMA_ID } from '../answers/json-schema.js';
import { compact, type Draft } from './draft.js';

export function exportYaml(d: Draft): string {
  const header = `# yaml-language-server: $schema=${SCHEMA_ID}\n# Exported by k8sha-wizard on ${new Date().toISOString()}. No secrets: passwords are never saved.\n`;
  return header + stringify(compact(d), { lineWidth: 0 });
}
