// What a dry run recorded, printed per host and step: `plan`, and --dry-run of every operation.
import type { Host } from '../../answers/schema.js';
import type { NodeFacts } from '../../steps/engine/facts.js';
import type { RecordedAction } from '../../steps/transport/dry-run.js';

export type PlanFormat = 'text' | 'commands' | 'json';

/** Recorded actions as the plan shows them: per host, per step, in order. */
export function byHostAndStep(actions: RecordedAction[]): Map<string, { step: string; lines: string[] }[]> {
  const out = new Map<string, { step: string; lines: string[] }[]>();
  for (const x of actions) {
    const list = out.get(x.host) ?? [];
    if (list.at(-1)?.step !== x.step) list.push({ step: x.step, lines: [] });
    list.at(-1)!.lines.push(x.kind === 'upload' ? `write ${x.text} (mode ${x.mode?.toString(8)})` : x.text);
    out.set(x.host, list);
  }
  return out;
}

export function printRecorded(
  hosts: Host[],
  recorded: RecordedAction[],
  format: PlanFormat,
  header: string,
  facts: Record<string, NodeFacts> = {},
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): void {
  const byNode = byHostAndStep(recorded);
  if (format === 'json') {
    write(JSON.stringify(Object.fromEntries(byNode), null, 2));
    return;
  }
  if (format === 'commands') {
    for (const h of hosts) {
      write(`### ${h.name}`);
      for (const s of byNode.get(h.name) ?? []) for (const l of s.lines) write(l);
    }
    return;
  }
  write(header);
  for (const h of hosts) {
    write('');
    write(`${h.name} (${h.role}${facts[h.name]?.osFamily ? `, ${facts[h.name]!.osFamily}` : ''})`);
    const steps = byNode.get(h.name) ?? [];
    if (!steps.length) write('  (nothing to change)');
    for (const s of steps) {
      write(`  ${s.step}`);
      for (const l of s.lines) write(`    ${l}`);
    }
  }
}
