// Plain lines for non-TTY runs (CI logs), ending with an Ansible-style recap per node.
import type { EngineEvent, FailureInfo, Recap } from '../../steps/engine/events.js';

export function formatFailure(f: FailureInfo): string[] {
  const lines = [
    `FAILED: ${f.stepTitle} on ${f.node} after ${f.attempts} attempt(s)${f.unreachable ? ' (host unreachable)' : ''}`,
    `  ${f.message.split('\n').join('\n  ')}`,
  ];
  if (f.command) lines.push(`  command:   ${f.command}`);
  if (f.exitCode !== undefined) lines.push(`  exit code: ${f.exitCode}`);
  if (f.stderrTail.length) lines.push('  last output:', ...f.stderrTail.map((l) => `    ${l}`));
  if (f.cause) lines.push(`  cause:     ${f.cause}`);
  if (f.hint) lines.push(`  fix:       ${f.hint}`);
  lines.push(`  log:       ${f.logPath}`);
  return lines;
}

export function formatRecap(recap: Record<string, Recap>): string[] {
  const width = Math.max(...Object.keys(recap).map((n) => n.length));
  return Object.entries(recap).map(
    ([n, r]) =>
      `${n.padEnd(width)} : ok=${r.ok} changed=${r.changed} unreachable=${r.unreachable} failed=${r.failed} skipped=${r.skipped}`,
  );
}

export function plainRenderer(write: (line: string) => void, verbose = false): (e: EngineEvent) => void {
  let operation = 'install';
  return (e) => {
    switch (e.type) {
      case 'run-started':
        operation = e.operation;
        write(
          `${e.resumed ? 'resuming' : 'starting'} run ${e.runId} for cluster ${e.cluster}: ${e.nodes.length} node(s), ${e.steps.length} step(s); logs in ${e.logDir}`,
        );
        break;
      case 'notice':
        write(`${e.node ? `[${e.node}] ` : ''}note: ${e.message}`);
        break;
      case 'step-started':
        if (verbose || e.attempt > 1)
          write(`[${e.node}] ${e.step}: started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
        break;
      case 'output-line':
        if (verbose) write(`[${e.node}] ${e.stream === 'command' ? '$ ' : '  '}${e.line}`);
        break;
      case 'step-retrying':
        write(
          `[${e.node}] ${e.step}: attempt ${e.attempt} failed (${e.message.split('\n')[0]}); retrying in ${Math.round(e.delayMs / 1000)} s`,
        );
        break;
      case 'step-finished':
        write(
          `[${e.node}] ${e.step}: ${e.status === 'unchanged' ? 'ok' : e.status}${e.durationMs >= 1000 ? ` (${(e.durationMs / 1000).toFixed(1)} s)` : ''}`,
        );
        break;
      case 'node-unreachable':
        write(`[${e.node}] UNREACHABLE: ${e.message}`);
        break;
      case 'run-finished':
        if (e.failure) for (const l of formatFailure(e.failure)) write(l);
        write('');
        write('RECAP');
        for (const l of formatRecap(e.recap)) write(l);
        write('');
        write(
          `${e.status === 'completed' ? (operation === 'install' ? 'cluster ready' : `${operation} done`) : e.status === 'aborted' ? 'aborted' : 'failed'} in ${(e.durationMs / 1000).toFixed(1)} s; logs in ${e.logDir}`,
        );
        if (e.kubeconfigPath)
          write(`kubeconfig: ${e.kubeconfigPath}  (try: kubectl --kubeconfig ${e.kubeconfigPath} get nodes)`);
        if (e.status !== 'completed' && !e.failure?.refused)
          write(
            operation === 'install'
              ? 'run `k8sha-wizard apply` again with the same answers (or `k8sha-wizard resume`) to continue from here'
              : `run the same ${operation} command again (or \`k8sha-wizard resume\`) to continue from here`,
          );
        break;
      default:
        break;
    }
  };
}
