#!/usr/bin/env node
// Entry point of the k8sha-wizard binary.
import { main } from './cli/program.js';
import { ExitCode } from './errors.js';

process.on('SIGINT', () => process.exit(ExitCode.interrupted));
// `k8sha-wizard plan | head`: a closed pipe is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(ExitCode.ok);
  throw e;
});
const code = await main(process.argv.slice(2));
process.exitCode = code;
