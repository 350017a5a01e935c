// The cluster's certificate authorities and service-account keys beside an etcd snapshot: without
// them a restored etcd has no control plane to serve it. They are secrets: 0600 in a 0700 directory,
// with a note that says so.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { clusterControlPlane } from './cluster-host.js';
import type { Step } from './engine/step.js';

export const PKI_FILES = [
  'ca.crt',
  'ca.key',
  'sa.key',
  'sa.pub',
  'front-proxy-ca.crt',
  'front-proxy-ca.key',
  'etcd/ca.crt',
  'etcd/ca.key',
];

export const pkiBackup: Step = {
  id: 'pki-backup',
  title: "The cluster's certificate authorities and service-account keys",
  phase: 'backup',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 2, delayMs: 3000 },
  skippable: false,
  async check(ctx) {
    const dir = ctx.svc.context().pkiBackup as string | undefined;
    return !!dir && PKI_FILES.every((f) => existsSync(join(dir, f)));
  },
  async apply(ctx) {
    const base = ctx.svc.context().backupDir as string;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const dir = join(base, `${ctx.answers.cluster.name}-pki-${stamp}`);
    const t = ctx.svc.transport(ctx.node.name);
    for (const f of PKI_FILES)
      ctx.svc.writeLocal(join(dir, f), await t.download(`/etc/kubernetes/pki/${f}`), 0o600);
    ctx.svc.writeLocal(
      join(dir, 'SECRET.txt'),
      Buffer.from(
        `SECRET: the private keys of cluster ${ctx.answers.cluster.name}'s certificate authorities, from ${ctx.node.name}.\nAnyone with them can act as any user of the cluster. Keep this directory as you keep the etcd snapshot.\n`,
      ),
      0o600,
    );
    ctx.svc.setContext('pkiBackup', dir);
    ctx.notice(`PKI (secret, 0600) in ${dir}`);
  },
};
