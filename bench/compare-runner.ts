// Runs inside the lab's operator namespace for bench/compare.ts.
//   plan <answers> <out.json>   the engine's plan (real facts, dry run) as one shell script per step and host
//   run <answers> <plan.json>   run those scripts with the engine's transport: one ssh2 connection per
//                               host, 10 hosts at a time, each step finished everywhere before the next
import { readFileSync, writeFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { loadAnswersFile } from '../src/answers/load.js';
import { loadCatalog } from '../src/catalog/load.js';
import { createEngine } from '../src/steps/engine/create.js';
import { stagesSteps } from '../src/steps/engine/operation.js';
import { install } from '../src/steps/index.js';
import { transportSetup } from '../src/steps/transport/setup.js';
import { resolveCredentials } from '../src/steps/transport/credentials.js';
import { quote } from '../src/steps/transport/shell.js';
import ssh2 from 'ssh2';
import type { Transport } from '../src/steps/transport/types.js';

interface Plan {
  steps: { id: string; scripts: Record<string, string> }[];
}

/** An upload as a shell command, so the comparison runs everything as scripts. */
function uploadCommand(path: string, content: Buffer, mode: number): string {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  return `mkdir -p ${quote(dir)} && echo ${quote(content.toString('base64'))} | base64 -d > ${quote(path)} && chmod ${mode.toString(8)} ${quote(path)}`;
}

async function plan(answersPath: string, out: string): Promise<void> {
  const catalog = loadCatalog();
  const answers = loadAnswersFile(answersPath, catalog);
  // The engine's own dry run over real reads: what a first install would run, per step and host.
  const { engine, recorded } = await createEngine({
    operation: install,
    answers,
    catalog,
    record: {},
    stateRoot: STATE,
    kubeconfigDir: '/tmp/k8sha-compare-kube',
  });
  const outcome = await engine.run();
  if (outcome.status !== 'completed') throw new Error(`the dry run stopped: ${outcome.failure?.message}`);
  // Control planes join one at a time in the engine; each join is its own step here too.
  const steps: Plan['steps'] = [];
  for (const x of recorded()) {
    const id = x.step === 'join-control-plane' ? `${x.step}@${x.node}` : x.step;
    let s = steps.find((y) => y.id === id);
    if (!s) steps.push((s = { id, scripts: {} }));
    const text = x.kind === 'upload' ? uploadCommand(x.text, x.content!, x.mode!) : x.command!;
    s.scripts[x.host] = `${s.scripts[x.host] ?? 'set -e'}\n${text}`;
  }
  // recorded() lists each host's actions in turn; the steps run in the operation's order (a worker's
  // join comes after the control planes' steps, not after master01's last one).
  const order = stagesSteps(install.stages).map((s) => s.id);
  const rank = (id: string) => order.indexOf(id.split('@')[0]!);
  steps.sort((x, y) => rank(x.id) - rank(y.id));
  writeFileSync(out, JSON.stringify({ steps } satisfies Plan));
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

/**
 * N trivial commands per host, side by side: the engine's transport (what every step uses) against a
 * bare ssh2 client with one connection per host. Both connect, run `true` N times in sequence per
 * host, hosts 10 at a time, and close; three rounds alternating, medians.
 */
async function trivial(answersPath: string, n: number): Promise<void> {
  const catalog = loadCatalog();
  const answers = loadAnswersFile(answersPath, catalog);
  const limit = pLimit(10);
  const ssh = transportSetup('ssh', answers, STATE, () => undefined);
  const engineRound = async () => {
    const t0 = Date.now();
    await Promise.all(
      answers.hosts.map((h) =>
        limit(async () => {
          const t = ssh.factory(h);
          await t.connect();
          for (let i = 0; i < n; i++) if ((await t.exec('true')).code !== 0) throw new Error('true failed');
          await t.close();
        }),
      ),
    );
    return Date.now() - t0;
  };
  const rawRound = async () => {
    const t0 = Date.now();
    await Promise.all(
      answers.hosts.map((h) =>
        limit(async () => {
          const creds = resolveCredentials(answers, h, process.env);
          const c = new ssh2.Client();
          await new Promise<void>((ok, fail) => {
            c.once('ready', ok).once('error', fail);
            c.connect({
              host: h.address,
              port: creds.port,
              username: creds.user,
              privateKey: creds.privateKey!,
            });
          });
          for (let i = 0; i < n; i++)
            await new Promise<void>((ok, fail) =>
              c.exec('true', (err, stream) => {
                if (err) return fail(err);
                stream.on('close', (code: number) => (code === 0 ? ok() : fail(new Error(`exit ${code}`))));
                stream.resume();
                stream.stderr.resume();
              }),
            );
          c.end();
        }),
      ),
    );
    return Date.now() - t0;
  };
  const eng: number[] = [];
  const raw: number[] = [];
  for (let round = 0; round < 3; round++) {
    raw.push(await rawRound());
    eng.push(await engineRound());
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[1]!;
  console.log(`trivial-raw-ms=${med(raw)} trivial-engine-ms=${med(eng)}`);
}

const [cmd, a, b, stateDir] = process.argv.slice(2);
// Host keys are per lab: keep them in the lab's own directory.
const STATE = stateDir ?? '/tmp/k8sha-compare-state';
if (cmd === 'plan') await plan(a!, b!);
else if (cmd === 'run') await run(a!, b!);
else if (cmd === 'trivial') await trivial(a!, Number(b));
else throw new Error('usage: compare-runner plan|run ANSWERS FILE');
