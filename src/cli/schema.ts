// `k8sha-wizard schema`: the answers file's JSON Schema on stdout.
import { answersJsonSchemaText } from '../answers/json-schema.js';
import { catalogFrom, type CatalogFlag } from './common.js';

export function schemaCommand(opts: CatalogFlag): void {
  process.stdout.write(answersJsonSchemaText(catalogFrom(opts)));
}
