// Before a destructive day-2 operation: what will be lost, then y/N, or the cluster's name typed out.
import { Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { useState } from 'react';
import { KeyHints } from './components/KeyHints.js';
import { Title } from './components/Title.js';

export function Confirm({
  title,
  lines,
  typed,
  onConfirm,
  onCancel,
}: {
  title: string;
  lines: string[];
  /** The answer the operator must type (the cluster name); otherwise y confirms. */
  typed?: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState('');
  useInput((input, key) => {
    if (key.escape) return onCancel();
    if (typed) {
      if (key.return) (value.trim() === typed ? onConfirm : onCancel)();
      return;
    }
    if (/^y$/i.test(input)) onConfirm();
    else if (/^n$/i.test(input) || key.return) onCancel();
  });
  return (
    <>
      <Title title={title} help="Nothing has changed yet." />
      {lines.map((l) => (
        <Text key={l} wrap="wrap">
          {l}
        </Text>
      ))}
      {typed ? (
        <Text>
          Type the cluster name ({typed}) to go on: <TextInput value={value} onChange={setValue} />
        </Text>
      ) : (
        <Text>Go on? [y/N]</Text>
      )}
      <KeyHints
        keys={
          typed
            ? [
                ['enter', 'confirm'],
                ['esc', 'back'],
              ]
            : [
                ['y', 'go on'],
                ['n/esc', 'back'],
              ]
        }
      />
    </>
  );
}
