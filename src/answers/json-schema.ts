// The JSON Schema of the answers file, generated from the zod schema (assets/answers.schema.json
// is a checked-in copy that a test keeps current; editors use it through the export header).
import { z } from 'zod';
import type { Catalog } from '../catalog/schema.js';
import { answersObjectSchema } from './schema.js';

export const SCHEMA_ID =
  'https://raw.githubusercontent.com/k8sha-wizard/k8sha-wizard/main/assets/answers.schema.json';

export function answersJsonSchema(catalog: Catalog): Record<string, unknown> {
  const generated = z.toJSONSchema(answersObjectSchema(catalog), {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return {
    ...generated,
    $id: SCHEMA_ID,
    title: 'k8sha-wizard answers (apiVersion k8sha-wizard/v1)',
    description:
      'Answers for k8sha-wizard: hosts, virtual IP, networks and versions of a highly available kubeadm cluster. ' +
      'Cross-field rules (odd control-plane count, VIP subnet, CIDR overlaps, supported versions) are checked by `k8sha-wizard validate`.',
  };
}

export function answersJsonSchemaText(catalog: Catalog): string {
  return `${JSON.stringify(answersJsonSchema(catalog), null, 2)}\n`;
}
