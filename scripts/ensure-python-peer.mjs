#!/usr/bin/env node
// Makes influxdb-python available as a benchmark peer (`npm run bench` only; never for tests).
// - a python3 that can `import influxdb` (PYTHON, /usr/bin/python3, python3 on PATH): nothing to do;
// - otherwise, as root with apt-get: installs Debian's `python3-influxdb`;
// - otherwise: says how to install it. The benchmark then runs without the influxdb-python rows,
//   so this step never fails the run.
import { spawnSync } from 'node:child_process';

const candidates = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
const hasPeer = () =>
  candidates.some((bin) => spawnSync(bin, ['-c', 'import influxdb'], { stdio: 'ignore' }).status === 0);

if (hasPeer()) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).stdout.trim();
if (isRoot && apt) {
  console.log(
    '[influx-models] influxdb-python not found: installing the Debian package `python3-influxdb`...',
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ok = (args) => spawnSync(apt, args, { stdio: 'inherit', env }).status === 0;
  if (
    ok(['update', '-qq']) &&
    ok(['install', '-y', '-qq', '--no-install-recommends', 'python3-influxdb']) &&
    hasPeer()
  ) {
    process.exit(0);
  }
  console.warn(
    '[influx-models] could not install python3-influxdb; the benchmark runs without influxdb-python.',
  );
  process.exit(0);
}
console.warn(`[influx-models] influxdb-python (a benchmark peer) is not installed; its rows will be skipped.
To include it: sudo apt-get install -y python3-influxdb   (or: pip install influxdb, then PYTHON=/path/to/python3)`);
