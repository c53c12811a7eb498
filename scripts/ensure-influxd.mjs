#!/usr/bin/env node
// Makes sure an `influxd` binary is available for the demo and the test suite.
// - INFLUXDB_URL set: a server is configured, nothing to do.
// - INFLUXD_BIN set or `influxd` on PATH: nothing to do.
// - otherwise, as root with apt-get: installs Debian's `influxdb` package.
// - otherwise: explains exactly how to install it and exits with status 1.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {}
  }
  return undefined;
}

if (process.env.INFLUXDB_URL) {
  console.log(
    `[influx-models] INFLUXDB_URL is set (${redact(process.env.INFLUXDB_URL)}); not checking for influxd.`,
  );
  process.exit(0);
}
const found =
  process.env.INFLUXD_BIN || onPath('influxd') || ['/usr/bin/influxd', '/usr/sbin/influxd'].find(exists);
if (found) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const aptGet = onPath('apt-get');
if (isRoot && aptGet) {
  console.log('[influx-models] influxd not found: installing the Debian package `influxdb` (apt-get)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run(aptGet, ['update', '-qq'], env);
  run(aptGet, ['install', '-y', '-qq', '--no-install-recommends', 'influxdb'], env);
  if (onPath('influxd') || exists('/usr/bin/influxd')) {
    console.log(
      `[influx-models] ${execFileSync(onPath('influxd') ?? '/usr/bin/influxd', ['version'])
        .toString()
        .trim()}`,
    );
    process.exit(0);
  }
  console.error('[influx-models] apt-get finished but influxd is still missing.');
  process.exit(1);
}

console.error(`[influx-models] influxd (InfluxDB 1.x) is required to run the demo and the tests, and it is not installed.
Install it with one of:
  sudo apt-get update && sudo apt-get install -y influxdb      # Debian / Ubuntu
  or download InfluxDB 1.x and set INFLUXD_BIN=/path/to/influxd
Or point at a running InfluxDB 1.x server instead: INFLUXDB_URL=http://host:8086 npm test`);
process.exit(1);

function exists(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`[influx-models] \`${cmd} ${args.join(' ')}\` failed with status ${r.status}.`);
    process.exit(1);
  }
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
