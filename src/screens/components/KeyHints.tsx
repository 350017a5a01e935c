// The screen's keys, always shown at the bottom.
import { Box, Text } from 'ink';

/** The keys of a menu that opens what is selected (Review, Preview). */
export const MENU_KEYS: [key: string, action: string][] = [
  ['↑/↓', 'select'],
  ['enter', 'open'],
  ['esc', 'back'],
  ['ctrl-c', 'save & quit'],
];

export function KeyHints({ keys }: { keys: [key: string, action: string][] }) {
  return (
    <Box marginTop={1} flexWrap="wrap">
      {keys.map(([k, a], i) => (
        <Box key={k} marginRight={2}>
          <Text bold>{k}</Text>
          <Text dimColor> {a}</Text>
          {i < keys.length - 1 ? <Text dimColor> </Text> : null}
        </Box>
      ))}
    </Box>
  );
}
