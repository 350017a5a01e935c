// The command line: commands, options, and the mapping of errors to exit codes. Commands load their
// modules lazily, so `--version` and `validate` never pay for Ink or ssh2. Every expected error
// becomes a message plus a documented exit code, never a stack.
import { Command, CommanderError, Option } from 'commander';
import { describeUserError, ExitCode, isUserError } from '../errors.js';
import { packageVersion } from '../package-root.js';
import { DEFAULT_CONCURRENCY } from '../steps/engine/concurrency.js';

function catalogOption(): Option {
  return new Option(
    '--catalog <file>',
    'use this catalog of versions and mirrors instead of the built-in one',
  );
}

export function buildProgram(): Command {
  const program = new Command('k8sha-wizard')
    .description(
      'Install a highly available kubeadm Kubernetes cluster (haproxy + keepalived VIP) over SSH.\nRun it without a command for the interactive wizard.',
    )
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run k8sha-wizard --help for usage)')
    // The wizard's options belong to the bare command; each subcommand parses its own.
    .enablePositionalOptions()
    .exitOverride();

  program
    .command('validate')
    .description('check an answers file; prints a summary, or each problem as path (line:col): message')
    .requiredOption('-a, --answers <file>', 'answers YAML')
    .addOption(catalogOption())
    .action(async (opts) => (await import('./validate.js')).validateCommand(opts));

  program
    .command('render')
    .description('write every generated file: DIR/<host>/<path on the node> and DIR/_cluster/')
    .requiredOption('-a, --answers <file>', 'answers YAML')
    .requiredOption('-o, --out <dir>', 'output directory')
    .addOption(catalogOption())
    .action(async (opts) => (await import('./render.js')).renderCommand(opts));

  program
    .command('schema')
    .description('print the JSON Schema of the answers file')
    .addOption(catalogOption())
    .action(async (opts) => (await import('./schema.js')).schemaCommand(opts));

  const engineOptions = (cmd: Command) =>
    cmd
      .option('--concurrency <n>', 'nodes worked on at once', String(DEFAULT_CONCURRENCY))
      .addOption(
        new Option('--output <format>', 'progress output').choices(['plain', 'json']).default('plain'),
      )
      .option(
        '--state-dir <dir>',
        'where runs keep their journal, secrets (0600) and logs (default: $XDG_STATE_HOME/k8sha-wizard)',
      )
      .option('--kubeconfig-dir <dir>', 'where the admin kubeconfig goes (default: ~/.kube)')
      .option('--restart', 'discard an unfinished run of this cluster and start over')
      .option(
        '--break-lock',
        'take over locks left by a run that is no longer running (asks first when its owner may still run)',
      )
      .option(
        '--strict-host-keys',
        'refuse hosts whose SSH key is not already in a known_hosts file (also ssh.strictHostKeys in the answers)',
      )
      .option(
        '--failover-drill',
        'after the install, stop the load balancer (haproxy or kube-vip) on the VIP holder and check that the VIP moves and the API stays up',
      )
      .option(
        '--install-key <file.pub>',
        "after a password login, add this public key to the login user's authorized_keys",
      )
      .addOption(
        new Option('--transport <kind>', 'how to reach the hosts').choices(['ssh', 'local']).default('ssh'),
      )
      .option('-v, --verbose', 'print every command and its output')
      .addOption(catalogOption());

  engineOptions(
    program
      .command('apply')
      .description('install the cluster described by the answers (or continue an unfinished install)')
      .option('-a, --answers <file>', 'answers YAML (default: the answers the wizard saved)')
      .option('-y, --yes', 'run unattended: no confirmation, never prompt')
      .option('--dry-run', 'print the steps and commands per node instead of running them'),
  ).action(async (opts) => {
    exitCode = await (await import('./apply.js')).applyCommand(opts);
  });

  engineOptions(
    program
      .command('resume')
      .description('continue the unfinished install from its journal')
      .option('--cluster <name>', 'which cluster, when several runs are unfinished')
      .option('-y, --yes', 'accepted for symmetry with apply; resume never prompts'),
  ).action(async (opts) => {
    exitCode = await (await import('./resume.js')).resumeCommand(opts);
  });

  engineOptions(
    program
      .command('remove')
      .description(
        'take one node out of the running cluster (drain, etcd member, Node, load balancers, host reset), then drop it from the answers',
      )
      .option('-a, --answers <file>', 'answers YAML (default: the answers the wizard saved)')
      .option('-n, --node <name>', 'the host to remove, as named in the answers')
      .option('--drain-timeout <duration>', 'how long the drain may take (e.g. 300, 5m)', '300')
      .option('-y, --yes', 'run unattended: no confirmation')
      .option('--dry-run', 'print the steps and commands per node instead of running them'),
  ).action(async (opts) => {
    exitCode = await (await import('./remove.js')).removeCommand(opts);
  });

  engineOptions(
    program
      .command('reset')
      .description('tear the cluster down on every host (or one host with --node); packages stay')
      .option('-a, --answers <file>', 'answers YAML (default: the answers the wizard saved)')
      .option('-n, --node <name>', 'reset only this host')
      .option('-y, --yes', 'run unattended: no confirmation (otherwise you type the cluster name)')
      .option('--dry-run', 'print the steps and commands per node instead of running them'),
  ).action(async (opts) => {
    exitCode = await (await import('./reset.js')).resetCommand(opts);
  });

  engineOptions(
    program
      .command('status')
      .description(
        "the cluster's health, read-only: nodes, etcd members and quorum, VIP, load balancer, certificates, drift from the answers; exit 0 healthy, 1 degraded",
      )
      .option('-a, --answers <file>', 'answers YAML (default: the answers the wizard saved)')
      .option('-y, --yes', 'accepted for scripts; status is read-only and never asks'),
  ).action(async (opts) => {
    exitCode = await (await import('./status.js')).statusCommand(opts);
  });

  engineOptions(
    program
      .command('upgrade')
      .description(
        'upgrade the cluster one minor (or one patch) at a time: etcd snapshot first, control planes one by one, then workers; the answers follow',
      )
      .option('-a, --answers <file>', 'answers YAML (default: the answers the wizard saved)')
      .option('--to <version>', 'the minor (1.37) or patch (1.37.1) to go to; one minor up at most')
      .option('--max-unavailable <n|%>', 'workers drained at once: a count or a percentage', '1')
      .option('--drain-timeout <duration>', 'how long a drain may take (e.g. 300, 5m)', '300')
      .option('-y, --yes', 'run unattended: no confirmation')
      .option('--dry-run', 'print the steps and commands per node instead of running them'),
  ).action(async (opts) => {
    exitCode = await (await import('./upgrade.js')).upgradeCommand(opts);
  });

  engineOptions(
    program
      .command('backup')
      .description('an etcd snapshot (checked, with its SHA-256) and the cluster PKI on this machine, 0600')
      .option('-a, --answers <file>', 'answers YAML (default: the answers the wizard saved)')
      .option('-o, --out <dir>', 'where to put them (default: the cluster state directory, backups/)')
      .option('-y, --yes', 'accepted for scripts; backup changes nothing and never asks'),
  ).action(async (opts) => {
    exitCode = await (await import('./backup.js')).backupCommand(opts);
  });

  engineOptions(
    program
      .command('restore')
      .description(
        'bring etcd back from a snapshot on every control plane (disaster recovery after losing quorum); the API is down meanwhile',
      )
      .option('-a, --answers <file>', 'answers YAML (default: the answers the wizard saved)')
      .option('--snapshot <file>', 'the snapshot backup or upgrade saved')
      .option('--force', 'restore even while etcd still has quorum (roll a working cluster back)')
      .option('-y, --yes', 'run unattended: no confirmation (otherwise you type the cluster name)')
      .option('--dry-run', 'print the steps and commands per node instead of running them'),
  ).action(async (opts) => {
    exitCode = await (await import('./restore.js')).restoreCommand(opts);
  });

  program
    .command('plan')
    .description('print the steps and commands, per node, that apply would run')
    .option('-a, --answers <file>', 'answers YAML (default: the answers the wizard saved)')
    .addOption(
      new Option('--format <format>', 'text, commands (one shell command per line, per node) or json')
        .choices(['text', 'commands', 'json'])
        .default('text'),
    )
    .option('--offline', 'do not connect: assume facts instead of gathering them (read-only) from the hosts')
    .addOption(
      new Option('--assume-os <family>', 'with --offline: the OS family to assume')
        .choices(['rhel', 'debian'])
        .default('rhel'),
    )
    .option('--state-dir <dir>', 'state directory (for known hosts)')
    .addOption(
      new Option('--transport <kind>', 'how to reach the hosts').choices(['ssh', 'local']).default('ssh'),
    )
    .addOption(catalogOption())
    .action(async (opts) => {
      exitCode = await (await import('./plan.js')).planCommand(opts);
    });

  program
    .command('export')
    .description("write the wizard's saved answers as YAML (apply --answers takes it unchanged)")
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(async (opts) => {
      exitCode = (await import('./export.js')).exportCommand(opts);
    });

  // No command: the interactive wizard.
  program
    .option('-a, --answers <file>', 'open the wizard with this answers file on the Review screen')
    .option('--state-dir <dir>', 'where runs keep their journal, secrets (0600) and logs')
    .option('--kubeconfig-dir <dir>', 'where the admin kubeconfig goes (default: ~/.kube)')
    .option('--concurrency <n>', 'nodes worked on at once', String(DEFAULT_CONCURRENCY))
    .addOption(catalogOption())
    .action(async (opts) => {
      exitCode = await (await import('./wizard.js')).wizardCommand(opts);
    });

  return program;
}

let exitCode: number = ExitCode.ok;

export async function main(argv: string[]): Promise<number> {
  exitCode = ExitCode.ok;
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    return reportError(e);
  }
}

function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version')
      return ExitCode.ok;
    return ExitCode.invalidInput; // commander already printed what was wrong
  }
  if (isUserError(e)) {
    process.stderr.write(`${describeUserError(e)}\n`);
    return e.exitCode;
  }
  // A bug: this is the one place a stack trace is shown.
  process.stderr.write(`internal error (please report it): ${(e as Error)?.stack ?? String(e)}\n`);
  return ExitCode.failure;
}
