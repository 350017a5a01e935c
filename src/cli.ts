#!/usr/bin/env node
// Entry point. Commands load their modules lazily, so `--version` and `validate` never pay for
// Ink or ssh2. Every expected error becomes a message plus a documented exit code, never a stack.
import { Command, CommanderError, Option } from 'commander';
import { describeUserError, ExitCode, isUserError } from './errors.js';
import { packageVersion } from './package-root.js';

function catalogOption(): Option {
  return new Option(
    '--catalog <file>',
    'use this catalog of versions and mirrors instead of the built-in one',
  );
}

export function buildProgram(): Command {
  const program = new Command('k8sha-wizard')
    .description('Install a highly available kubeadm Kubernetes cluster (haproxy + keepalived VIP) over SSH.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run k8sha-wizard --help for usage)')
    .exitOverride();

  program
    .command('validate')
    .description('check an answers file; prints a summary, or each problem as path (line:col): message')
    .requiredOption('-a, --answers <file>', 'answers YAML')
    .addOption(catalogOption())
    .action(async (opts) => (await import('./cli/validate.js')).validateCommand(opts));

  program
    .command('render')
    .description('write every generated file: DIR/<host>/<path on the node> and DIR/_cluster/')
    .requiredOption('-a, --answers <file>', 'answers YAML')
    .requiredOption('-o, --out <dir>', 'output directory')
    .addOption(catalogOption())
    .action(async (opts) => (await import('./cli/render.js')).renderCommand(opts));

  program
    .command('schema')
    .description('print the JSON Schema of the answers file')
    .addOption(catalogOption())
    .action(async (opts) => (await import('./cli/schema.js')).schemaCommand(opts));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
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

process.on('SIGINT', () => process.exit(ExitCode.interrupted));
const code = await main(process.argv.slice(2));
process.exitCode = code;
