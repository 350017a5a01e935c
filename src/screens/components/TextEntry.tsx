// A text field on top of ink-text-input with the two edits operators expect of a prefilled value:
// focusing it selects the whole value, so the first key typed replaces it (Backspace empties it), and
// Ctrl-U clears the field at any time. Replacing "10.244.0.0/16" is one keystroke, not thirteen.
import { Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { useEffect, useRef, useState } from 'react';

export interface TextEntryProps {
  value: string;
  onChange: (v: string) => void;
  focus: boolean;
  placeholder?: string;
  mask?: string;
}

export function TextEntry({ value, onChange, focus, placeholder = '', mask }: TextEntryProps) {
  // A masked value (a password) is never shown selected: its length would be all there is to see.
  const [selected, setSelected] = useState(focus && !!value && !mask);
  // Each time the field gains focus, its value is selected again (as Tab into a browser field does).
  const prefilled = useRef(value);
  prefilled.current = value;
  useEffect(() => setSelected(focus && !!prefilled.current && !mask), [focus, mask]);
  // ink-text-input sees Ctrl-U too and inserts a "u"; that change, in the same keypress, is dropped.
  const clearing = useRef(false);
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'u') {
        clearing.current = true;
        queueMicrotask(() => (clearing.current = false));
        setSelected(false);
        onChange('');
        return;
      }
      if (!selected) return;
      if (key.upArrow || key.downArrow || key.tab || key.return || key.escape || key.ctrl) return;
      setSelected(false);
      if (key.backspace || key.delete) onChange('');
      else if (!key.leftArrow && !key.rightArrow && !key.home && !key.end && input) onChange(input);
    },
    { isActive: focus },
  );
  if (selected) return <Text inverse>{value}</Text>;
  return (
    <TextInput
      value={value}
      onChange={(v) => {
        if (!clearing.current) onChange(v);
      }}
      focus={focus}
      placeholder={placeholder}
      {...(mask ? { mask } : {})}
    />
  );
}
