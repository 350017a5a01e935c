// Runs inside the lab's operator namespace for bench/compare.ts.
//   plan <answers> <out.json>   the engine's plan (real facts, dry run) as one shell script per step and host
//   run <answers> <plan.json>   run those scripts with the engine's transport: one ssh2 connection per
//                               host, 10 hosts at a time, each step finished everywhere before the next
import { readFileSync, writeFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { loadAnswersFile } from '../src/answers/load.js';
import type { Host } from '../src/answers/schema.js';
import { loadCatalog } from '../src/catalog/load.js';
import { Engine } from '../src/steps/engine/engine.js';
import type { EngineEvent } from '../src/steps/engine/events.js';
import { gatherNodeFacts } from '../src/steps/engine/gather-facts.js';
import type { NodeFacts } from '../src/steps/engine/facts.js';
import { DryRunTransport } from '../src/steps/transport/dry-run.js';
import { transportSetup } from '../src/steps/transport/setup.js';
import { quote } from '../src/steps/transport/shell.js';
import type { Transport } from '../src/steps/transport/types.js';

interface Plan {
  steps: { id: string; scripts: Record<string, string> }[];
}

/** A dry-run transport that keeps what it would upload and which step asked. */
class Recorder extends DryRunTransport {
  readonly lines: { step: string; text: string }[] = [];
  constructor(
    host: string,
    private readonly stepOf: (host: string) => string,
  ) {
    super(host);
  }
  override async exec(
    command: string,
  ): Promise<{ code: number; stdout: string; stderr: string; durationMs: number }> {
    this.lines.push({ step: this.stepOf(this.host), text: command });
    return super.exec(command);
  }
  override async upload(path: string, content: string | Buffer, mode: number): Promise<void> {
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    const data = Buffer.from(content).toString('base64');
    this.lines.push({
      step: this.stepOf(this.host),
      text: `mkdir -p ${quote(dir)} && echo ${quote(data)} | base64 -d > ${quote(path)} && chmod ${mode.toString(8)} ${quote(path)}`,
    });
    return super.upload(path, content, mode);
  }
}

async function plan(answersPath: string, out: string): Promise<void> {
  const catalog = loadCatalog();
  const answers = loadAnswersFile(answersPath, catalog);
  const ssh = transportSetup('ssh', answers, STATE, () => undefined);
  const facts: Record<string, NodeFacts> = {};
  await Promise.all(
    answers.hosts.map(async (h) => {
      const t = ssh.factory(h);
      facts[h.name] = await gatherNodeFacts(t, answers, h);
      await t.close();
    }),
  );
  // Which step each host is in: its own, or the cluster step that runs things on it.
  const current = new Map<string, string>();
  let clusterStep = '';
  const recorders = new Map<string, Recorder>();
  const stepOf = (host: string) => current.get(host) ?? clusterStep;
  const engine = new Engine({
    answers,
    catalog,
    transport: (h: Host) => {
      const r = new Recorder(h.name, stepOf);
      recorders.set(h.name, r);
      return r;
    },
    stateRoot: STATE,
    kubeconfigDir: '/tmp/k8sha-compare-kube',
    dryRun: true,
    dryRunFacts: (h) => facts[h.name]!,
  });
  // Control planes join one at a time in the engine; each join is its own step here too.
  const order: string[] = [];
  engine.on((e: EngineEvent) => {
    if (e.type === 'step-started') {
      const key = e.step === 'join-control-plane' ? `${e.step}@${e.node}` : e.step;
      current.set(e.node, key);
      clusterStep = key;
      if (!order.includes(key)) order.push(key);
    }
    if (e.type === 'step-finished') current.delete(e.node);
  });
  await engine.run();
  const steps = order.map((id) => ({ id, scripts: {} as Record<string, string> }));
  for (const [host, r] of recorders) {
    for (const l of r.lines) {
      const s = steps.find((x) => x.id === l.step);
      if (!s) continue;
      s.scripts[host] = `${s.scripts[host] ?? 'set -e'}\n${l.text}`;
    }
  }
  writeFileSync(
    out,
    JSON.stringify({ steps: steps.filter((s) => Object.keys(s.scripts).length) } satisfies Plan),
  );
  const commands = steps.reduce(
    (n, s) => n + Object.values(s.scripts).reduce((m, x) => m + x.split('\n').length - 1, 0),
    0,
  );
  console.log(`plan: ${steps.length} steps, ${commands} commands over ${answers.hosts.length} hosts`);
}

async function run(answersPath: string, planPath: string): Promise<void> {
  const catalog = loadCatalog();
  const answers = loadAnswersFile(answersPath, catalog);
  const p = JSON.parse(readFileSync(planPath, 'utf8')) as Plan;
  const ssh = transportSetup('ssh', answers, STATE, () => undefined);
  const transports = new Map<string, Transport>(answers.hosts.map((h) => [h.name, ssh.factory(h)]));
  const limit = pLimit(10);
  const t0 = Date.now();
  for (const step of p.steps) {
    await Promise.all(
      Object.entries(step.scripts).map(([host, script]) =>
        limit(async () => {
          const r = await transports.get(host)!.exec(script, { timeoutMs: 20 * 60_000 });
          if (r.code !== 0) throw new Error(`${host} ${step.id} exited ${r.code}: ${r.stderr.slice(-500)}`);
        }),
      ),
    );
  }
  const ms = Date.now() - t0;
  await Promise.all([...transports.values()].map((t) => t.close()));
  console.log(`engine-run-ms=${ms}`);
}

const [cmd, a, b, stateDir] = process.argv.slice(2);
// Host keys are per lab: keep them in the lab's own directory.
const STATE = stateDir ?? '/tmp/k8sha-compare-state';
if (cmd === 'plan') await plan(a!, b!);
else if (cmd === 'run') await run(a!, b!);
else throw new Error('usage: compare-runner plan|run ANSWERS FILE');
