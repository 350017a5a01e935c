// Screen: first every node's SSH host key (new keys are shown with their fingerprints and trusted
// only when the operator says so, all at once; a changed key stops here), then the read-only checks,
// one row per node. Failures are explained; go back, edit, and check again.
import { Box, Text, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { Answers } from '../answers/schema.js';
import type { HostCheck } from '../steps/session.js';
import type { HostKeyCheck } from '../steps/session.js';
import type { HostKeyScan } from '../steps/transport/ssh.js';
import { KeyHints } from './components/KeyHints.js';
import { Spinner } from './components/Spinner.js';
import { Title } from './components/Title.js';

export function Preflight({
  answers,
  step,
  run,
  scanKeys,
  trustKeys,
  onBack,
  onEdit,
  onContinue,
}: {
  answers: Answers;
  step: string;
  run: () => Promise<HostCheck>;
  scanKeys: () => Promise<HostKeyCheck>;
  trustKeys: (scans: HostKeyScan[]) => Promise<void>;
  onBack: () => void;
  onEdit: (section: 'hosts' | 'ssh') => void;
  onContinue: () => void;
}) {
  const [keys, setKeys] = useState<HostKeyCheck | undefined>();
  const [result, setResult] = useState<HostCheck | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [attempt, setAttempt] = useState(0);
  const runRef = useRef({ run, scanKeys });
  runRef.current = { run, scanKeys };
  useEffect(() => {
    let live = true;
    setKeys(undefined);
    setResult(undefined);
    setError(undefined);
    (async () => {
      const k = await runRef.current.scanKeys();
      if (!live) return;
      setKeys(k);
      // Checks log in: only once no key is waiting for the operator's word and none is refused.
      if (k.scans.some((x) => x.verdict !== 'known')) return;
      const r = await runRef.current.run();
      if (live) setResult(r);
    })().catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [attempt]);
  const newKeys = keys?.scans.filter((x) => x.verdict === 'new') ?? [];
  const badKeys = keys?.scans.filter((x) => x.verdict === 'changed' || x.verdict === 'revoked') ?? [];
  const asking = newKeys.length > 0 && badKeys.length === 0;
  const ok = !!result && result.problems.length === 0;
  useInput((input, key) => {
    if (key.escape) return onBack();
    if (input === 'r') return setAttempt((a) => a + 1);
    if (input === 'e') return onEdit('hosts');
    if (input === 's') return onEdit('ssh');
    if (input === 't' && asking)
      return void trustKeys(newKeys).then(
        () => setAttempt((a) => a + 1),
        (e: Error) => setError(e.message),
      );
    if (key.return && ok) onContinue();
  });
  const problemsOf = (node: string) => result?.problems.filter((p) => p.node === node) ?? [];
  return (
    <>
      <Title step={step} title="Preflight" help="Read-only checks on every node before anything changes." />
      {!keys && !error ? (
        <Spinner label={`reading the SSH host keys of ${answers.hosts.length} node(s)…`} />
      ) : null}
      {badKeys.map((k) => (
        <Text key={`${k.node}-bad`} color="red" wrap="wrap">
          ✗ {k.node}: the host key of {k.address} {k.verdict === 'revoked' ? 'is REVOKED' : 'has CHANGED'} (
          {k.type} {k.fingerprint}). Someone may be intercepting the connection, or the host was reinstalled:
          check it, and remove the old key from known_hosts only if you are sure.
        </Text>
      ))}
      {asking ? (
        <Box flexDirection="column">
          <Text wrap="wrap">
            {newKeys.length} host key(s) seen for the first time. Compare them with each host&apos;s own
            (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub there):
          </Text>
          {newKeys.map((k) => (
            <Text key={`${k.node}-${k.address}`} wrap="truncate-end">
              {'  '}
              {k.node.padEnd(11)}
              {`${k.address}${k.port === 22 ? '' : `:${k.port}`}`.padEnd(16)}
              {k.fingerprint}
              {k.type === 'ssh-ed25519' ? '' : ` (${k.type})`}
            </Text>
          ))}
          <Text color="yellow">
            t trusts all {newKeys.length} and records them; esc goes back without trusting any.
          </Text>
        </Box>
      ) : null}
      {keys && !asking && badKeys.length === 0 && !result && !error ? (
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
          ...(asking ? ([['t', 'trust these keys']] as [string, string][]) : []),
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
