// An etcd snapshot on the operator machine. etcd streams it through its JSON gateway (the same curl
// and client certificate the membership steps use: kubeadm puts no etcdctl on the host) into a file
// on a healthy control plane; the operator machine downloads it, decodes the stream, checks the
// SHA-256 etcd appends to every snapshot, and keeps it 0600 with a .sha256 beside it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterControlPlane } from './cluster-host.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import type { Step } from './engine/step.js';
import { etcdApi } from './etcd-members.js';
import { quote } from './transport/shell.js';

export interface SnapshotInfo {
  path: string;
  sha256: string;
  bytes: number;
  revision: string;
  takenOn: string;
  at: string;
}

/** The database out of etcd's snapshot stream (newline-delimited JSON), with its integrity check. */
export function decodeSnapshotStream(text: string): { db: Buffer; revision: string } {
  const parts: Buffer[] = [];
  let revision = '';
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const msg = JSON.parse(line) as {
      result?: { blob?: string; header?: { revision?: string } };
      error?: { message?: string };
    };
    if (msg.error)
      throw new Error(`etcd refused the snapshot: ${msg.error.message ?? JSON.stringify(msg.error)}`);
    if (!revision && msg.result?.header?.revision) revision = String(msg.result.header.revision);
    if (msg.result?.blob) parts.push(Buffer.from(msg.result.blob, 'base64'));
  }
  const all = Buffer.concat(parts);
  if (all.length < 32 + 4096)
    throw new Error(`the snapshot is ${all.length} bytes: too short to be a database`);
  return { db: all, revision };
}

/** etcd appends the SHA-256 of the database to a snapshot; restore checks it too. */
export function snapshotIntact(db: Buffer): boolean {
  const body = db.subarray(0, db.length - 32);
  return createHash('sha256')
    .update(body)
    .digest()
    .equals(db.subarray(db.length - 32));
}

const REMOTE_DIR = '/var/lib/k8sha-wizard';

/** Take a snapshot on `ctx.node` and keep it in `dir` on the operator machine. */
export async function takeSnapshot(ctx: StepContext, dir: string, label: string): Promise<SnapshotInfo> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const remote = `${REMOTE_DIR}/etcd-snapshot.json`;
  await ctx.run(
    `install -d -m 700 ${REMOTE_DIR} && ${etcdApi('/v3/maintenance/snapshot').replace('--max-time 8', '--max-time 900')} -o ${quote(remote)} && chmod 600 ${quote(remote)}`,
    { timeoutMs: 16 * 60_000, label: `etcd snapshot on ${ctx.node.name} (through etcd's API) to ${remote}` },
  );
  const stream = await ctx.svc.transport(ctx.node.name).download(remote);
  await ctx.run(`rm -f ${quote(remote)}`);
  let decoded;
  try {
    decoded = decodeSnapshotStream(stream.toString('utf8'));
  } catch (e) {
    throw new StepError(
      `the etcd snapshot from ${ctx.node.name} cannot be read: ${(e as Error).message}`,
      'check etcd there (k8sha-wizard status), then run the command again',
    );
  }
  if (!snapshotIntact(decoded.db))
    throw new StepError(
      `the etcd snapshot from ${ctx.node.name} fails its integrity check (the SHA-256 etcd appends does not match)`,
      'run the command again; if it fails again, the etcd member there may be damaged: take it from another control plane',
    );
  const path = join(dir, `${ctx.answers.cluster.name}-${label}-${stamp}.db`);
  const sha256 = createHash('sha256').update(decoded.db).digest('hex');
  ctx.svc.writeLocal(path, decoded.db, 0o600);
  ctx.svc.writeLocal(`${path}.sha256`, Buffer.from(`${sha256}  ${path.split('/').pop()}\n`), 0o600);
  return {
    path,
    sha256,
    bytes: decoded.db.length,
    revision: decoded.revision,
    takenOn: ctx.node.name,
    at: new Date().toISOString(),
  };
}

/** The snapshot is still on the operator machine as it was taken. */
export function snapshotKept(s: SnapshotInfo | undefined): boolean {
  return (
    !!s && existsSync(s.path) && createHash('sha256').update(readFileSync(s.path)).digest('hex') === s.sha256
  );
}

/** A snapshot step (backup, and the upgrade's first step); the result is in the run's context. */
export function snapshotStep(id: string, label: string, title: string): Step {
  return {
    id,
    title,
    phase: 'backup',
    scope: 'cluster',
    appliesTo: () => true,
    runsOn: (a, svc) => clusterControlPlane(a, svc),
    retry: { tries: 2, delayMs: 3000 },
    skippable: false,
    async check(ctx) {
      return snapshotKept(ctx.svc.context()[id] as SnapshotInfo | undefined);
    },
    async apply(ctx) {
      const dir = ctx.svc.context().backupDir as string | undefined;
      if (!dir) throw new Error('no backup directory in the run context');
      const info = await takeSnapshot(ctx, dir, label);
      ctx.svc.setContext(id, info);
      ctx.notice(
        `etcd snapshot ${info.path} (${(info.bytes / 1024).toFixed(0)} KiB, revision ${info.revision || '?'}, SHA-256 ${info.sha256.slice(0, 12)}…, checked), 0600`,
      );
    },
  };
}
