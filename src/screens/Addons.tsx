// Screen: the dashboard add-on (the seed installs Kuboard) and the certificate-renewal timer.
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
  const next: Draft = {
    ...draft,
    addons: { ...draft.addons, dashboard },
    system: { ...draft.system, certRenewal },
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
        ]}
        onSubmit={() => onSubmit(next)}
        onBack={onBack}
      />
    </>
  );
}
