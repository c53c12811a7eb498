/**
 * Fault suite: points constructed by an application that ends or fails the ways applications do,
 * counted on a real influxd. Each case reports accepted / stored / lost / duplicated (and points
 * reported to onError, which are not lost silently). Bounded: every child and wait has a timeout;
 * loopback only. MODELS_FAULT_POINTS sets the size of the influxd-kill case (1000000 for the full
 * version; CI uses 100000).
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommitBatch,
  type CommitFailure,
  Field,
  InfluxDBClient,
  InfluxFlushError,
  Measurement,
  SeriesModel,
  SeriesRegistry,
  Tag,
} from '../src/index.js';
import { type InfluxdHandle, startInfluxd } from '../src/testing/index.js';
import { buildChildApp, type ChildApp, spawnChildApp } from './helpers/child-app.js';

const N = Number(process.env.MODELS_FAULT_POINTS ?? 100_000);
let appJs: string;

let server: InfluxdHandle;
let client: InfluxDBClient;
const rows: Array<Record<string, string | number>> = [];
const temp: string[] = [];

beforeAll(async () => {
  const [s, js] = await Promise.all([startInfluxd(), buildChildApp('fault-app')]);
  appJs = js;
  server = s;
  // count(distinct()) over 1M points can take a while on a loaded machine
  client = new InfluxDBClient({ host: server.host, port: server.port, database: 'fault', timeout: 120_000 });
  await client.createDatabase('fault');
}, 120_000);

afterAll(async () => {
  try {
    if (server?.pid !== undefined) process.kill(server.pid, 'SIGCONT');
  } catch {}
  await client?.close();
  await server?.stop();
  for (const d of temp) fs.rmSync(d, { recursive: true, force: true });
  if (rows.length > 0) {
    const cols = ['case', 'accepted', 'stored', 'lost', 'duplicated', 'reported', 'note'];
    const lines = [
      `| ${cols.join(' | ')} |`,
      `|${cols.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${cols.map((c) => String(r[c] ?? '')).join(' | ')} |`),
    ];
    console.log(`\nfault suite (${N} points in the influxd-kill case)\n${lines.join('\n')}\n`);
  }
});

function tempDir(): string {
  const d = fs.mkdtempSync(join(tmpdir(), 'fault-spool-'));
  temp.push(d);
  return d;
}

/** Stored points of a run (seq below `below`): count and distinct seqs, read in one query. */
async function stored(
  run: string,
  below = Number.MAX_SAFE_INTEGER,
): Promise<{ count: number; distinct: number }> {
  const rs = await client.query(
    `SELECT count("seq") AS c, count(distinct("seq")) AS d FROM fp WHERE "run" = $run AND "seq" < ${below}`,
    { database: 'fault', bindParams: { run } },
  );
  const row = [...rs.getPoints()][0] as { c?: number; d?: number } | undefined;
  return { count: Number(row?.c ?? 0), distinct: Number(row?.d ?? 0) };
}

/** Waits until requests of a killed process that were still on the wire are stored. */
const settle = () => new Promise((r) => setTimeout(r, 500));

function record(
  name: string,
  accepted: number,
  s: { count: number; distinct: number },
  extra: Record<string, string | number> = {},
) {
  const row = {
    case: name,
    accepted,
    stored: s.count,
    lost: accepted - s.distinct - Number(extra.reported ?? 0),
    duplicated: s.count - s.distinct,
    ...extra,
  };
  rows.push(row);
  return row;
}

/** The suite's model (the same shape as test/fault/fault-app.ts), bound to `registry`. */
function fpModel(registry: SeriesRegistry, database: string) {
  @Measurement({ name: 'fp', registry, database })
  class Fp extends SeriesModel<Fp> {
    @Tag() run!: string;
    @Field({ type: 'integer' }) seq!: number;
    @Field({ type: 'float' }) v!: number;
  }
  return Fp;
}

function app(env: Record<string, string>, ulimitKiB?: number): ChildApp {
  const full = { FAULT_PORT: String(server.port), FAULT_DB: 'fault', ...env };
  return ulimitKiB === undefined
    ? spawnChildApp(process.execPath, [appJs], full)
    : spawnChildApp('bash', ['-c', `ulimit -f ${ulimitKiB}; exec "${process.execPath}" "${appJs}"`], full);
}

describe('fault suite', () => {
  it('natural end, no hooks: nothing lost (flush on beforeExit)', async () => {
    const c = app({ FAULT_MODE: 'natural', FAULT_RUN: 'natural', FAULT_POINTS: '12345' });
    expect(await c.exited).toBe(0);
    const row = record('natural end, no hooks', 12_345, await stored('natural'));
    expect(row).toMatchObject({ stored: 12_345, lost: 0, duplicated: 0 });
  });

  it('application SIGKILLed mid-stream without a spool: loses what was pending (reported)', async () => {
    const c = app({ FAULT_MODE: 'stream', FAULT_RUN: 'kill-nospool', FAULT_POINTS: '1000000' });
    await c.reached(32_500); // 6.5 batches of 5000: some points below bulkSize are pending
    c.proc.kill('SIGKILL');
    await c.exited;
    await settle();
    const accepted = c.committed();
    const row = record('app SIGKILL, no spool', accepted, await stored('kill-nospool', accepted), {
      note: 'expected loss: what was pending in memory',
    });
    expect(row.duplicated).toBe(0);
  });

  it('application SIGKILLed mid-stream with a spool, restarted on it: 0 lost, 0 duplicated', async () => {
    const dir = tempDir();
    const c = app({
      FAULT_MODE: 'stream',
      FAULT_RUN: 'kill-spool',
      FAULT_POINTS: '1000000',
      FAULT_SPOOL: dir,
    });
    await c.reached(32_500);
    c.proc.kill('SIGKILL');
    await c.exited;
    await settle();
    const accepted = c.committed();
    const before = await stored('kill-spool', accepted);
    const r = app({ FAULT_MODE: 'replay', FAULT_RUN: 'kill-spool', FAULT_SPOOL: dir });
    expect(await r.exited).toBe(0);
    const replayed = Number(/replayed (\d+)/.exec(r.stdout)?.[1]);
    const row = record('app SIGKILL, spool, restart', accepted, await stored('kill-spool', accepted), {
      note: `${accepted - before.distinct} missing before the restart, ${replayed} replayed`,
    });
    expect(row).toMatchObject({ lost: 0, duplicated: 0 });
  });

  it('disk full on the spool directory (file size limit): warns, keeps writing, loses nothing', async () => {
    const dir = tempDir();
    const c = app(
      { FAULT_MODE: 'stream', FAULT_RUN: 'diskfull', FAULT_POINTS: '20000', FAULT_SPOOL: dir },
      256,
    );
    expect(await c.exited).toBe(0);
    expect(c.stderr).toContain('INFLUX_MODELS_SPOOL_WRITE');
    const row = record('spool disk full (ulimit -f 256 KiB)', 20_000, await stored('diskfull'), {
      note: 'warning INFLUX_MODELS_SPOOL_WRITE; memory only while full',
    });
    expect(row).toMatchObject({ stored: 20_000, lost: 0, duplicated: 0 });
  });

  it(`influxd SIGKILLed and restarted twice during ${N} autocommitted points: 0 lost, 0 duplicated`, async () => {
    let acked = 0;
    let kills = 0;
    const killAt = [Math.floor(N / 3), Math.floor((2 * N) / 3)];
    let chaos: Promise<void> = Promise.resolve();
    const failures: CommitFailure[] = [];
    const sink = {
      async commit(batch: CommitBatch, options?: { signal?: AbortSignal; retry?: boolean }) {
        await client.commit(batch, options);
        acked += batch.lineCount;
        if (kills < killAt.length && acked >= (killAt[kills] as number)) {
          kills++;
          chaos = chaos.then(async () => {
            await server.kill('SIGKILL');
            await new Promise((r) => setTimeout(r, 300));
            await server.restart();
          });
        }
      },
    };
    const registry = new SeriesRegistry({
      sink,
      bulkSize: 5000,
      maxPending: 40_000,
      retry: { minDelay: 50, maxDelay: 500 },
      flushOnExit: false,
      onError: (_e, f) => failures.push(f),
    });
    const Fp = fpModel(registry, 'fault');
    let maxPending = 0;
    for (let i = 0; i < N; i++) {
      if (!registry.hasCapacity()) await registry.waitForCapacity();
      new Fp({ run: 'influxd-kill', seq: i, v: i * 0.25 });
      if (registry.pendingCount > maxPending) maxPending = registry.pendingCount;
    }
    await registry.close();
    await chaos;
    expect(kills).toBe(2);
    const row = record('influxd SIGKILL+restart x2', N, await stored('influxd-kill'), {
      reported: failures.reduce((n, f) => n + f.lines.length, 0),
      note: `max pending ${maxPending}/40000`,
    });
    expect(row).toMatchObject({ stored: N, lost: 0, duplicated: 0, reported: 0 });
  }, 300_000);

  it('influxd SIGSTOPped during flush and close: both settle within their times; the spool keeps the rest', async () => {
    const dir = tempDir();
    const failures: CommitFailure[] = [];
    const registry = new SeriesRegistry({
      sink: client,
      spool: { dir },
      bulkSize: 1000,
      flushOnExit: false,
      onError: (_e, f) => failures.push(f),
    });
    const Fp = fpModel(registry, 'fault');
    const pid = server.pid as number;
    process.kill(pid, 'SIGSTOP');
    let accepted = 0;
    try {
      for (; accepted < 10_000; accepted++) new Fp({ run: 'sigstop', seq: accepted, v: 1 });
      const t0 = Date.now();
      const flushErr = await registry.flush({ timeout: 1000 }).catch((e: unknown) => e);
      const flushMs = Date.now() - t0;
      expect(flushErr).toBeInstanceOf(InfluxFlushError);
      expect((flushErr as InfluxFlushError).pending).toBe(10_000);
      const t1 = Date.now();
      const closed = await registry.close({ timeout: 1000 });
      const closeMs = Date.now() - t1;
      expect(closed).toEqual({ written: 0, failed: 0, abandoned: 10_000 });
      rows.push({
        case: 'influxd SIGSTOP: flush({timeout:1000}), close({timeout:1000})',
        accepted,
        stored: '-',
        lost: '-',
        duplicated: '-',
        reported: closed.abandoned,
        note: `flush rejected after ${flushMs} ms, close returned after ${closeMs} ms`,
      });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // the abandoned batches stayed in the spool: a new registry on it writes them
    const again = new SeriesRegistry({ sink: client, spool: { dir }, flushOnExit: false });
    expect(await again.close()).toMatchObject({ failed: 0, abandoned: 0 });
    const row = record('SIGSTOP, then replay from spool', accepted, await stored('sigstop'), {
      note: 'abandoned at close, replayed by the next registry',
    });
    expect(row).toMatchObject({ stored: accepted, lost: 0, duplicated: 0 });
    expect(failures.every((f) => f.abandoned)).toBe(true);
  }, 60_000);

  it('SIGTERM with shutdown hooks while influxd is SIGSTOPped: the app exits by itself; the spool keeps the rest', async () => {
    const dir = tempDir();
    const pid = server.pid as number;
    const c = app({
      FAULT_MODE: 'stream',
      FAULT_RUN: 'sigterm',
      FAULT_POINTS: '1000000',
      FAULT_SPOOL: dir,
      FAULT_HOOKS: '1000',
    });
    await c.reached(10_000);
    process.kill(pid, 'SIGSTOP');
    let exit: { code: number | null; signal: string | null };
    let accepted: number;
    const t0 = Date.now();
    try {
      await c.reached(c.committed() + 1000); // still producing while the server is frozen
      c.proc.kill('SIGTERM');
      await c.exited;
      exit = { code: c.proc.exitCode, signal: c.proc.signalCode };
      accepted = c.committed();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const exitMs = Date.now() - t0;
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' }); // ended by the re-raised signal, not our 90 s SIGKILL
    const r = app({ FAULT_MODE: 'replay', FAULT_RUN: 'sigterm', FAULT_SPOOL: dir });
    expect(await r.exited).toBe(0);
    await settle();
    const row = record(
      'SIGTERM + hooks, influxd SIGSTOP, then replay',
      accepted,
      await stored('sigterm', accepted),
      {
        note: `app exited ${exitMs} ms after SIGSTOP (close timeout 1000 ms); abandoned points replayed from the spool`,
      },
    );
    expect(row).toMatchObject({ lost: 0, duplicated: 0 });
  }, 120_000);

  it('a database dropped mid-stream (404): every point not stored is reported, none lost silently', async () => {
    await client.createDatabase('fault404');
    const failures: CommitFailure[] = [];
    const registry = new SeriesRegistry({
      sink: client,
      bulkSize: 1000,
      flushOnExit: false,
      onError: (_e, f) => failures.push(f),
    });
    const Fp = fpModel(registry, 'fault404');
    for (let i = 0; i < 5000; i++) new Fp({ run: '404', seq: i, v: 1 });
    await registry.flush();
    await client.dropDatabase('fault404');
    for (let i = 5000; i < 10_000; i++) new Fp({ run: '404', seq: i, v: 1 });
    const result = await registry.close();
    const reported = failures.reduce((n, f) => n + f.lines.length, 0);
    expect(result).toEqual({ written: 0, failed: 5000, abandoned: 0 });
    expect(failures.every((f) => f.permanent)).toBe(true);
    rows.push({
      case: '404 database mid-stream',
      accepted: 10_000,
      stored: `5000 (before the drop)`,
      lost: 10_000 - 5000 - reported,
      duplicated: 0,
      reported,
      note: 'permanent: onError, no retry',
    });
    expect(reported).toBe(5000);
  });
});
