// A SelectInput row that never wraps: long labels are cut at the terminal's edge, so a list of N
// items is N lines tall at 80 columns too.
import { Text } from 'ink';

export function Item({ isSelected = false, label }: { isSelected?: boolean; label: string }) {
  return (
    <Text color={isSelected ? 'cyan' : undefined} wrap="truncate-end">
      {label}
    </Text>
  );
}
