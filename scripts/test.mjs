// `npm test` after the build and the type check: the suite in lanes that run side by side. Each lab
// lane is one vitest process with a lab of its own (its own namespace prefix and directory), running
// its files one at a time; the unit lane runs every other test file, in parallel. An install in the
// lab mostly waits on its hosts (the CPU is three quarters idle), so lanes side by side cut the wall
// time to about that of the longest lane.
//   node scripts/test.mjs            every lane; prints each lane's output when it ends, then a summary
//   node scripts/test.mjs FILTER...  one plain vitest run of the matching files (the default lab)
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_LANES, UNIT_LANE_PREFIX } from '../test/lanes.mjs';

const vitest = join('node_modules', 'vitest', 'vitest.mjs');
const filters = process.argv.slice(2);
if (filters.length) {
  const child = spawn(process.execPath, [vitest, 'run', ...filters], { stdio: 'inherit' });
  child.on('close', (code) => process.exit(code ?? 1));
} else {
  await runLanes();
}

async function runLanes() {
  mkdirSync('.test-logs', { recursive: true });
  const lanes = [
    // One worker: the unit tests are CPU-bound, and the lab lanes' health checks need their share.
    {
      name: 'unit',
      args: ['--maxWorkers=1'],
      env: { K8SHA_TEST_LANE: 'unit', K8SHA_LAB_PREFIX: UNIT_LANE_PREFIX },
    },
    ...LAB_LANES.map((l) => ({
      name: l.prefix,
      args: l.files,
      env: {
        K8SHA_LAB_PREFIX: l.prefix,
        K8SHA_LAB_DIR: join(process.cwd(), l.prefix === 'k8lab' ? '.lab' : `.lab-${l.prefix}`),
        ...l.env,
      },
    })),
  ];
  const children = new Set();
  const stop = (signal) => {
    for (const c of children) c.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const started = Date.now();
  console.log(
    `test lanes: ${lanes.map((l) => `${l.name} (${l.name === 'unit' ? 'the other' : l.args.length} files)`).join(', ')}`,
  );
  const results = await Promise.all(
    lanes.map(
      (lane) =>
        new Promise((resolve) => {
          const log = join('.test-logs', `${lane.name}.log`);
          const fd = openSync(log, 'w');
          const t0 = Date.now();
          const child = spawn(process.execPath, [vitest, 'run', ...lane.args], {
            env: { ...process.env, ...lane.env, FORCE_COLOR: '0' },
            stdio: ['ignore', fd, fd],
          });
          children.add(child);
          child.on('close', (code, signal) => {
            children.delete(child);
            closeSync(fd);
            const s = Math.round((Date.now() - t0) / 1000);
            // The whole output of the lane, in one piece, as soon as it ends.
            process.stdout.write(`\n===== lane ${lane.name}: exit ${code ?? signal} after ${s} s =====\n`);
            process.stdout.write(readFileSync(log, 'utf8'));
            resolve({ name: lane.name, code: code ?? 1, s });
          });
        }),
    ),
  );
  console.log(`\n===== test lanes, ${Math.round((Date.now() - started) / 1000)} s in all =====`);
  for (const r of results)
    console.log(`  ${r.code === 0 ? 'passed' : 'FAILED'}  ${r.name.padEnd(8)} ${r.s} s`);
  process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
}
