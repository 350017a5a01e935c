// npm run bench:render — validate and render a 500-node cluster; print wall time and peak memory.
// Target: under 300 ms wall time. Secrets (an RSA CA) are generated once beforehand, as in a real run.
import { performance } from 'node:perf_hooks';
import { validateAnswers } from '../src/answers/load.js';
import { loadCatalog } from '../src/catalog/load.js';
import { renderCluster } from '../src/render/index.js';
import { generateSecrets } from '../src/secrets/generate.js';

const NODES = Number(process.argv[2] ?? 500);
const RUNS = 10;

function answersFor(nodes: number): unknown {
  const hosts = [];
  for (let i = 0; i < 5; i++)
    hosts.push({ name: `master${i + 1}`, address: `10.20.0.${10 + i}`, role: 'control-plane' });
  for (let i = 0; i < nodes - 5; i++)
    hosts.push({ name: `worker${i + 1}`, address: `10.20.${1 + (i >> 8)}.${i & 255}`, role: 'worker' });
  return {
    apiVersion: 'k8sha-wizard/v1',
    cluster: { name: 'bench', kubernetesVersion: '1.36' },
    hosts,
    loadBalancer: { vip: '10.20.0.5/24', port: 8443, interface: 'eth0' },
    network: { podCIDR: '172.16.0.0/12', serviceCIDR: '10.96.0.0/12' },
    addons: { dashboard: 'kuboard' },
  };
}

const catalog = loadCatalog();
const t0 = performance.now();
const secrets = await generateSecrets();
const secretsMs = performance.now() - t0;
const data = answersFor(NODES);

const times: number[] = [];
let files = 0;
let bytes = 0;
for (let i = 0; i < RUNS; i++) {
  (globalThis as { gc?: () => void }).gc?.();
  const start = performance.now();
  const answers = validateAnswers(data, 'bench', catalog);
  const result = renderCluster({ answers, catalog, secrets });
  times.push(performance.now() - start);
  files = Object.values(result.nodes).reduce((n, fs) => n + fs.length, result.cluster.length);
  bytes = Object.values(result.nodes)
    .flat()
    .reduce((n, f) => n + f.content.length, 0);
}
times.sort((a, b) => a - b);
const rssMiB = process.resourceUsage().maxRSS / 1024;
console.log(
  `render bench: ${NODES} nodes, ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB of content`,
);
console.log(
  `  validate + render: slowest ${times.at(-1)!.toFixed(0)} ms, median ${times[Math.floor(RUNS / 2)]!.toFixed(0)} ms, best ${times[0]!.toFixed(0)} ms over ${RUNS} runs (target < 300 ms)`,
);
console.log(`  secrets (RSA-2048 CA, once per cluster): ${secretsMs.toFixed(0)} ms`);
console.log(
  `  peak RSS of the whole process: ${rssMiB.toFixed(0)} MiB; heap in use now: ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MiB`,
);
