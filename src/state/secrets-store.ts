// The cluster's secrets live only here, mode 0600, beside the journal. Never in answers or logs.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Secrets } from '../render/types.js';
import { generateSecrets } from '../secrets/generate.js';
import { writeFileAtomic } from './atomic-write.js';

export function secretsPath(clusterDir: string): string {
  return join(clusterDir, 'secrets.json');
}

export function readSecrets(clusterDir: string): Secrets | undefined {
  const p = secretsPath(clusterDir);
  if (!existsSync(p)) return undefined;
  chmodSync(p, 0o600);
  return JSON.parse(readFileSync(p, 'utf8')) as Secrets;
}

export function writeSecrets(clusterDir: string, s: Secrets): void {
  writeFileAtomic(secretsPath(clusterDir), `${JSON.stringify(s, null, 2)}\n`, 0o600);
}

/** The cluster's secrets, created on first use: the preview and the install then use the same ones. */
export async function ensureSecrets(clusterDir: string): Promise<Secrets> {
  const existing = readSecrets(clusterDir);
  if (existing) return existing;
  const fresh = await generateSecrets();
  writeSecrets(clusterDir, fresh);
  return fresh;
}
