// Every screen starts the same way: where you are in the flow, and what this screen is for.
import { Box, Text } from 'ink';

export function Title({ step, title, help }: { step?: string; title: string; help?: string }) {
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text>
        <Text bold color="cyan">
          k8sha-wizard
        </Text>
        {step ? <Text dimColor> · {step}</Text> : null}
        <Text bold> · {title}</Text>
      </Text>
      {help ? <Text dimColor>{help}</Text> : null}
    </Box>
  );
}
