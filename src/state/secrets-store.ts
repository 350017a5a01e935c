// The cluster's secrets live only here, mode 0600, beside the journal. Never in answers or logs.
import { closeSync, fchmodSync, fstatSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Secrets } from '../secrets/types.js';
import { generateSecrets } from '../secrets/generate.js';
import { writeFileAtomic } from './atomic-write.js';
import { ensurePrivateDir, openPrivateFile } from './private-dir.js';

export function secretsPath(clusterDir: string): string {
  return join(clusterDir, 'secrets.json');
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export function readSecrets(clusterDir: string): Secrets | undefined {
  const p = secretsPath(clusterDir);
  if (!exists(p)) return undefined;
  // Opened without following links; the mode is fixed on the file we opened, never on a link's target.
  const fd = openPrivateFile(p);
  try {
    if (fstatSync(fd).mode & 0o077) fchmodSync(fd, 0o600);
    return JSON.parse(readFileSync(fd, 'utf8')) as Secrets;
  } finally {
    closeSync(fd);
  }
}

export function writeSecrets(clusterDir: string, s: Secrets): void {
  ensurePrivateDir(clusterDir);
  const clean = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
  writeFileAtomic(secretsPath(clusterDir), `${JSON.stringify(clean, null, 2)}\n`, 0o600);
}

/** The cluster's secrets, created on first use: the preview and the install then use the same ones. */
export async function ensureSecrets(clusterDir: string): Promise<Secrets> {
  const existing = readSecrets(clusterDir);
  if (existing) return existing;
  const fresh = await generateSecrets();
  writeSecrets(clusterDir, fresh);
  return fresh;
}
