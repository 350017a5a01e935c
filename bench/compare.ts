// npm run bench:compare — the engine beside Ansible (ansible-core, what Kubespray runs on), on the
// same commands and the same lab hosts: the engine's plan for the lab's topology as shell scripts per
// step and host, run (1) with the engine's transport and (2) with ansible-playbook's shell module
// (forks 10, pipelining, ControlPersist), each on a fresh lab. For 5 hosts and 3 masters + 50 workers.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { labDown, labUp, wsArgv, type LabState } from '../test/lab/lab.js';

function ws(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; out: string } {
  const [cmd, ...rest] = wsArgv(args);
  const r = spawnSync(cmd!, rest, {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function runner(): string {
  const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', '--build-only', 'bench/compare-runner.ts'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return resolve(r.stdout.trim());
}

function ansiblePlaybook(state: LabState, planPath: string, dir: string): number {
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as {
    steps: { id: string; scripts: Record<string, string> }[];
  };
  const inventory = [
    '[lab]',
    ...state.hosts.map((h) => `${h.name} ansible_host=${h.address}`),
    '',
    '[lab:vars]',
    'ansible_user=root',
    `ansible_ssh_private_key_file=${state.keyPath}`,
    'ansible_python_interpreter=/usr/bin/python3',
  ].join('\n');
  writeFileSync(join(dir, 'inventory.ini'), `${inventory}\n`);
  writeFileSync(
    join(dir, 'ansible.cfg'),
    [
      '[defaults]',
      'forks = 10',
      'host_key_checking = False',
      'gathering = explicit',
      'stdout_callback = minimal', // in ansible-core (dense is in community.general)
      'timeout = 30',
      '',
      '[ssh_connection]',
      'pipelining = True',
      'ssh_args = -o ControlMaster=auto -o ControlPersist=120s -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no',
      `control_path_dir = ${join(dir, 'cp')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'steps.json'),
    JSON.stringify({ steps: Object.fromEntries(plan.steps.map((s) => [s.id, s.scripts])) }),
  );
  const tasks = plan.steps.map((s) =>
    [
      `    - name: ${s.id}`,
      `      ansible.builtin.shell: "{{ steps['${s.id}'][inventory_hostname] }}"`,
      `      when: inventory_hostname in steps['${s.id}']`,
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'playbook.yml'),
    [
      '- hosts: lab',
      '  gather_facts: false',
      '  vars_files:',
      `    - ${join(dir, 'steps.json')}`,
      '  tasks:',
      ...tasks,
      '',
    ].join('\n'),
  );
  const t0 = Date.now();
  const r = ws(['ansible-playbook', '-i', join(dir, 'inventory.ini'), join(dir, 'playbook.yml')], {
    ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
  });
  const ms = Date.now() - t0;
  if (r.code !== 0) throw new Error(`ansible-playbook failed:\n${r.out.slice(-3000)}`);
  return ms;
}

if (process.getuid?.() !== 0) {
  console.error('bench:compare needs root (it runs the lab)');
  process.exit(1);
}
if (spawnSync('sh', ['-c', 'command -v ansible-playbook']).status !== 0) {
  console.error('ansible-playbook is not installed: apt-get install -y ansible-core');
  process.exit(1);
}
const js = runner();
const TRIVIAL = 30;
for (const [masters, workers] of [
  [3, 2],
  [3, 50],
] as const) {
  const label = `${masters} masters + ${workers} workers`;
  let engineMs = 0;
  const planPath = join(resolve('.bench'), `compare-plan-${masters}-${workers}.json`);
  let first = await labUp({ masters, workers });
  try {
    const p = ws([
      process.execPath,
      js,
      'plan',
      first.answersPath,
      planPath,
      join(first.dir, 'compare-state'),
    ]);
    if (p.code !== 0) throw new Error(p.out);
    console.log(`${label}: ${p.out.trim()}`);
    const r = ws([
      process.execPath,
      js,
      'run',
      first.answersPath,
      planPath,
      join(first.dir, 'compare-state'),
    ]);
    if (r.code !== 0) throw new Error(r.out);
    engineMs = Number(/engine-run-ms=(\d+)/.exec(r.out)![1]);
    // Trivial commands on the same (now installed) lab: the transport's own cost against raw ssh2.
    const t = ws([
      process.execPath,
      js,
      'trivial',
      first.answersPath,
      String(TRIVIAL),
      join(first.dir, 'compare-state'),
    ]);
    if (t.code !== 0) throw new Error(t.out);
    const rawMs = Number(/trivial-raw-ms=(\d+)/.exec(t.out)![1]);
    const transportMs = Number(/trivial-engine-ms=(\d+)/.exec(t.out)![1]);
    const ratio = transportMs / rawMs;
    console.log(
      `${label}: ${TRIVIAL} \`true\` per host (medians of 3, side by side): raw ssh2 ${(rawMs / 1000).toFixed(2)} s, the engine's transport ${(transportMs / 1000).toFixed(2)} s`,
    );
    console.log(
      `target: transport / raw ssh2 at ${masters + workers} hosts = ${ratio.toFixed(2)}× (target ≤ 1.3×) ${ratio <= 1.3 ? 'met' : 'MISSED'}`,
    );
  } finally {
    await labDown(first.dir);
  }
  first = await labUp({ masters, workers });
  try {
    const dir = join(first.dir, 'ansible');
    mkdirSync(join(dir, 'cp'), { recursive: true });
    const ansibleMs = ansiblePlaybook(first, planPath, dir);
    console.log(
      `${label}: k8sha-wizard engine ${(engineMs / 1000).toFixed(1)} s, ansible-playbook ${(ansibleMs / 1000).toFixed(1)} s; Ansible takes ${(ansibleMs / engineMs).toFixed(1)}× as long`,
    );
  } finally {
    await labDown(first.dir);
  }
}
