// Change an answers file the way a person would: one host taken out, every comment, blank line and
// the order of everything else kept (the yaml package edits the document, not a re-dump of data).
import { statSync } from 'node:fs';
import { isMap, isSeq, parseDocument } from 'yaml';
import { writeFileAtomic } from '../state/atomic-write.js';
import { readFileSync } from 'node:fs';

/** The YAML text without the host named `name` in `hosts:`; the text unchanged when it is not there. */
export function withoutHost(text: string, name: string): string {
  const doc = parseDocument(text);
  const hosts = doc.get('hosts');
  if (!isSeq(hosts)) return text;
  const i = hosts.items.findIndex((item) => isMap(item) && item.get('name') === name);
  if (i < 0) return text;
  hosts.items.splice(i, 1);
  return doc.toString();
}

/** The YAML text with cluster.kubernetesVersion set (an upgrade finished); comments kept. */
export function withVersion(text: string, version: string): string {
  const doc = parseDocument(text);
  doc.setIn(['cluster', 'kubernetesVersion'], version);
  return doc.toString();
}

/** Rewrite the answers file with the new version, atomically and with the file's own mode. */
export function setVersionInFile(path: string, version: string): void {
  writeFileAtomic(path, withVersion(readFileSync(path, 'utf8'), version), statSync(path).mode & 0o777);
}

/** Rewrite the answers file without the host, atomically and with the file's own mode. */
export function removeHostFromFile(path: string, name: string): boolean {
  const text = readFileSync(path, 'utf8');
  const next = withoutHost(text, name);
  if (next === text) return false;
  writeFileAtomic(path, next, statSync(path).mode & 0o777);
  return true;
}
