// The --dry-run form of every day-2 command: the operation over recording transports, then what
// would run, per host. A dry run that stops says where (exit 2 for a refusal, 1 otherwise).
import type { Host } from '../answers/schema.js';
import { printRecorded } from './output/recorded.js';
import { runEngine, type EngineRun } from './run-engine.js';

export async function dryRun(run: EngineRun, hosts: Host[], title: string): Promise<number> {
  const { outcome, recorded } = await runEngine({ ...run, record: {}, quiet: true });
  if (outcome.status !== 'completed') {
    const f = outcome.failure;
    process.stderr.write(
      `error: the dry run stopped${f ? ` at ${f.step} on ${f.node}: ${f.message}` : ''}\n`,
    );
    return f?.refused ? 2 : 1;
  }
  printRecorded(hosts, recorded, 'text', title);
  return 0;
}
