// A form of text and choice fields. ↑/↓ or Tab move between fields, ←/→ change a choice, Enter
// continues when the screen's fields are valid, Esc goes back. Each field shows its problem beside it.
import { Box, Text, useInput } from 'ink';
import { useState, type ReactNode } from 'react';
import { KeyHints } from './KeyHints.js';
import { TextEntry } from './TextEntry.js';

export interface TextField {
  kind: 'text';
  key: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  hint?: string;
  error?: string;
  /** Masked input (passwords). */
  mask?: boolean;
  /** An empty value is an error, shown once the operator tries to continue. */
  required?: boolean;
}

export interface ChoiceField {
  kind: 'choice';
  key: string;
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (v: string) => void;
  hint?: string;
  error?: string;
}

export type Field = TextField | ChoiceField;

export interface FormProps {
  fields: Field[];
  onSubmit: () => void;
  onBack: () => void;
  /** Problems that belong to the screen but to no single field. */
  banner?: ReactNode;
  extraKeys?: [string, string][];
  onKey?: (input: string) => boolean;
}

export function Form({ fields, onSubmit, onBack, banner, extraKeys = [], onKey }: FormProps) {
  const [focus, setFocus] = useState(0);
  const [tried, setTried] = useState(false);
  const current = fields[Math.min(focus, fields.length - 1)];
  const errorOf = (f: Field) =>
    f.error ?? (f.kind === 'text' && f.required && !f.value.trim() ? 'is required' : undefined);
  const hasErrors = fields.some((f) => errorOf(f));
  useInput((input, key) => {
    if (key.escape) return onBack();
    if (key.upArrow || (key.tab && key.shift))
      return setFocus((f) => (f - 1 + fields.length) % fields.length);
    if (key.downArrow || key.tab) return setFocus((f) => (f + 1) % fields.length);
    if (key.return) {
      setTried(true);
      if (!hasErrors) onSubmit();
      return;
    }
    if (current?.kind === 'choice' && (key.leftArrow || key.rightArrow || input === ' ')) {
      const i = current.options.findIndex((o) => o.value === current.value);
      const next = (i + (key.leftArrow ? -1 : 1) + current.options.length) % current.options.length;
      current.onChange(current.options[next]!.value);
      return;
    }
    if (current?.kind === 'choice' && onKey) onKey(input);
  });
  const width = Math.max(...fields.map((f) => f.label.length));
  return (
    <Box flexDirection="column">
      {banner}
      {fields.map((f, i) => {
        const focused = i === focus;
        return (
          <Box key={f.key} flexDirection="column">
            <Box>
              <Text color={focused ? 'cyan' : undefined}>{focused ? '› ' : '  '}</Text>
              <Text bold={focused}>{f.label.padEnd(width)} </Text>
              {f.kind === 'text' ? (
                <TextEntry
                  value={f.value}
                  onChange={f.onChange}
                  focus={focused}
                  placeholder={f.placeholder ?? ''}
                  {...(f.mask ? { mask: '*' } : {})}
                />
              ) : (
                <Text>
                  {focused ? '‹ ' : '  '}
                  {f.options.find((o) => o.value === f.value)?.label ?? f.value}
                  {focused ? ' ›' : ''}
                </Text>
              )}
            </Box>
            {f.error || (tried && errorOf(f)) ? (
              <Text color="red">
                {'    '}✗ {errorOf(f)}
              </Text>
            ) : focused && f.hint ? (
              <Text dimColor>
                {'    '}
                {f.hint}
              </Text>
            ) : null}
          </Box>
        );
      })}
      {tried && hasErrors ? <Text color="red">Fix the fields marked ✗ to continue.</Text> : null}
      <KeyHints
        keys={[
          ['↑/↓', 'field'],
          ...(fields.some((f) => f.kind === 'choice') ? ([['←/→', 'choose']] as [string, string][]) : []),
          ['enter', 'continue'],
          ['esc', 'back'],
          ...(current?.kind === 'text' ? ([['ctrl-u', 'clear']] as [string, string][]) : []),
          ...extraKeys,
          ['ctrl-c', 'save & quit'],
        ]}
      />
    </Box>
  );
}
