// Screen: the dashboard add-on (the seed installs Kuboard).
import { useState } from 'react';
import type { Draft } from '../wizard/draft.js';
import { Form } from './components/Form.js';
import { Title } from './components/Title.js';
import type { ScreenProps } from './types.js';

export function Addons({ draft, step, onSubmit, onBack }: ScreenProps) {
  const [dashboard, setDashboard] = useState(String(draft.addons?.dashboard ?? 'none'));
  const next: Draft = { ...draft, addons: { ...draft.addons, dashboard } };
  return (
    <>
      <Title step={step} title="Add-ons" help="Optional extras installed after the network." />
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
        ]}
        onSubmit={() => onSubmit(next)}
        onBack={onBack}
      />
    </>
  );
}
