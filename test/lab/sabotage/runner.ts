// Runs the real engine against the lab with one planted mistake, from the lab's operator namespace:
// `node runner.mjs CASE ANSWERS STATE_DIR KUBECONFIG_DIR`. Prints the engine's events as JSON lines,
// as `apply --output json` does. The mistake lives in a transport wrapper; the answers are untouched.
import { loadAnswersFile } from '../../../src/answers/load.js';
import type { Host } from '../../../src/answers/schema.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { Engine } from '../../../src/steps/engine/engine.js';
import { install } from '../../../src/steps/index.js';
import { transportSetup } from '../../../src/steps/transport/setup.js';
import type { ExecOptions, Transport } from '../../../src/steps/transport/types.js';
import { ALL_REPAIRS, allRepairs, SABOTAGE, type Hosts } from './cases.js';

const [caseName = '', answersFile = '', stateDir = '', kubeconfigDir = ''] = process.argv.slice(2);
const planted = caseName === ALL_REPAIRS ? allRepairs() : SABOTAGE[caseName];
if (!planted) throw new Error(`no sabotage case ${caseName}`);
const sabotage = planted;
const catalog = loadCatalog();
const answers = loadAnswersFile(answersFile, catalog);
const write = (e: unknown) => process.stdout.write(`${JSON.stringify(e)}\n`);
const setup = transportSetup('ssh', answers, stateDir, (m) => write({ type: 'notice', message: m }));
// Side effects (disturbing the cluster at a chosen moment) go through connections of their own.
const side = new Map<string, Transport>();
const hosts: Hosts = {
  run: (name, command) => {
    let t = side.get(name);
    if (!t) side.set(name, (t = setup.factory(answers.hosts.find((h) => h.name === name)!)));
    return t.exec(command, { timeoutMs: 60_000 });
  },
};

function sabotaged(h: Host, t: Transport): Transport {
  return {
    host: t.host,
    connect: () => t.connect(),
    close: () => t.close(),
    download: (p) => t.download(p),
    upload: (p, content, mode) =>
      t.upload(p, sabotage.upload ? sabotage.upload(h.name, p, content.toString()) : content, mode),
    exec: async (command: string, opts?: ExecOptions) =>
      t.exec((await sabotage.exec?.(h.name, command, hosts)) ?? command, opts),
  };
}

const engine = new Engine({
  operation: install,
  answers,
  catalog,
  transport: (h) => sabotaged(h, setup.factory(h)),
  stateRoot: stateDir,
  kubeconfigDir,
  extraSecrets: setup.secrets,
  // Retries happen as in a real run, only sooner; a wait for the cluster to recover is shorter.
  retryDelayScale: 0.2,
  waitScale: 0.25,
}).on(write);
const out = await engine.run();
for (const t of side.values()) await t.close();
process.exitCode = out.status === 'completed' ? 0 : 1;
