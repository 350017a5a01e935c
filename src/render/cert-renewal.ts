// kubeadm's leaf certificates last one year, and a cluster whose apiserver certificate has expired stops
// answering (failure mode 15). Each control plane gets a monthly systemd timer that renews them and
// restarts the static pods that read them at start. The timers are staggered by 20 minutes per control
// plane, so only one apiserver and one etcd member restart at a time.
import { controlPlanes } from '../answers/model.js';
import type { Answers, Host } from '../answers/schema.js';
import { LOCAL_APISERVER_HEALTHZ } from './kubeadm.js';
import { GENERATED_HEADER, type RenderedFile } from './types.js';

export const CERT_RENEW_SCRIPT = '/usr/local/sbin/k8s-certs-renew.sh';
export const CERT_RENEW_UNIT = 'k8s-certs-renew';
const UNIT_DIR = '/etc/systemd/system';

/** First Monday of the month, from 03:00, 20 minutes later for each further control plane. */
export function renewalCalendar(a: Answers, h: Host): string {
  const index = Math.max(
    0,
    controlPlanes(a).findIndex((c) => c.name === h.name),
  );
  const minutes = 3 * 60 + index * 20;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `Mon *-*-1..7 ${hh}:${mm}:00`;
}

export function renderCertRenewal(a: Answers, h: Host): RenderedFile[] {
  if (h.role !== 'control-plane' || a.system.certRenewal !== 'timer') return [];
  const script: RenderedFile = {
    path: CERT_RENEW_SCRIPT,
    mode: 0o755,
    kind: 'file',
    purpose: "renews this control plane's kubeadm certificates and restarts the static pods that use them",
    content: [
      '#!/bin/sh',
      `# ${GENERATED_HEADER}`,
      "# Renews this control plane's kubeadm certificates (they last one year) and restarts the static pods",
      `# that read them at start. Run monthly by ${CERT_RENEW_UNIT}.timer; safe to run by hand.`,
      'set -eu',
      'kubeadm certs renew all',
      '# kubelet recreates a static pod whose sandbox is gone; the new containers load the new files.',
      'for c in kube-apiserver kube-controller-manager kube-scheduler etcd; do',
      '    for pod in $(crictl pods --namespace kube-system --name "$c" --quiet); do',
      '        crictl rmp --force "$pod" >/dev/null',
      '    done',
      'done',
      "# Wait for this node's apiserver, so the next control plane's turn finds this one serving.",
      'tries=0',
      `until curl -sfk --max-time 5 -o /dev/null '${LOCAL_APISERVER_HEALTHZ}'; do`,
      '    tries=$((tries + 1))',
      '    if [ "$tries" -ge 60 ]; then',
      `        echo "k8s-certs-renew: the apiserver did not answer ${LOCAL_APISERVER_HEALTHZ} within 5 minutes" >&2`,
      '        exit 1',
      '    fi',
      '    sleep 5',
      'done',
      "# root's kubectl reads a copy of admin.conf, whose client certificate was renewed too.",
      'if [ -f /root/.kube/config ]; then install -m 0600 /etc/kubernetes/admin.conf /root/.kube/config; fi',
      'kubeadm certs check-expiration',
      '',
    ].join('\n'),
  };
  const service: RenderedFile = {
    path: `${UNIT_DIR}/${CERT_RENEW_UNIT}.service`,
    mode: 0o644,
    kind: 'file',
    purpose: `runs ${CERT_RENEW_SCRIPT} once (started by its timer)`,
    content: [
      `# ${GENERATED_HEADER}`,
      '[Unit]',
      "Description=Renew this control plane's kubeadm certificates",
      'After=kubelet.service containerd.service',
      '',
      '[Service]',
      'Type=oneshot',
      `ExecStart=${CERT_RENEW_SCRIPT}`,
      '',
    ].join('\n'),
  };
  const timer: RenderedFile = {
    path: `${UNIT_DIR}/${CERT_RENEW_UNIT}.timer`,
    mode: 0o644,
    kind: 'file',
    purpose: `starts ${CERT_RENEW_UNIT}.service on the first Monday of each month (${renewalCalendar(a, h)})`,
    content: [
      `# ${GENERATED_HEADER}`,
      '[Unit]',
      "Description=Renew this control plane's kubeadm certificates monthly",
      '',
      '[Timer]',
      `OnCalendar=${renewalCalendar(a, h)}`,
      '# A node that was off at that time renews at its next boot.',
      'Persistent=true',
      '',
      '[Install]',
      'WantedBy=timers.target',
      '',
    ].join('\n'),
  };
  return [script, service, timer];
}
