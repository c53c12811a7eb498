/**
 * `npm run bench`: every speed and memory measurement of influx-models against its floor and its
 * peers, in one run, against one throwaway influxd.
 *
 *     npm run bench                      # 1M points, 3 runs of each measurement
 *     npm run bench -- --quick           # 100k points (under a minute)
 *     npm run bench -- --rows 500000 --runs 5 --only encode,read --no-readme
 *     npm run bench -- --only import      # import time of the package root and its peers
 *
 * Each measurement runs in its own process (bench/cases/*.ts, bench/python/peer.py, curl), so its
 * peak RSS is its own; the runs are interleaved (run 1 of every measurement, then run 2, ...) so
 * that a slow spell of the shared machine hits every row alike. The table (median, min-max, peak
 * RSS, ratio to the floor and to each peer) is printed, written to bench/results/, and, for a full
 * run (1M points, no --no-readme), written into README.md between the bench markers. Every write
 * is counted on the server afterwards and every read checks its row count: a client that loses
 * points fails its row instead of looking fast.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { InfluxDBClient, type Point } from '../src/index.js';
import { startInfluxd } from '../src/testing/index.js';
import {
  AGGREGATE_POINTS,
  AGGREGATE_QUERY,
  BATCH,
  type CaseResult,
  MEASUREMENT,
  point,
  READ_QUERY,
} from './lib/shape.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i] as string;
  if (['--quick', '--no-readme'].includes(a)) continue;
  if (['--rows', '--runs', '--only'].includes(a) && argv[i + 1] !== undefined) {
    i++;
    continue;
  }
  console.error(`bench: unknown argument ${JSON.stringify(a)}
usage: npm run bench [-- --quick] [--rows N] [--runs K] [--only import,encode,write,read,aggregate,udp] [--no-readme]`);
  process.exit(2);
}
const QUICK = flag('--quick');
const ROWS = Number(opt('--rows') ?? (QUICK ? 100_000 : 1_000_000));
const RUNS = Number(opt('--runs') ?? 3);
const GROUPS = ['import', 'encode', 'write', 'read', 'aggregate', 'udp'] as const;
const ONLY = new Set((opt('--only') ?? GROUPS.join(',')).split(','));
/** Import times are a few ms and noisy: each run of an import case starts this many processes. */
const IMPORT_REPEAT = 5;
if (!Number.isSafeInteger(ROWS) || ROWS < BATCH || !Number.isSafeInteger(RUNS) || RUNS < 1) {
  console.error(`bench: --rows must be an integer >= ${BATCH} and --runs >= 1`);
  process.exit(2);
}

if (ONLY.has('aggregate') && ROWS < AGGREGATE_POINTS) {
  console.error(`bench: the aggregate case needs --rows >= ${AGGREGATE_POINTS}; skipped`);
  ONLY.delete('aggregate');
}

const distBench = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const peerPy = `${root}bench/python/peer.py`;

type Group = (typeof GROUPS)[number];
type Role = 'floor' | 'ours' | 'node-influx' | 'influxdb-python' | 'influxdb-client' | 'peer' | 'info';

interface Case {
  group: Group;
  id: string;
  label: string;
  role: Role;
  /** The command; `{url}` and `{db}` are filled in per run. */
  cmd: string[];
  /** Writers: each run goes to a fresh database that is counted afterwards. */
  freshDb?: boolean;
}

interface Sample extends CaseResult {
  wallSeconds: number;
  /** CPU seconds influxd spent while the case's process ran (write and read cases). */
  serverCpuSeconds?: number;
}

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
} catch {}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

const node = (file: string, id: string, extra: string[] = []) => [
  process.execPath,
  `${distBench}cases/${file}.js`,
  '--case',
  id,
  '--rows',
  String(ROWS),
  ...extra,
];
const serverArgs = ['--url', '{url}', '--db', '{db}'];

function findPython(): { bin: string; version: string } | undefined {
  for (const bin of [process.env.PYTHON, '/usr/bin/python3', 'python3']) {
    if (!bin) continue;
    try {
      const v = execFileSync(
        bin,
        ['-c', 'import influxdb, sys; print(influxdb.__version__, sys.version.split()[0])'],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      )
        .toString()
        .trim();
      return { bin, version: v };
    } catch {}
  }
  return undefined;
}

function cases(python: string | undefined): Case[] {
  const py = (mode: Group, extra: string[] = []) =>
    python === undefined ? [] : [python, peerPy, mode, '--rows', String(ROWS), ...extra];
  const imp = (id: string, label: string, role: Role): Case => ({
    group: 'import',
    id,
    label,
    role,
    cmd: [process.execPath, `${distBench}cases/import.js`, '--case', id],
  });
  const all: Case[] = [
    imp('floor', 'floor: an empty ES module', 'floor'),
    imp('influx-models', "`import 'influx-models'`", 'ours'),
    imp('node-influx', "node-influx (`import 'influx'`)", 'node-influx'),
    imp('influxdb-client', "the v2 client (`import '@influxdata/influxdb-client'`)", 'influxdb-client'),
    {
      group: 'encode',
      id: 'floor',
      label: 'floor: the number-to-text conversions alone',
      role: 'floor',
      cmd: node('encode', 'floor'),
    },
    {
      group: 'encode',
      id: 'points',
      label: 'influx-models `makeLinesBytes`, point objects',
      role: 'ours',
      cmd: node('encode', 'points'),
    },
    {
      group: 'encode',
      id: 'instances-declared',
      label: 'influx-models model instances (`declare` fields)',
      role: 'ours',
      cmd: node('encode', 'instances-declared'),
    },
    {
      group: 'encode',
      id: 'instances-fields',
      label: 'influx-models model instances (`host!:` class fields)',
      role: 'ours',
      cmd: node('encode', 'instances-fields'),
    },
    {
      group: 'encode',
      id: 'instances-defined',
      label: 'influx-models model instances (`defineMeasurement`)',
      role: 'ours',
      cmd: node('encode', 'instances-defined'),
    },
    {
      group: 'encode',
      id: 'node-influx',
      label: 'node-influx serializer',
      role: 'node-influx',
      cmd: node('encode', 'node-influx'),
    },
    {
      group: 'encode',
      id: 'influxdb-client',
      label: '@influxdata/influxdb-client `Point`',
      role: 'peer',
      cmd: node('encode', 'influxdb-client'),
    },
    {
      group: 'encode',
      id: 'python',
      label: 'influxdb-python `make_lines`',
      role: 'influxdb-python',
      cmd: py('encode'),
    },
    {
      group: 'write',
      id: 'floor',
      label: 'floor: pre-built bodies, bare undici loop',
      role: 'floor',
      cmd: node('write', 'floor', serverArgs),
      freshDb: true,
    },
    {
      group: 'write',
      id: 'writePoints',
      label: 'influx-models `writePoints`, point objects',
      role: 'ours',
      cmd: node('write', 'writePoints', serverArgs),
      freshDb: true,
    },
    {
      group: 'write',
      id: 'instances',
      label: 'influx-models model instances, autocommit',
      role: 'ours',
      cmd: node('write', 'instances', serverArgs),
      freshDb: true,
    },
    {
      group: 'write',
      id: 'instances-spool',
      label: 'influx-models model instances, autocommit, durable spool on',
      role: 'ours',
      cmd: node('write', 'instances-spool', serverArgs),
      freshDb: true,
    },
    {
      group: 'write',
      id: 'writeFrame',
      label: 'influx-models `FrameClient#writeFrame`, an Arrow table',
      role: 'ours',
      cmd: node('arrow', 'writeFrame', serverArgs),
      freshDb: true,
    },
    {
      group: 'write',
      id: 'node-influx',
      label: 'node-influx `writePoints`',
      role: 'node-influx',
      cmd: node('write', 'node-influx', serverArgs),
      freshDb: true,
    },
    {
      group: 'write',
      id: 'python',
      label: 'influxdb-python `write_points` (synchronous: 1 in flight)',
      role: 'influxdb-python',
      cmd: py('write', serverArgs),
      freshDb: true,
    },
    {
      group: 'read',
      id: 'curl',
      label: 'floor: `curl` > /dev/null (msgpack, chunked, as queryStream asks)',
      role: 'floor',
      cmd: curlCmd('application/x-msgpack', true),
    },
    {
      group: 'read',
      id: 'curl-json',
      label: '`curl` > /dev/null (JSON, whole, as the peers ask)',
      role: 'info',
      cmd: curlCmd('application/json', false),
    },
    {
      group: 'read',
      id: 'queryStream',
      label: 'influx-models `queryStream` (rows decoded)',
      role: 'ours',
      cmd: node('read', 'queryStream', serverArgs),
    },
    {
      group: 'read',
      id: 'queryStream-json',
      label: 'influx-models `queryStream` with `responseFormat: json` (rows decoded)',
      role: 'ours',
      cmd: node('read', 'queryStream-json', serverArgs),
    },
    {
      group: 'read',
      id: 'query',
      label: 'influx-models `query` (ResultSet, every point)',
      role: 'ours',
      cmd: node('read', 'query', serverArgs),
    },
    {
      group: 'read',
      id: 'instances',
      label: 'influx-models repository `find()` (model instances)',
      role: 'ours',
      cmd: node('read', 'instances', serverArgs),
    },
    {
      group: 'read',
      id: 'instances-stream',
      label: 'influx-models repository `stream()` (model instances, one at a time)',
      role: 'ours',
      cmd: node('read', 'instances-stream', serverArgs),
    },
    {
      group: 'read',
      id: 'queryFrames',
      label: 'influx-models `FrameClient#queryFrames` (one Arrow table)',
      role: 'ours',
      cmd: node('arrow', 'queryFrames', serverArgs),
    },
    {
      group: 'read',
      id: 'node-influx',
      label: 'node-influx `query`',
      role: 'node-influx',
      cmd: node('read', 'node-influx', serverArgs),
    },
    {
      group: 'read',
      id: 'python',
      label: 'influxdb-python `query` (ResultSet, every point)',
      role: 'influxdb-python',
      cmd: py('read', serverArgs),
    },
    {
      group: 'aggregate',
      id: 'server',
      label: 'influxd (`InfluxDBClient#query`)',
      role: 'floor',
      cmd: node('aggregate', 'server', serverArgs),
    },
    {
      group: 'aggregate',
      id: 'memory',
      label: 'influx-models `MemoryInflux#query` (in memory, loaded first)',
      role: 'ours',
      cmd: node('aggregate', 'memory', serverArgs),
    },
    {
      group: 'udp',
      id: 'floor',
      label: 'floor: a bare node:dgram loop, datagrams split before timing',
      role: 'floor',
      cmd: node('udp', 'floor'),
    },
    {
      group: 'udp',
      id: 'send',
      label: 'influx-models `UdpSender#send` (split into datagrams of <= 1400 bytes, sent)',
      role: 'ours',
      cmd: node('udp', 'send'),
    },
  ];
  return all.filter((c) => ONLY.has(c.group));
}

const READ_DB = 'bench_read';

function curlCmd(accept: string, chunked: boolean): string[] {
  const params = [
    '--data-urlencode',
    `db=${READ_DB}`,
    '--data-urlencode',
    `q=${READ_QUERY}`,
    '--data-urlencode',
    'epoch=ns',
  ];
  if (chunked) params.push('--data-urlencode', 'chunked=true', '--data-urlencode', 'chunk_size=10000');
  return [
    'curl',
    '-sS',
    '--fail',
    '-G',
    '-o',
    '/dev/null',
    '-H',
    `Accept: ${accept}`,
    ...params,
    '{url}/query',
  ];
}

/** Runs a command; returns its last stdout line as JSON (cases) or times it (curl). */
function runOne(cmd: string[], url: string, db: string, serverPid?: number): Promise<Sample> {
  const argvFilled = cmd.map((a) => a.replaceAll('{url}', url).replaceAll('{db}', db));
  const isCurl = argvFilled[0] === 'curl';
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argvFilled[0] as string, argvFilled.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peakKb = 0;
    let curlCpu: number | undefined;
    const server0 = cpuOf(serverPid);
    // curl reports nothing itself: sample its peak RSS (VmHWM, which only grows) and CPU from /proc.
    const poll = isCurl
      ? setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) peakKb = Math.max(peakKb, Number(m[1]));
            curlCpu = cpuOf(child.pid) ?? curlCpu;
          } catch {}
        }, 5)
      : undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const server1 = cpuOf(serverPid);
      const serverCpuSeconds = server0 === undefined || server1 === undefined ? undefined : server1 - server0;
      if (code !== 0) {
        reject(new Error(`exit ${code ?? signal}: ${(err || out).trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      if (isCurl) {
        resolve({
          seconds: wallSeconds,
          points: ROWS,
          peakRssMb: peakKb / 1024,
          cpuSeconds: curlCpu,
          wallSeconds,
          serverCpuSeconds,
        });
        return;
      }
      try {
        const r = JSON.parse(out.trim().split('\n').at(-1) as string) as CaseResult;
        resolve({ ...r, wallSeconds, serverCpuSeconds });
      } catch {
        reject(new Error(`no result line: ${out.slice(-200)} ${err.slice(-200)}`));
      }
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const fmtS = (s: number) => (s < 10 ? s.toFixed(3) : s.toFixed(2));
const fmtX = (x: number) => `${x.toFixed(2)}x`;
const fmtRate = (pps: number) =>
  pps >= 1e6 ? `${(pps / 1e6).toFixed(2)} M/s` : `${(pps / 1e3).toFixed(0)} k/s`;

interface Row {
  c: Case;
  samples: Sample[];
  errors: string[];
  skipped?: string;
}

/** The import table: milliseconds of `await import(...)` in a fresh process. */
function importTable(rows: Row[]): string {
  const inGroup = rows.filter((r) => r.c.group === 'import');
  const med = (role: Role) => {
    const r = inGroup.find((x) => x.c.role === role && x.samples.length > 0);
    return r ? median(r.samples.map((s) => s.seconds)) : undefined;
  };
  const ni = med('node-influx');
  const v2 = med('influxdb-client');
  const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
  const lines = [
    '| | median | min-max | CPU | time vs node-influx | time vs the v2 client |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of inGroup) {
    if (r.samples.length === 0) {
      lines.push(`| ${r.c.label} | failed: ${r.errors[0] ?? 'no result'} | | | | |`);
      continue;
    }
    const secs = r.samples.map((s) => s.seconds);
    const m = median(secs);
    const cpu = median(r.samples.map((s) => s.cpuSeconds ?? 0));
    const label = r.c.role === 'ours' ? `**${r.c.label}**` : r.c.label;
    lines.push(
      `| ${label} | ${ms(m)} | ${ms(Math.min(...secs))}-${ms(Math.max(...secs))} | ${ms(cpu)} | ${ni === undefined ? '' : fmtX(m / ni)} | ${v2 === undefined ? '' : fmtX(m / v2)} |`,
    );
  }
  return lines.join('\n');
}

function table(group: Group, rows: Row[]): string {
  const inGroup = rows.filter((r) => r.c.group === group);
  const med = (role: Role) => {
    const r = inGroup.find((x) => x.c.role === role && x.samples.length > 0);
    return r ? median(r.samples.map((s) => s.seconds)) : undefined;
  };
  const floor = med('floor');
  const ni = med('node-influx');
  const py = med('influxdb-python');
  const lines = [
    `| | median | min-max | rate | peak RSS | CPU ${group === 'encode' ? '' : 'client + server '}| time / floor | speed vs node-influx | speed vs influxdb-python |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of inGroup) {
    if (r.skipped !== undefined || r.samples.length === 0) {
      const why = r.skipped ?? `failed: ${r.errors[0] ?? 'no result'}`;
      lines.push(`| ${r.c.label} | ${why} | | | | | | | |`);
      continue;
    }
    const secs = r.samples.map((s) => s.seconds);
    const m = median(secs);
    const rss = Math.max(...r.samples.map((s) => s.peakRssMb));
    const cpuMed = (xs: (number | undefined)[]) => {
      const v = xs.filter((x): x is number => x !== undefined);
      return v.length === 0 ? undefined : median(v);
    };
    const cc = cpuMed(r.samples.map((x) => x.cpuSeconds));
    const sc = group === 'encode' ? undefined : cpuMed(r.samples.map((x) => x.serverCpuSeconds));
    const cpu = `${cc === undefined ? '?' : cc.toFixed(2)}${group === 'encode' ? '' : ` + ${sc === undefined ? '?' : sc.toFixed(2)}`} s`;
    const failed = r.errors.length > 0 ? ` (${r.errors.length} run(s) failed)` : '';
    lines.push(
      `| ${r.c.role === 'ours' ? `**${r.c.label}**` : r.c.label}${failed} | ${fmtS(m)} s | ${fmtS(Math.min(...secs))}-${fmtS(Math.max(...secs))} | ${fmtRate((group === 'aggregate' ? Math.min(ROWS, AGGREGATE_POINTS) : ROWS) / m)} | ${rss.toFixed(0)} MB | ${cpu} | ${floor === undefined ? '' : fmtX(m / floor)} | ${ni === undefined ? '' : fmtX(ni / m)} | ${py === undefined ? '' : fmtX(py / m)} |`,
    );
  }
  return lines.join('\n');
}

interface Target {
  what: string;
  value: string;
  ok: boolean;
}

function targets(rows: Row[]): Target[] {
  const get = (group: Group, id: string) => {
    const r = rows.find((x) => x.c.group === group && x.c.id === id);
    return r && r.samples.length > 0
      ? {
          s: median(r.samples.map((s) => s.seconds)),
          rss: Math.max(...r.samples.map((s) => s.peakRssMb)),
        }
      : undefined;
  };
  const out: Target[] = [];
  const ratio = (
    what: string,
    a: ReturnType<typeof get>,
    b: ReturnType<typeof get>,
    ok: (x: number) => boolean,
    invert = false,
  ) => {
    if (a === undefined || b === undefined) return;
    const x = invert ? b.s / a.s : a.s / b.s;
    out.push({ what, value: fmtX(x), ok: ok(x) });
  };
  const enc = (id: string) => get('encode', id);
  ratio(
    'encoding, point objects: >= 10x node-influx',
    enc('points'),
    enc('node-influx'),
    (x) => x >= 10,
    true,
  );
  ratio(
    'encoding, model instances (`declare`): >= 10x node-influx',
    enc('instances-declared'),
    enc('node-influx'),
    (x) => x >= 10,
    true,
  );
  ratio(
    'encoding, model instances (`host!:`): >= 10x node-influx',
    enc('instances-fields'),
    enc('node-influx'),
    (x) => x >= 10,
    true,
  );
  const w = (id: string) => get('write', id);
  ratio('writePoints: within 10% of the floor', w('writePoints'), w('floor'), (x) => x <= 1.1);
  ratio('writePoints: >= 2x node-influx', w('writePoints'), w('node-influx'), (x) => x >= 2, true);
  ratio('model autocommit: within 10% of the floor', w('instances'), w('floor'), (x) => x <= 1.1);
  ratio('model autocommit: >= 2x node-influx', w('instances'), w('node-influx'), (x) => x >= 2, true);
  ratio(
    'model autocommit with the spool: within 1.3x of without',
    w('instances-spool'),
    w('instances'),
    (x) => x <= 1.3,
  );
  const r = (id: string) => get('read', id);
  ratio('queryStream: within 15% of curl', r('queryStream'), r('curl'), (x) => x <= 1.15);
  const qs = r('queryStream');
  if (qs !== undefined)
    out.push({ what: 'queryStream: peak RSS < 150 MB', value: `${qs.rss.toFixed(0)} MB`, ok: qs.rss < 150 });
  ratio('model instances: within 30% of curl', r('instances'), r('curl'), (x) => x <= 1.3);
  return out;
}

function machine(influxd: string, python: { bin: string; version: string } | undefined): string {
  const cpu = cpus();
  return [
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `${cpu.length} x ${cpu[0]?.model.trim() ?? 'cpu'}`,
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `node ${process.version}`,
    influxd,
    python === undefined
      ? 'influxdb-python: not installed'
      : `influxdb-python ${python.version.replace(' ', ', python ')}`,
  ].join(' · ');
}

async function countPoints(client: InfluxDBClient, db: string): Promise<number> {
  const rs = await client.query(`SELECT count("usage") FROM "${MEASUREMENT}"`, { database: db });
  const p = [...rs.getPoints()][0] as { count?: number | bigint } | undefined;
  return Number(p?.count ?? 0);
}

async function main(): Promise<void> {
  const python = findPython();
  const list = cases(python?.bin);
  const started = process.hrtime.bigint();
  const server = await startInfluxd();
  const client = new InfluxDBClient({ host: server.host, port: server.port, timeout: 0 });
  let influxdVersion = 'influxd';
  try {
    influxdVersion = `influxd ${await client.ping()}`;
  } catch {}
  const rows: Row[] = list.map((c) => ({
    c,
    samples: [],
    errors: [],
    skipped:
      c.cmd.length === 0
        ? 'skipped: python3-influxdb is not installed (`apt-get install python3-influxdb`)'
        : undefined,
  }));
  console.log(`influx-models benchmarks: ${ROWS} points, ${RUNS} runs each, against ${server.url}`);
  try {
    if (ONLY.has('read') || ONLY.has('aggregate')) {
      process.stdout.write(`writing the ${ROWS} rows that the readers read... `);
      await client.createDatabase(READ_DB);
      const points: Point[] = [];
      for (let i = 0; i < ROWS; i++) points.push(point(i));
      await client.writePoints(points, { database: READ_DB, batchSize: BATCH });
      const n = await countPoints(client, READ_DB);
      if (n !== ROWS) throw new Error(`the read database holds ${n} points, expected ${ROWS}`);
      await runOne(curlCmd('application/json', false), server.url, READ_DB); // warm the server's caches
      console.log('done');
    }
    let dbSeq = 0;
    for (let run = 1; run <= RUNS; run++) {
      for (const r of rows) {
        if (r.skipped !== undefined) continue;
        const db = r.c.freshDb ? `bench_w${++dbSeq}` : READ_DB;
        if (r.c.freshDb) await client.createDatabase(db);
        const tag = `[run ${run}/${RUNS}] ${r.c.group} ${r.c.id}`;
        try {
          if (r.c.group === 'import') {
            for (let k = 0; k < IMPORT_REPEAT; k++) r.samples.push(await runOne(r.c.cmd, server.url, db));
            const last = r.samples.slice(-IMPORT_REPEAT).map((x) => (x.seconds * 1000).toFixed(1));
            console.log(`${tag.padEnd(40)} ${last.join(' ')} ms`);
            continue;
          }
          const s = await runOne(r.c.cmd, server.url, db, server.pid);
          if (r.c.freshDb) {
            const n = await countPoints(client, db);
            if (n !== ROWS) throw new Error(`the server holds ${n} of the ${ROWS} points written`);
          }
          r.samples.push(s);
          console.log(
            `${tag.padEnd(40)} ${fmtS(s.seconds).padStart(8)} s  ${s.peakRssMb.toFixed(0).padStart(5)} MB`,
          );
        } catch (e) {
          r.errors.push((e as Error).message);
          console.log(`${tag.padEnd(40)} FAILED: ${(e as Error).message}`);
        } finally {
          if (r.c.freshDb) await client.dropDatabase(db);
        }
      }
    }
  } finally {
    await client.close();
    await server.stop();
  }

  const minutes = Number(process.hrtime.bigint() - started) / 6e10;
  const samples = rows
    .filter((r) => r.c.group === 'encode' && r.samples[0]?.sample !== undefined)
    .map((r) => `- ${r.c.label}: \`${r.samples[0]?.sample}\``);
  const tg = targets(rows);
  const md = [
    `### ${QUICK ? 'Quick run' : 'Run'}: ${ROWS.toLocaleString('en-US')} points, median of ${RUNS}`,
    '',
    machine(influxdVersion, python),
    '',
    ONLY.has('import')
      ? `**Importing** the package root in a fresh process (\`await import(...)\` timed inside it; ${RUNS * IMPORT_REPEAT} processes each)\n\n${importTable(rows)}\n`
      : undefined,
    ONLY.has('encode')
      ? `**Encoding** ${ROWS.toLocaleString('en-US')} points (batches of ${BATCH}, no I/O)\n\n${table('encode', rows)}\n`
      : '',
    ONLY.has('write')
      ? `**Writing** ${ROWS.toLocaleString('en-US')} points to the server (batches of ${BATCH}, 4 requests in flight; each run into a fresh database, counted afterwards)\n\n${table('write', rows)}\n`
      : undefined,
    ONLY.has('read')
      ? `**Reading** ${ROWS.toLocaleString('en-US')} rows (\`${READ_QUERY}\`, nanosecond times; row counts checked)\n\n${table('read', rows)}\n`
      : undefined,
    ONLY.has('aggregate')
      ? `**Aggregate** over ${Math.min(ROWS, AGGREGATE_POINTS).toLocaleString('en-US')} points, in memory vs the real server (\`${AGGREGATE_QUERY}\`; 10,000 rows checked; the floor here is influxd)\n\n${table('aggregate', rows)}\n`
      : undefined,
    ONLY.has('udp')
      ? `**UDP** ${ROWS.toLocaleString('en-US')} lines sent to a local socket (no server; no peer has a UDP writer)\n\n${table('udp', rows)}\n`
      : undefined,
    ONLY.has('import')
      ? "Importing: time vs a peer is this row's median time over the peer's (below 1.00x = loads faster); CPU is the median user + system time of the import."
      : undefined,
    "Time / floor: this row's median time over the floor's (1.00x = as fast as the floor). Speed vs a peer: the peer's median time over this row's (2.00x = twice as fast). Peak RSS: the whole process, prepared input included (the largest of the runs). CPU: seconds of user + system time of the client during its timed part, and of influxd while the client's process ran (medians; 2 cores give at most 2 CPU seconds per second).",
    '',
    samples.length > 0 ? `First line written by each encoder:\n\n${samples.join('\n')}\n` : undefined,
    `Whole run: ${minutes.toFixed(1)} min. Command: \`npm run bench${QUICK ? ' -- --quick' : ''}\`.`,
  ]
    .filter((x) => x !== undefined)
    .join('\n');

  console.log(`\n${md}`);
  // The project's own speed targets: printed for its developers, kept out of the README's results.
  if (tg.length > 0) {
    console.log(
      `\nTargets:\n${tg.map((t) => `- ${t.ok ? 'met' : 'MISSED'}: ${t.what} (${t.value})`).join('\n')}`,
    );
  }
  const dir = `${root}bench/results`;
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
  const file = `${dir}/${stamp}${QUICK ? '-quick' : ''}.md`;
  writeFileSync(file, `${md}\n`);
  console.log(`\nwritten to ${file}`);
  const full = !QUICK && ROWS === 1_000_000 && ONLY.size === GROUPS.length && !flag('--no-readme');
  if (full) {
    const readme = `${root}README.md`;
    const text = readFileSync(readme, 'utf8');
    const begin = '<!-- bench:begin -->';
    const end = '<!-- bench:end -->';
    const a = text.indexOf(begin);
    const b = text.indexOf(end);
    if (a >= 0 && b > a) {
      writeFileSync(readme, `${text.slice(0, a + begin.length)}\n${md}\n${text.slice(b)}`);
      console.log('README.md updated (between the bench markers)');
    }
  }
  if (rows.some((r) => r.errors.length > 0)) process.exitCode = 1;
}

await main();
