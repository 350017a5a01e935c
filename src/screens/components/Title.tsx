// Every screen starts the same way: where you are in the flow, and what this screen is for.
import { Box, Text } from 'ink';

export function Title({
  step,
  title,
  help,
  helpOneLine,
}: {
  step?: string;
  title: string;
  help?: string;
  /** Cut the help to one line (a path, on a screen that counts its rows) instead of wrapping it. */
  helpOneLine?: boolean;
}) {
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text>
        <Text bold color="cyan">
          k8sha-wizard
        </Text>
        {step ? <Text dimColor> · {step}</Text> : null}
        <Text bold> · {title}</Text>
      </Text>
      {help ? (
        <Text dimColor wrap={helpOneLine ? 'truncate-middle' : 'wrap'}>
          {help}
        </Text>
      ) : null}
    </Box>
  );
}
