// An optional daily etcd snapshot on every control plane (system.etcdBackup): the same snapshot the
// backup command takes, through etcd's own API with curl (kubeadm puts no etcdctl on the host),
// decoded with sed and base64, checked against the SHA-256 etcd appends, kept 0600, the last N kept.
import type { Answers, Host } from '../answers/schema.js';
import { GENERATED_HEADER, type RenderedFile } from './types.js';

export const ETCD_BACKUP_SCRIPT = '/usr/local/sbin/k8s-etcd-backup.sh';
export const ETCD_BACKUP_UNIT = 'k8s-etcd-backup';
export const ETCD_BACKUP_DIR = '/var/backups/k8s-etcd';
const UNIT_DIR = '/etc/systemd/system';
const PKI = '/etc/kubernetes/pki';

export function renderEtcdBackup(a: Answers, h: Host): RenderedFile[] {
  const b = a.system.etcdBackup;
  if (h.role !== 'control-plane' || !b) return [];
  const script: RenderedFile = {
    path: ETCD_BACKUP_SCRIPT,
    mode: 0o755,
    kind: 'file',
    purpose: `takes a checked etcd snapshot into ${ETCD_BACKUP_DIR} and keeps the last ${b.keep}`,
    content: [
      '#!/bin/sh',
      `# ${GENERATED_HEADER}`,
      `# An etcd snapshot of this control plane's member, checked, 0600, the last ${b.keep} kept. Run by`,
      `# ${ETCD_BACKUP_UNIT}.timer; safe to run by hand. K8S_ETCD_BACKUP_DIR overrides where they go.`,
      'set -eu',
      'umask 077',
      `dir="\${K8S_ETCD_BACKUP_DIR:-${ETCD_BACKUP_DIR}}"`,
      `keep=${b.keep}`,
      'mkdir -p "$dir" && chmod 700 "$dir"',
      'now=$(date -u +%Y%m%dT%H%M%SZ)',
      'stream="$dir/.etcd-$now.json"',
      'snap="$dir/etcd-$now.db"',
      'trap \'rm -f "$stream" "$snap.part"\' EXIT',
      '# etcd streams the snapshot as JSON lines with base64 pieces through its gateway.',
      `curl -sS --fail --max-time 900 --cacert ${PKI}/etcd/ca.crt --cert ${PKI}/apiserver-etcd-client.crt \\`,
      `    --key ${PKI}/apiserver-etcd-client.key -X POST https://127.0.0.1:2379/v3/maintenance/snapshot \\`,
      `    -d '{}' -o "$stream"`,
      'if grep -q \'"error"\' "$stream"; then echo "k8s-etcd-backup: etcd refused the snapshot: $(head -c 300 "$stream")" >&2; exit 1; fi',
      'sed -n \'s/.*"blob":"\\([^"]*\\)".*/\\1/p\' "$stream" | while IFS= read -r piece; do',
      '    printf \'%s\' "$piece" | base64 -d',
      'done > "$snap.part"',
      '# The last 32 bytes are the SHA-256 of everything before them (etcd appends it; restore checks it).',
      'size=$(wc -c < "$snap.part")',
      'if [ "$size" -lt 4128 ]; then echo "k8s-etcd-backup: the snapshot is only $size bytes" >&2; exit 1; fi',
      'want=$(tail -c 32 "$snap.part" | od -An -v -tx1 | tr -d \' \\n\')',
      'got=$(head -c $((size - 32)) "$snap.part" | sha256sum | cut -d\' \' -f1)',
      'if [ "$want" != "$got" ]; then echo "k8s-etcd-backup: the snapshot fails its integrity check" >&2; exit 1; fi',
      'mv "$snap.part" "$snap"',
      'sha256sum "$snap" > "$snap.sha256"',
      '# Keep the newest $keep.',
      'ls -1t "$dir"/etcd-*.db | tail -n +$((keep + 1)) | while IFS= read -r old; do rm -f "$old" "$old.sha256"; done',
      'echo "k8s-etcd-backup: $snap ($size bytes)"',
      '',
    ].join('\n'),
  };
  const service: RenderedFile = {
    path: `${UNIT_DIR}/${ETCD_BACKUP_UNIT}.service`,
    mode: 0o644,
    kind: 'file',
    purpose: `runs ${ETCD_BACKUP_SCRIPT} once (started by its timer)`,
    content: [
      `# ${GENERATED_HEADER}`,
      '[Unit]',
      "Description=Snapshot this control plane's etcd member",
      'After=kubelet.service',
      '',
      '[Service]',
      'Type=oneshot',
      `ExecStart=${ETCD_BACKUP_SCRIPT}`,
      '',
    ].join('\n'),
  };
  const timer: RenderedFile = {
    path: `${UNIT_DIR}/${ETCD_BACKUP_UNIT}.timer`,
    mode: 0o644,
    kind: 'file',
    purpose: `starts ${ETCD_BACKUP_UNIT}.service (${b.schedule})`,
    content: [
      `# ${GENERATED_HEADER}`,
      '[Unit]',
      "Description=Snapshot this control plane's etcd member on a schedule",
      '',
      '[Timer]',
      `OnCalendar=${b.schedule}`,
      '# Control planes do not all snapshot in the same second.',
      'RandomizedDelaySec=15min',
      'Persistent=true',
      '',
      '[Install]',
      'WantedBy=timers.target',
      '',
    ].join('\n'),
  };
  return [script, service, timer];
}
