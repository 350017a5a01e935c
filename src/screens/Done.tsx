// Screen: the recap per node, where the kubeconfig and logs are, what to try, how to export.
import { Box, Text, useInput } from 'ink';
import type { RunOutcome } from '../steps/engine/engine.js';
import { KeyHints } from './components/KeyHints.js';
import { Title } from './components/Title.js';

export function Done({
  outcome,
  step,
  exportHint,
  notices,
  onExit,
  title,
}: {
  /** The title when it worked (day-2 operations name themselves). */
  title?: string;
  outcome: RunOutcome;
  step: string;
  exportHint: string;
  notices: string[];
  onExit: () => void;
}) {
  useInput((input, key) => {
    if (key.return || key.escape || input === 'q') onExit();
  });
  const ok = outcome.status === 'completed';
  const width = Math.max(...Object.keys(outcome.recap).map((n) => n.length));
  return (
    <>
      <Title
        step={step}
        title={
          ok
            ? (title ?? 'Done: the cluster is ready')
            : outcome.status === 'aborted'
              ? 'Stopped'
              : `${title ? 'Failed' : 'Install failed'}`
        }
      />
      <Box flexDirection="column">
        {Object.entries(outcome.recap).map(([n, r]) => (
          <Text key={n}>
            {n.padEnd(width)} : <Text color="green">ok={r.ok}</Text>{' '}
            <Text color="yellow">changed={r.changed}</Text>{' '}
            <Text color={r.unreachable ? 'red' : undefined}>unreachable={r.unreachable}</Text>{' '}
            <Text color={r.failed ? 'red' : undefined}>failed={r.failed}</Text> skipped={r.skipped}
          </Text>
        ))}
      </Box>
      <Box flexDirection="column" marginTop={1}>
        {outcome.failure ? (
          <Text color="red" wrap="wrap">
            ✗ {outcome.failure.stepTitle} on {outcome.failure.node}: {outcome.failure.message.split('\n')[0]}
          </Text>
        ) : null}
        {outcome.kubeconfigPath ? (
          <>
            <Text>kubeconfig: {outcome.kubeconfigPath}</Text>
            <Text>
              try: <Text bold>kubectl --kubeconfig {outcome.kubeconfigPath} get nodes</Text>
            </Text>
          </>
        ) : null}
        {notices.map((n) => (
          <Text key={n} color="cyan" wrap="wrap">
            {n}
          </Text>
        ))}
        <Text>logs: {outcome.logDir}</Text>
        {!ok ? (
          <Text>Start k8sha-wizard again (or run `k8sha-wizard resume`) to continue from here.</Text>
        ) : null}
        <Text>export the answers: {exportHint}</Text>
      </Box>
      <KeyHints keys={[['enter', 'quit']]} />
    </>
  );
}
