// The first screen when saved answers exist: continue an unfinished install, edit the saved answers,
// start fresh, or load answers from a YAML file. For a cluster this machine installed: status,
// upgrade, backup, add nodes (edit the hosts), remove a node, reset.
import { Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import { Item } from './components/Item.js';
import TextInput from 'ink-text-input';
import { useState } from 'react';
import type { Catalog } from '../catalog/schema.js';
import { describeUserError, InputError } from '../errors.js';
import type { Draft } from '../wizard/draft.js';
import { draftFromFile } from '../wizard/draft-file.js';
import { KeyHints } from './components/KeyHints.js';
import { Title } from './components/Title.js';

export type DayTwo = 'status' | 'upgrade' | 'backup' | 'reset';

export type StartChoice =
  | { kind: 'continue' }
  | { kind: 'edit' }
  | { kind: 'fresh' }
  | { kind: 'loaded'; draft: Draft }
  | { kind: 'day2'; op: DayTwo }
  | { kind: 'add' }
  | { kind: 'remove'; host: string };

export interface InstalledCluster {
  hosts: { name: string; role: string }[];
  /** The next minor the catalog has, when there is one. */
  nextMinor?: string;
}

export function Start({
  catalog,
  savedCluster,
  savedAt,
  unfinished,
  installed,
  onChoice,
}: {
  catalog: Catalog;
  installed?: InstalledCluster;
  savedCluster?: string;
  savedAt?: string;
  unfinished?: string;
  onChoice: (c: StartChoice) => void;
}) {
  const [loading, setLoading] = useState(false);
  const [picking, setPicking] = useState(false);
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | undefined>();
  useInput(
    (_i, key) => {
      if (key.escape) setLoading(false);
      if (key.return) {
        try {
          onChoice({ kind: 'loaded', draft: draftFromFile(path.trim(), catalog) });
        } catch (e) {
          setError(e instanceof InputError ? describeUserError(e) : (e as Error).message);
        }
      }
    },
    { isActive: loading },
  );
  useInput(
    (_i, key) => {
      if (key.escape) setPicking(false);
    },
    { isActive: picking },
  );
  if (picking && installed) {
    return (
      <>
        <Title
          title="Remove a node"
          help="It is drained, its etcd member and Node go, the load balancers forget it, and the host is reset. You confirm next."
        />
        <SelectInput
          itemComponent={Item}
          items={installed.hosts.map((h) => ({ label: `${h.name} (${h.role})`, value: h.name }))}
          onSelect={(i) => onChoice({ kind: 'remove', host: i.value })}
        />
        <KeyHints
          keys={[
            ['enter', 'choose'],
            ['esc', 'back'],
          ]}
        />
      </>
    );
  }
  if (loading) {
    return (
      <>
        <Title
          title="Load answers from a file"
          help="A YAML answers file (the same format `apply --answers` takes)."
        />
        <Text>
          File: <TextInput value={path} onChange={setPath} placeholder="e.g. ./cluster.yaml" />
        </Text>
        {error ? <Text color="red">{error}</Text> : null}
        <KeyHints
          keys={[
            ['enter', 'load'],
            ['esc', 'back'],
          ]}
        />
      </>
    );
  }
  const items = [
    ...(unfinished
      ? [{ label: `Continue the unfinished run of ${savedCluster}: ${unfinished}`, value: 'continue' }]
      : []),
    ...(installed && !unfinished
      ? [
          { label: 'Cluster status (read-only)', value: 'status' },
          ...(installed.nextMinor
            ? [{ label: `Upgrade to Kubernetes ${installed.nextMinor}`, value: 'upgrade' }]
            : []),
          { label: 'Back up etcd and the PKI to this machine', value: 'backup' },
          { label: 'Add nodes (edit the hosts, then install them)', value: 'add' },
          { label: 'Remove a node…', value: 'remove' },
          { label: 'Reset the cluster (destroys it)', value: 'reset' },
        ]
      : []),
    { label: `Edit the saved answers${savedCluster ? ` for ${savedCluster}` : ''}`, value: 'edit' },
    { label: 'Start fresh', value: 'fresh' },
    { label: 'Load answers from a YAML file', value: 'load' },
  ];
  return (
    <>
      <Title
        title="Welcome back"
        help={`Saved answers${savedCluster ? ` for ${savedCluster}` : ''}${savedAt ? ` from ${savedAt}` : ''}. Passwords are never saved.`}
      />
      <SelectInput
        itemComponent={Item}
        items={items}
        onSelect={(i) => {
          if (i.value === 'load') return setLoading(true);
          if (i.value === 'remove') return setPicking(true);
          if (i.value === 'add') return onChoice({ kind: 'add' });
          if (['status', 'upgrade', 'backup', 'reset'].includes(i.value))
            return onChoice({ kind: 'day2', op: i.value as DayTwo });
          onChoice({ kind: i.value as 'continue' | 'edit' | 'fresh' });
        }}
      />
      <KeyHints
        keys={[
          ['↑/↓', 'select'],
          ['enter', 'choose'],
          ['ctrl-c', 'quit'],
        ]}
      />
    </>
  );
}
