#!/usr/bin/env node
// Duplicates budget: runs `duplicates` (a command that lists pairs of places sharing six or more
// identical or same-shape lines) on src/ and fails when it finds more pairs than BUDGET. The budget
// is the count left after the last clean-up: a change that writes something twice raises the
// count and fails CI; a change that removes a pair should lower BUDGET with it.
//
// `duplicates` is a tool of the development machines, not an npm package: where it is not on PATH
// this check says so and is skipped (exit 0), so that CI elsewhere does not fail for a missing tool.
// Run by .ci/run; `npm run check-duplicates`; `--list` prints the pairs too.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pairs in src/ after the issue-16 clean-up (most of them marked `shape boilerplate`). */
export const BUDGET = 15;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = spawnSync('duplicates', ['--repo', join(root, 'src'), '--most', '200', '--seconds', '120'], {
  encoding: 'utf8',
});
if (run.error?.code === 'ENOENT') {
  console.log('check-duplicates: SKIPPED: the `duplicates` command is not on PATH on this machine');
  process.exit(0);
}
if (run.error || run.status !== 0) {
  console.error(`check-duplicates: duplicates failed: ${run.error?.message ?? run.stderr}`);
  process.exit(1);
}
const out = run.stdout;
const first = out.split('\n')[0] ?? '';
const m = /^(\d+) pairs? of places/.exec(first);
const pairs = m ? Number(m[1]) : /^no duplicates/.test(first) ? 0 : undefined;
if (pairs === undefined) {
  console.error(`check-duplicates: cannot read the count from: ${first}`);
  process.exit(1);
}
const incomplete = out.split('\n').find((l) => l.startsWith('incomplete:'));
if (process.argv.includes('--list') || pairs > BUDGET) console.log(out.trimEnd());
if (incomplete) console.log(`check-duplicates: warning: the count is partial (${incomplete})`);
if (pairs > BUDGET) {
  console.error(
    `check-duplicates: ${pairs} pairs in src/, more than the budget of ${BUDGET}: make one piece of code serve where the logic is the same (see the rows above), or, for a pair that must stay, raise BUDGET in scripts/check-duplicates.mjs with the reason`,
  );
  process.exit(1);
}
console.log(`check-duplicates: ${pairs} pairs in src/ (budget ${BUDGET})`);
