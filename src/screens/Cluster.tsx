// Screen: the cluster's name and Kubernetes version (from the catalog, with its support status).
import { useState } from 'react';
import { supportedMinors } from '../catalog/resolve.js';
import { messageFor, type Draft } from '../wizard/draft.js';
import { Form } from './components/Form.js';
import { Title } from './components/Title.js';
import type { ScreenProps } from './types.js';
import { useWizardParts } from './use-wizard-parts.js';

export function Cluster({ draft, catalog, step, onSubmit, onBack }: ScreenProps) {
  const [name, setName] = useState(draft.cluster.name);
  const [version, setVersion] = useState(draft.cluster.kubernetesVersion ?? catalog.recommended);
  const next: Draft = { ...draft, cluster: { ...draft.cluster, name, kubernetesVersion: version } };
  // A fresh start draws this screen before validation loads: an empty name shows no problem yet, and
  // no key reaches the form before the parts do (run-wizard.tsx).
  const problems = useWizardParts()?.checkDraft(next, catalog).problems ?? [];
  const versions = supportedMinors(catalog)
    .reverse()
    .map((m) => {
      const e = catalog.kubernetes[m]!;
      return {
        value: m,
        label: `${m} (${e.defaultPatch}) — supported until ${e.endOfLife}${m === catalog.recommended ? ', recommended' : ''}`,
      };
    });
  const known = versions.some((v) => v.value === version);
  return (
    <>
      <Title
        step={step}
        title="Cluster"
        help="A name for the cluster and the Kubernetes minor to install (exact patch from the catalog)."
      />
      <Form
        fields={[
          {
            kind: 'text',
            key: 'name',
            label: 'Cluster name',
            value: name,
            onChange: setName,
            placeholder: 'e.g. seed-cluster',
            hint: 'lowercase letters, digits and -',
            required: true,
            error: name ? messageFor(problems, 'cluster.name') : undefined,
          },
          {
            kind: 'choice',
            key: 'version',
            label: 'Kubernetes version',
            value: version,
            options: known
              ? versions
              : [{ value: version, label: `${version} (from the saved answers)` }, ...versions],
            onChange: setVersion,
            hint: catalog.kubernetes[version]?.notes.join(' ') ?? '',
            error: messageFor(problems, 'cluster.kubernetesVersion'),
          },
        ]}
        onSubmit={() => onSubmit(next)}
        onBack={onBack}
      />
    </>
  );
}
