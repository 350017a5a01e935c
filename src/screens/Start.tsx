// The first screen when saved answers exist: continue an unfinished install, edit the saved answers,
// start fresh, or load answers from a YAML file.
import { Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import { Item } from './components/Item.js';
import TextInput from 'ink-text-input';
import { useState } from 'react';
import { parse } from 'yaml';
import { parseAnswersText } from '../answers/load.js';
import type { Catalog } from '../catalog/schema.js';
import { describeUserError, InputError } from '../errors.js';
import { readYamlFile } from '../input/yaml-source.js';
import type { Draft } from '../wizard/draft.js';
import { KeyHints } from './components/KeyHints.js';
import { Title } from './components/Title.js';

export type StartChoice =
  { kind: 'continue' } | { kind: 'edit' } | { kind: 'fresh' } | { kind: 'loaded'; draft: Draft };

export function Start({
  catalog,
  savedCluster,
  savedAt,
  unfinished,
  onChoice,
}: {
  catalog: Catalog;
  savedCluster?: string;
  savedAt?: string;
  unfinished?: string;
  onChoice: (c: StartChoice) => void;
}) {
  const [loading, setLoading] = useState(false);
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | undefined>();
  useInput(
    (_i, key) => {
      if (key.escape) setLoading(false);
      if (key.return) {
        try {
          const src = readYamlFile(path.trim());
          parseAnswersText(src.doc.toString(), path.trim(), catalog);
          onChoice({ kind: 'loaded', draft: parse(src.doc.toString()) as Draft });
        } catch (e) {
          setError(e instanceof InputError ? describeUserError(e) : (e as Error).message);
        }
      }
    },
    { isActive: loading },
  );
  if (loading) {
    return (
      <>
        <Title
          title="Load answers from a file"
          help="A YAML answers file (the same format `apply --answers` takes)."
        />
        <Text>
          File: <TextInput value={path} onChange={setPath} placeholder="./cluster.yaml" />
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
      ? [{ label: `Continue the unfinished install of ${savedCluster}: ${unfinished}`, value: 'continue' }]
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
