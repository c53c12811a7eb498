#!/usr/bin/env node
/**
 * The `influx-models` command (`npx influx-models pull|push`); see runCli.
 */
import { runCli } from './cli-main.js';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
