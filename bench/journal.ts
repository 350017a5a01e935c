// npm run bench:journal — the run journal for a 1000-host install, written at every step change the
// engine makes (running, then done, for each of its steps on each host), side by side in one run:
//  - the append-only journal (src/state/journal.ts): one line per change, marks fsynced at once,
//    periodic fsync and compaction;
//  - the former journal, which rewrote and fsynced the whole pretty-printed file at every change:
//    timed over its first REWRITE_SAMPLE changes and extrapolated (the whole run would take minutes).
// Target: under 2 s of blocked event loop in total for the append-only journal.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { validateAnswers } from '../src/answers/load.js';
import { loadCatalog } from '../src/catalog/load.js';
import { install } from '../src/steps/index.js';
import { Engine } from '../src/steps/engine/engine.js';
import { writeFileAtomic } from '../src/state/atomic-write.js';
import { JournalWriter, readJournal, stepKey, type Journal, type StepRecord } from '../src/state/journal.js';

const HOSTS = 1000;
const REWRITE_SAMPLE = 300;

const catalog = loadCatalog();
const hosts = [
  ...[1, 2, 3].map((i) => ({ name: `master${i}`, address: `10.0.0.${i}`, role: 'control-plane' })),
  ...Array.from({ length: HOSTS - 3 }, (_, i) => ({
    name: `worker${i + 1}`,
    address: `10.0.${4 + Math.floor(i / 250)}.${(i % 250) + 1}`,
    role: 'worker',
  })),
];
const answers = validateAnswers(
  {
    apiVersion: 'k8sha-wizard/v1',
    cluster: { name: 'bench' },
    hosts,
    loadBalancer: { vip: '10.0.0.200/16' },
    network: { serviceCIDR: '10.96.0.0/16', podCIDR: '172.20.0.0/14' },
  },
  'bench answers',
  catalog,
);
// The changes the engine makes: each step that applies to a host, started then finished.
const changes: { node: string; step: string; rec: StepRecord }[] = [];
for (const { step, nodes } of Engine.layout(install, answers))
  for (const n of nodes)
    for (const state of ['running', 'done'] as const)
      changes.push({
        node: n.name,
        step: step.id,
        rec: { state, attempts: 1, startedAt: new Date().toISOString() },
      });

function journal(dir: string): Journal {
  const now = new Date().toISOString();
  return {
    version: 1,
    runId: 'bench',
    cluster: 'bench',
    answersHash: 'x',
    answers,
    status: 'running',
    startedAt: now,
    updatedAt: now,
    resumes: 0,
    steps: {},
    marks: {},
    logDir: join(dir, 'logs'),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'k8sha-bench-journal-'));
try {
  // The append-only journal, with the engine's rhythm: the event loop turns between changes, so the
  // periodic fsync timer fires as it would in a run. Blocked time = time inside the writer.
  let blocked = 0;
  const proto = JournalWriter.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const m of ['step', 'mark', 'status', 'sync', 'compact']) {
    const orig = proto[m]!;
    proto[m] = function (this: unknown, ...args: unknown[]) {
      const t = performance.now();
      try {
        return orig.apply(this, args);
      } finally {
        blocked += performance.now() - t;
      }
    };
  }
  const appendDir = join(dir, 'append');
  const started = performance.now();
  const w = new JournalWriter(appendDir, journal(appendDir));
  for (const [i, c] of changes.entries()) {
    w.step(c.node, c.step, c.rec);
    if (i === changes.length / 4) w.mark('initCompletedAt', new Date().toISOString());
    if (i % 50 === 0) await yieldToLoop();
  }
  w.status('completed');
  w.close();
  const wall = performance.now() - started;
  const back = readJournal(appendDir)!;
  const ok = changes.every((c) => back.steps[stepKey(c.node, c.step)]?.state === 'done');
  const size = statSync(join(appendDir, 'journal.jsonl')).size;

  // The former journal: the whole file, pretty-printed, rewritten atomically with fsync at each change.
  const rewriteDir = join(dir, 'rewrite');
  const j = journal(rewriteDir);
  let rewriteMs = 0;
  let rewriteBytes = 0;
  for (const c of changes.slice(0, REWRITE_SAMPLE)) {
    j.steps[stepKey(c.node, c.step)] = c.rec;
    const t = performance.now();
    const text = `${JSON.stringify(j, null, 2)}\n`;
    writeFileAtomic(join(rewriteDir, 'journal.json'), text, 0o600);
    rewriteMs += performance.now() - t;
    rewriteBytes += Buffer.byteLength(text);
  }
  // Later rewrites are bigger (every step so far is in the file): scale by the mean size.
  const finalSize = Buffer.byteLength(
    `${JSON.stringify({ ...j, steps: Object.fromEntries(changes.map((c) => [stepKey(c.node, c.step), c.rec])) }, null, 2)}\n`,
  );
  const meanSampleSize = rewriteBytes / REWRITE_SAMPLE;
  const growth = (meanSampleSize + finalSize) / 2 / meanSampleSize;
  const estMs = (rewriteMs / REWRITE_SAMPLE) * changes.length * growth;
  const estBytes = ((meanSampleSize + finalSize) / 2) * changes.length;

  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
  console.log(
    `journal for ${HOSTS} hosts: ${changes.length} step changes (each step started and finished on each host)`,
  );
  console.log(
    `append-only: blocked ${(blocked / 1000).toFixed(2)} s in total (target < 2 s), ${mb(w.stats.bytes)} written in ${w.stats.writes} appends, ` +
      `${w.stats.compactions} snapshot(s), ${w.stats.syncs} fsync(s); wall ${(wall / 1000).toFixed(2)} s; final file ${mb(size)}; read back: ${ok ? 'every step done' : 'MISMATCH'}`,
  );
  console.log(
    `full rewrite (former): ${(rewriteMs / REWRITE_SAMPLE).toFixed(1)} ms per change over the first ${REWRITE_SAMPLE}; ` +
      `estimated ${(estMs / 1000).toFixed(0)} s blocked and ${mb(estBytes)} written for all ${changes.length} changes`,
  );
  console.log(
    `ratio: the former journal blocks about ${(estMs / blocked).toFixed(0)}x as long and writes ${(estBytes / w.stats.bytes).toFixed(0)}x as much`,
  );
  if (!ok) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
