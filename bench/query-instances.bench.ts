/**
 * Query 1M rows (`ROWS`, default 1M) of the benchmark shape into model instances, against `curl`
 * writing the same response to /dev/null (the raw floor), both against one throwaway influxd:
 *   - `find`: `Repository.find()` (all instances in an array) and `stream`: `Repository.stream()`
 *     (one instance at a time); both read with `chunked=true&chunk_size=10000&epoch=ns`, so their
 *     floor is `curl-chunked`: the same query, bound parameters, chunking, epoch and
 *     `Accept: application/x-msgpack` (the client's default format);
 *   - `curl-whole`: the same query as one whole response, for reference (influxd builds a whole
 *     response in full before sending it, with about 1.5x the CPU of a chunked one);
 *   - `curl-json`: the whole response as JSON, for reference (influxd takes longer still to write it).
 * Each measurement runs in its own child process (its peak RSS is its own), best of 3 (median in
 * brackets); the Node clients are timed warm (one small query first). CPU = user+sys of the reader
 * and of influxd during the run: on 2 cores the reader's CPU is taken from the server.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/query-instances.bench.js [--rounds R] [--only find]
 *   (`--url http://127.0.0.1:PORT --pid INFLUXD_PID` reuses a server holding the data in "bench")
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { InfluxDBClient } from '../src/client/index.js';
import { createRepository } from '../src/query/index.js';
import { startInfluxd } from '../src/testing/index.js';

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : def;
};
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const ROUNDS = Number(arg('--rounds', '3'));
const T0 = 1_700_000_000_000_000_000n;

@Measurement({ name: 'cpu', database: 'bench' })
class Cpu {
  @Tag() host!: string;
  @Tag() region!: string;
  @Field({ type: 'float' }) usage!: number;
  @Field({ type: 'integer' }) cores!: number;
  @Field({ type: 'boolean' }) ok!: boolean;
  @Timestamp({ type: 'bigint' }) time!: bigint;
}

interface Measure {
  name: string;
  ms: number;
  maxRssMb: number;
  cpuMs: number;
  serverCpuMs: number;
}

function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function child(mode: string, url: string, pid: number): Promise<void> {
  const u = new URL(url);
  const client = new InfluxDBClient({
    host: u.hostname,
    port: Number(u.port),
    database: 'bench',
    timeout: 0,
  });
  const repo = createRepository(client, Cpu);
  // warm-up: connection open, undici's parser compiled, the mapping code hot
  await repo.find({ limit: 20_000 });
  for await (const _ of repo.stream({ limit: 20_000 }));
  const s0 = processCpuMs(pid);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  if (mode === 'find') {
    const rows = await repo.find();
    n = rows.length;
  } else {
    for await (const _ of repo.stream({ chunkSize: 10_000 })) n++;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  if (n !== ROWS) throw new Error(`got ${n} rows`);
  await client.close();
  const m: Measure = {
    name: mode,
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
    serverCpuMs: processCpuMs(pid) - s0,
  };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function runChild(mode: string, url: string, pid: number): Promise<Measure> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', mode, '--url', url, '--pid', String(pid)],
      { maxBuffer: 1 << 20, env: { ...process.env, ROWS: String(ROWS) } },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string))),
    );
  });
}

function runCurl(name: string, url: string, pid: number, params: Record<string, string>): Promise<Measure> {
  const accept = name === 'curl-json' ? 'application/json' : 'application/x-msgpack';
  const args = ['-f', '%U %S %M', 'curl', '-sS', '-G', '-o', '/dev/null', '-H', `Accept: ${accept}`];
  args.push(`${url}/query`);
  for (const [k, v] of Object.entries(params)) args.push('--data-urlencode', `${k}=${v}`);
  return new Promise((resolve, reject) => {
    const s0 = processCpuMs(pid);
    const t0 = performance.now();
    const p = spawn('/usr/bin/time', args);
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const ms = performance.now() - t0;
      const [user, sys, rss] = (err.trim().split('\n').at(-1) as string).split(' ').map(Number);
      if (code !== 0) reject(new Error(`curl failed: ${err}`));
      else
        resolve({
          name,
          ms,
          maxRssMb: (rss as number) / 1024,
          cpuMs: ((user as number) + (sys as number)) * 1000,
          serverCpuMs: processCpuMs(pid) - s0,
        });
    });
  });
}

async function main(): Promise<void> {
  if (argv.includes('--child')) {
    await child(arg('--child', ''), arg('--url', ''), Number(arg('--pid', '0')));
    return;
  }
  const external = arg('--url', '');
  const server = external ? undefined : await startInfluxd();
  const url = external || (server?.url as string);
  const pid = external ? Number(arg('--pid', '0')) : (server?.pid as number);
  const u = new URL(url);
  const client = new InfluxDBClient({
    host: u.hostname,
    port: Number(u.port),
    database: 'bench',
    timeout: 0,
  });
  try {
    if (!external) {
      await client.query('CREATE DATABASE "bench"', { method: 'POST' });
      for (let start = 0; start < ROWS; start += 100_000) {
        let body = '';
        for (let i = start; i < Math.min(ROWS, start + 100_000); i++) {
          body += `cpu,host=host-${i % 100},region=region-${i % 5} cores=${1 + (i % 64)}i,ok=${i % 3 !== 0},usage=${((i * 7919) % 100003) / 1000.7} ${T0 + BigInt(i) * 1000n}\n`;
        }
        await client.write(body, { database: 'bench' });
      }
      // let the server finish its post-write cache snapshot before timing anything
      await new Promise((r) => setTimeout(r, 5000));
    }
    const { query, params } = createRepository(client, Cpu).query().toInfluxQL();
    const whole = { db: 'bench', epoch: 'ns', q: query, params: JSON.stringify(params) };
    const chunked = { ...whole, chunked: 'true', chunk_size: '10000' };
    const only = arg('--only', '');
    const results: Measure[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      results.push(await runCurl('curl-chunked', url, pid, chunked));
      if (!only || only === 'find') results.push(await runChild('find', url, pid));
      if (!only || only === 'stream') results.push(await runChild('stream', url, pid));
      if (!only) {
        results.push(await runCurl('curl-whole', url, pid, whole));
        results.push(await runCurl('curl-json', url, pid, whole));
      }
    }
    const of = (name: string) => results.filter((r) => r.name === name);
    const best = (name: string) => of(name).reduce((a, b) => (a.ms <= b.ms ? a : b));
    const median = (name: string, key: 'ms' | 'cpuMs' | 'serverCpuMs' = 'ms') => {
      const xs = of(name)
        .map((r) => r[key])
        .sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)] as number;
    };
    console.log(`query: ${query}  params: ${JSON.stringify(params)}`);
    console.log(`rows: ${ROWS} (best of ${ROUNDS}; medians in brackets; CPU = user+sys)`);
    console.log(
      'name            time (s) [median]  peak RSS (MB)  reader CPU (s)  influxd CPU (s)  vs curl-chunked',
    );
    for (const name of ['curl-chunked', 'find', 'stream', 'curl-whole', 'curl-json']) {
      if (of(name).length === 0) continue;
      const r = best(name);
      const floor = 'curl-chunked';
      console.log(
        `${name.padEnd(15)} ${(r.ms / 1000).toFixed(2).padStart(8)} [${(median(name) / 1000).toFixed(2)}]  ${r.maxRssMb.toFixed(0).padStart(13)}  ${(median(name, 'cpuMs') / 1000).toFixed(2).padStart(14)}  ${(median(name, 'serverCpuMs') / 1000).toFixed(2).padStart(15)}  ${(r.ms / best(floor).ms).toFixed(2)}x [${(median(name) / median(floor)).toFixed(2)}x]`,
      );
    }
  } finally {
    await client.close();
    await server?.stop();
  }
}

await main();
