// Screen: the dashboard add-on (the seed installs Kuboard), the certificate-renewal timer and the
// etcd snapshot timer.
import { useState } from 'react';
import { DEFAULTS } from '../answers/defaults.js';
import type { Draft } from '../wizard/draft.js';
import { Form } from './components/Form.js';
import { Title } from './components/Title.js';
import type { ScreenProps } from './types.js';

export function Addons({ draft, step, onSubmit, onBack }: ScreenProps) {
  const [dashboard, setDashboard] = useState(String(draft.addons?.dashboard ?? 'none'));
  const [certRenewal, setCertRenewal] = useState(
    String(draft.system?.certRenewal ?? DEFAULTS.system.certRenewal),
  );
  const saved = draft.system?.etcdBackup as { keep?: number } | undefined;
  const [etcdBackup, setEtcdBackup] = useState(saved ? `daily-${saved.keep ?? 7}` : 'none');
  const keep = Number(/^daily-(\d+)$/.exec(etcdBackup)?.[1] ?? 0);
  const { etcdBackup: _previous, ...system } = (draft.system ?? {}) as Record<string, unknown>;
  const next: Draft = {
    ...draft,
    addons: { ...draft.addons, dashboard },
    system: { ...system, certRenewal, ...(keep ? { etcdBackup: { schedule: 'daily', keep } } : {}) },
  };
  return (
    <>
      <Title step={step} title="Add-ons" help="Optional extras installed after the network, and upkeep." />
      <Form
        fields={[
          {
            kind: 'choice',
            key: 'dashboard',
            label: 'Dashboard',
            value: dashboard,
            options: [
              { value: 'none', label: 'none' },
              { value: 'kuboard', label: 'Kuboard v3 (NodePort 30080; short-lived login tokens)' },
            ],
            onChange: setDashboard,
          },
          {
            kind: 'choice',
            key: 'certRenewal',
            label: 'Certificate renewal',
            value: certRenewal,
            options: [
              { value: 'timer', label: 'monthly timer on each control plane (certificates last one year)' },
              { value: 'none', label: 'none (renew by hand with kubeadm certs renew all)' },
            ],
            onChange: setCertRenewal,
          },
          {
            kind: 'choice',
            key: 'etcdBackup',
            label: 'etcd snapshots',
            value: etcdBackup,
            options: [
              { value: 'none', label: 'none (take them with k8sha-wizard backup)' },
              {
                value: 'daily-7',
                label: 'daily on each control plane, the last 7 kept (/var/backups/k8s-etcd)',
              },
              { value: 'daily-30', label: 'daily on each control plane, the last 30 kept' },
            ],
            onChange: setEtcdBackup,
          },
        ]}
        onSubmit={() => onSubmit(next)}
        onBack={onBack}
      />
    </>
  );
}
