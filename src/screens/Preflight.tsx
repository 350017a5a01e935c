// Screen: connect to every node and show the checks, one row per node. Failures are explained; go
// back, edit, and check again.
import { Box, Text, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { Answers } from '../answers/schema.js';
import type { HostCheck } from '../steps/engine/gather-facts.js';
import { KeyHints } from './components/KeyHints.js';
import { Spinner } from './components/Spinner.js';
import { Title } from './components/Title.js';

export function Preflight({
  answers,
  step,
  run,
  onBack,
  onEdit,
  onContinue,
}: {
  answers: Answers;
  step: string;
  run: () => Promise<HostCheck>;
  onBack: () => void;
  onEdit: (section: 'hosts' | 'ssh') => void;
  onContinue: () => void;
}) {
  const [result, setResult] = useState<HostCheck | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [attempt, setAttempt] = useState(0);
  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => {
    let live = true;
    setResult(undefined);
    setError(undefined);
    runRef.current().then(
      (r) => live && setResult(r),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [attempt]);
  const ok = !!result && result.problems.length === 0;
  useInput((input, key) => {
    if (key.escape) return onBack();
    if (input === 'r') return setAttempt((a) => a + 1);
    if (input === 'e') return onEdit('hosts');
    if (input === 's') return onEdit('ssh');
    if (key.return && ok) onContinue();
  });
  const problemsOf = (node: string) => result?.problems.filter((p) => p.node === node) ?? [];
  return (
    <>
      <Title step={step} title="Preflight" help="Read-only checks on every node before anything changes." />
      {!result && !error ? (
        <Spinner label={`connecting to ${answers.hosts.length} node(s) and checking them…`} />
      ) : null}
      {error ? <Text color="red">✗ {error}</Text> : null}
      {result ? (
        <Box flexDirection="column">
          <Text dimColor>
            {'  '}
            {'NODE'.padEnd(12)}
            {'ADDRESS'.padEnd(17)}
            {'OS'.padEnd(16)}
            {'CPU'.padEnd(5)}
            {'MEMORY'.padEnd(9)}RESULT
          </Text>
          {answers.hosts.map((h) => {
            const f = result.facts[h.name];
            const p = problemsOf(h.name);
            return (
              <Box key={h.name} flexDirection="column">
                <Text>
                  {p.length ? <Text color="red">✗ </Text> : <Text color="green">✓ </Text>}
                  {h.name.padEnd(12)}
                  {h.address.padEnd(17)}
                  {(f ? `${f.osId} ${f.osVersion}` : 'unreachable').padEnd(16).slice(0, 16)}
                  {(f ? String(f.cpus) : '-').padEnd(5)}
                  {(f ? `${(f.memMiB / 1024).toFixed(1)} GiB` : '-').padEnd(9)}
                  {p.length ? `${p.length} problem(s)` : 'ready'}
                </Text>
                {p.map((x) => (
                  <Text key={x.message} color="red" wrap="wrap">
                    {'    '}
                    {x.message}
                  </Text>
                ))}
              </Box>
            );
          })}
          {problemsOf('(network)').map((x) => (
            <Text key={x.message} color="red">
              ✗ {x.message}
            </Text>
          ))}
          <Text color={ok ? 'green' : 'red'}>
            {ok
              ? 'All nodes passed. Enter starts the install.'
              : 'Fix the problems (e: hosts, s: SSH access), then r to check again.'}
          </Text>
        </Box>
      ) : null}
      <KeyHints
        keys={[
          ...(ok ? ([['enter', 'install']] as [string, string][]) : []),
          ['r', 'check again'],
          ['e', 'edit hosts'],
          ['s', 'edit SSH'],
          ['esc', 'back'],
          ['ctrl-c', 'save & quit'],
        ]}
      />
    </>
  );
}
