// Control planes, when system.etcdBackup is set: the daily etcd snapshot timer, enabled and running.
import { ETCD_BACKUP_DIR, ETCD_BACKUP_SCRIPT, ETCD_BACKUP_UNIT } from '../render/etcd-backup.js';
import type { Step } from './engine/step.js';
import { fileReads, unitActive, unitActiveRead, unitEnabled, unitEnabledRead, upToDate } from './packages.js';

const TIMER = `${ETCD_BACKUP_UNIT}.timer`;
const FILES = [
  ETCD_BACKUP_SCRIPT,
  `/etc/systemd/system/${ETCD_BACKUP_UNIT}.service`,
  `/etc/systemd/system/${TIMER}`,
];

export const etcdBackupTimer: Step = {
  id: 'etcd-backup-timer',
  title: 'etcd snapshot timer',
  phase: 'verify',
  scope: 'node',
  appliesTo: (h, a) => h.role === 'control-plane' && !!a.system.etcdBackup,
  retry: { tries: 2, delayMs: 5000 },
  // The cluster works without it; backup takes a snapshot by hand.
  skippable: true,
  reads: (ctx) => [...fileReads(ctx, FILES), unitEnabledRead(TIMER), unitActiveRead(TIMER)],
  async check(ctx) {
    for (const path of FILES) if (!(await upToDate(ctx, path))) return false;
    return (await unitEnabled(ctx, TIMER)) && (await unitActive(ctx, TIMER));
  },
  async apply(ctx) {
    let changed = false;
    for (const path of FILES) changed = (await ctx.ensureFile(ctx.file(path))) || changed;
    if (changed) await ctx.run('systemctl daemon-reload');
    if (changed || !(await unitEnabled(ctx, TIMER)) || !(await unitActive(ctx, TIMER)))
      await ctx.run(`systemctl enable --now ${TIMER}`);
    const b = ctx.answers.system.etcdBackup!;
    ctx.notice(
      `${TIMER} takes an etcd snapshot (${b.schedule}) into ${ETCD_BACKUP_DIR}, keeping the last ${b.keep}; copy them off the host too`,
    );
  },
};
