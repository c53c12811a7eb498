/**
 * `replicate: 'all'` through the registry, against three throwaway influxd behind recording
 * proxies (the proxies keep what each real server accepted, in order, so that a batch sent twice
 * or late shows; influxd itself stores an identical point once):
 * - a server that is paused (SIGSTOP) while another is down gets every batch once, in commit order,
 *   and the registry does not retry nor back off on top of the servers' queues;
 * - with the durable spool, a server whose copies the client dropped over `maxReplicaBacklog` gets
 *   them from the spool once it is back, in order, without a restart, the client's memory bounded;
 *   without a spool the drops are counted;
 * - `registry.stats().hosts` agrees with the client, and a flush that rejects carries `hosts`.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Field,
  InfluxDBClient,
  InfluxFlushError,
  Measurement,
  SeriesModel,
  SeriesRegistry,
  type SeriesRegistryOptions,
  Tag,
  Timestamp,
} from '../src/index.js';
import { type InfluxdHandle, startInfluxd } from '../src/testing/index.js';
import { type RecordingProxy, recordingProxy, seqsOf } from './helpers/recording-proxy.js';
import { uniqueDatabase } from './helpers/server.js';

let servers: InfluxdHandle[] = [];
let proxies: RecordingProxy[] = [];
let direct: InfluxDBClient[] = [];
const temp: string[] = [];

beforeAll(async () => {
  servers = await Promise.all([startInfluxd(), startInfluxd(), startInfluxd()]);
  proxies = await Promise.all(servers.map((s) => recordingProxy(s)));
  direct = servers.map((s) => new InfluxDBClient({ host: s.host, port: s.port, retries: 1 }));
}, 120_000);

afterAll(async () => {
  await Promise.all(direct.map((c) => c.close()));
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of temp) fs.rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Polls `done` every 20 ms (for at most 20 s). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await sleep(20);
}

/** The proxies' records from now on. */
function mark(): () => number[][] {
  const from = proxies.map((p) => p.stored.length);
  return () => proxies.map((p, i) => seqsOf(p.stored.slice(from[i])));
}

function pairClient(db: string, extra: Record<string, unknown> = {}, through = proxies): InfluxDBClient {
  return new InfluxDBClient({
    hosts: through.map((p) => ({ host: '127.0.0.1', port: p.port })),
    replicate: 'all',
    database: db,
    retryBaseDelay: 20,
    retryMaxDelay: 100,
    ...extra,
  });
}

function model(registry: SeriesRegistry) {
  @Measurement({ name: 'rr', registry })
  class Rr extends SeriesModel<Rr> {
    @Tag() s!: string;
    @Field({ type: 'integer' }) seq!: number;
    @Timestamp() time!: Date;
  }
  return (i: number) => new Rr({ s: `s${i % 4}`, seq: i, time: new Date(1_700_000_000_000 + i) });
}

async function count(client: InfluxDBClient, db: string): Promise<{ c: number; d: number }> {
  const rs = await client.query('SELECT count("seq") AS c, count(distinct("seq")) AS d FROM rr', {
    database: db,
  });
  const row = [...rs.getPoints()][0] as { c?: number; d?: number } | undefined;
  return { c: Number(row?.c ?? 0), d: Number(row?.d ?? 0) };
}

function registryOf(client: InfluxDBClient, extra: SeriesRegistryOptions = {}): SeriesRegistry {
  return new SeriesRegistry({ sink: client, bulkSize: 100, flushOnExit: false, ...extra });
}

describe("replicate: 'all' through the registry, per-server order", () => {
  it('a slow server and a dead one get every batch once, in commit order; the registry never retries on top of their queues', async () => {
    const db = uniqueDatabase('rrslow');
    await Promise.all(direct.map((c) => c.createDatabase(db)));
    const [a] = servers as [InfluxdHandle];
    const slow = proxies[1] as RecordingProxy;
    // requestTimeout below the time a batch waits in the slow server's queue: a write call would
    // give up (and used to be re-sent by the registry, behind later batches); the registry must not
    // (each request takes ~200 ms, well within requestTimeout: no request times out on its own)
    const client = pairClient(db, { requestTimeout: 1000 }, proxies.slice(0, 2));
    const retries: number[] = [];
    const registry = registryOf(client, {
      concurrency: 16,
      retry: { minDelay: 10, maxDelay: 50 },
      onRetry: (_e, info) => retries.push(info.attempt),
    });
    const make = model(registry);
    const seen = mark();
    const N = 1000;
    await a.kill('SIGKILL');
    slow.delayMs = 200;
    try {
      for (let i = 0; i < N; i++) make(i);
      // every batch is stored by the slow server alone, one request at a time
      expect(await registry.flush({ timeout: 30_000 })).toMatchObject({ written: N, failed: 0 });
    } finally {
      slow.delayMs = 0;
      await a.restart();
    }
    const report = await registry.flush({ timeout: 30_000 });
    expect(report.hosts?.map((h) => [h.written, h.pending, h.failed, h.dropped])).toEqual([
      [N, 0, 0, 0],
      [N, 0, 0, 0],
    ]);
    // each server stored each batch once, in commit order (the dead one once it was back)
    expect(seen().slice(0, 2)).toEqual([range(N), range(N)]);
    expect(retries).toEqual([]);
    expect(registry.stats().retries).toBe(0);
    for (const c of direct.slice(0, 2)) expect(await count(c, db)).toEqual({ c: N, d: N });
    await registry.close();
    await client.close();
  }, 60_000);

  it('a server paused with SIGSTOP during the writes gets them all once it continues, in commit order', async () => {
    const db = uniqueDatabase('rrstop');
    await Promise.all(direct.map((c) => c.createDatabase(db)));
    const b = servers[1] as InfluxdHandle;
    const client = pairClient(db, { timeout: 30_000 });
    const registry = registryOf(client, { concurrency: 4 });
    const make = model(registry);
    const seen = mark();
    const N = 2000;
    process.kill(b.pid as number, 'SIGSTOP');
    try {
      for (let i = 0; i < N; i++) make(i);
      // the others store everything; the paused server's copies wait (its request hangs, no error)
      await until(() => registry.stats().written === N);
      const hosts = () => (registry.stats().hosts ?? []).map((h) => [h.written, h.pending]);
      await until(() => hosts()[0]?.[0] === N && hosts()[2]?.[0] === N);
      expect(hosts()).toEqual([
        [N, 0],
        [0, N],
        [N, 0],
      ]);
    } finally {
      process.kill(b.pid as number, 'SIGCONT');
    }
    const after = await registry.flush({ timeout: 30_000 });
    expect(after.hosts?.map((h) => [h.written, h.pending])).toEqual([
      [N, 0],
      [N, 0],
      [N, 0],
    ]);
    expect(seen()).toEqual([range(N), range(N), range(N)]);
    await registry.close();
    await client.close();
  }, 60_000);
});

describe("replicate: 'all' through the registry with the durable spool", () => {
  it('a server whose copies were dropped over maxReplicaBacklog gets them from the spool once back, in order, without a restart', async () => {
    const db = uniqueDatabase('rrlane');
    await Promise.all(direct.map((c) => c.createDatabase(db)));
    const b = servers[1] as InfluxdHandle;
    const maxReplicaBacklog = 16 * 1024; // a few batches of 100 points
    const client = pairClient(db, { maxReplicaBacklog });
    const dir = fs.mkdtempSync(join(tmpdir(), 'rr-spool-'));
    temp.push(dir);
    const registry = registryOf(client, { spool: { dir } });
    const make = model(registry);
    const seen = mark();
    const N = 6000;
    await b.kill('SIGKILL');
    try {
      for (let i = 0; i < N; i++) {
        make(i);
        if (i % 500 === 499) await registry.flush({ timeout: 20_000 });
      }
      const down = await registry.flush({ timeout: 20_000 });
      expect(registry.stats().written).toBe(N);
      const [, hb] = down.hosts ?? [];
      expect([hb?.written, hb?.pending, hb?.dropped, hb?.failing]).toEqual([0, N, 0, true]);
      // the client holds at most maxReplicaBacklog for B (it dropped the rest): the spool has them
      const backlog = client.replicaBacklog()[1];
      expect(backlog?.dropped).toBeGreaterThan(0);
      expect(backlog?.pendingBytes).toBeLessThanOrEqual(maxReplicaBacklog);
      expect(registry.stats().spool?.bytes).toBeGreaterThan(0);
    } finally {
      await b.restart();
    }
    const back = await registry.flush({ timeout: 60_000 });
    expect(
      back.hosts?.map((h) => [h.written, h.pending, h.pendingBatches, h.pendingBytes, h.dropped]),
    ).toEqual([
      [N, 0, 0, 0, 0],
      [N, 0, 0, 0, 0],
      [N, 0, 0, 0, 0],
    ]);
    for (const seqs of seen()) expect(seqs).toEqual(range(N));
    for (const c of direct) expect(await count(c, db)).toEqual({ c: N, d: N });
    // every server has every batch: the spool acknowledged them all
    expect(registry.stats().spool?.bytes).toBe(0);
    await registry.close();
    await client.close();
  }, 90_000);

  it('closed while a server is behind (its lane on disk): the next registry on the spool sends that server only what it missed, in order', async () => {
    const db = uniqueDatabase('rrclose');
    await Promise.all(direct.map((c) => c.createDatabase(db)));
    const b = servers[1] as InfluxdHandle;
    const dir = fs.mkdtempSync(join(tmpdir(), 'rr-spool-'));
    temp.push(dir);
    const N = 3000;
    const seen = mark();
    await b.kill('SIGKILL');
    try {
      const client = pairClient(db, { maxReplicaBacklog: 16 * 1024 });
      const registry = registryOf(client, { spool: { dir } });
      const make = model(registry);
      for (let i = 0; i < N; i++) make(i);
      const closed = await registry.close({ timeout: 20_000 });
      expect(closed.written).toBe(N);
      expect(closed.hosts?.map((h) => [h.written, h.pending, h.dropped])).toEqual([
        [N, 0, 0],
        [0, N, 0],
        [N, 0, 0],
      ]);
      await client.close({ timeout: 0 });
      // the copies the closed client still held are not counted as dropped: the spool has them
      expect(registry.stats().hosts?.[1]?.dropped).toBe(0);
    } finally {
      await b.restart();
    }
    const client = pairClient(db);
    const next = new SeriesRegistry({ sink: client, spool: { dir }, flushOnExit: false });
    const report = await next.close({ timeout: 30_000 });
    expect(report.hosts?.map((h) => [h.written, h.pending])).toEqual([
      [0, 0],
      [N, 0],
      [0, 0],
    ]);
    const [toA, toB, toC] = seen();
    expect([toA, toB, toC]).toEqual([range(N), range(N), range(N)]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual([]);
    await client.close();
  }, 60_000);

  it('without a spool the copies dropped over maxReplicaBacklog are counted, per server', async () => {
    const db = uniqueDatabase('rrdrop');
    await Promise.all(direct.map((c) => c.createDatabase(db)));
    const b = servers[1] as InfluxdHandle;
    const client = pairClient(db, { maxReplicaBacklog: 16 * 1024 });
    const registry = registryOf(client);
    const make = model(registry);
    const N = 3000;
    await b.kill('SIGKILL');
    let report: Awaited<ReturnType<SeriesRegistry['flush']>>;
    try {
      for (let i = 0; i < N; i++) make(i);
      report = await registry.flush({ timeout: 20_000 });
    } finally {
      await b.restart();
    }
    const hb = report.hosts?.[1];
    expect(report.written).toBe(N);
    expect(hb?.dropped).toBeGreaterThan(0);
    expect((hb?.dropped ?? 0) + (hb?.pending ?? 0)).toBe(N);
    const after = await registry.flush({ timeout: 60_000 });
    const hb2 = after.hosts?.[1];
    expect([hb2?.written, hb2?.pending, hb2?.dropped]).toEqual([N - (hb?.dropped ?? 0), 0, hb?.dropped]);
    expect((await count(direct[1] as InfluxDBClient, db)).d).toBe(N - (hb?.dropped ?? 0));
    await registry.close();
    await client.close();
  }, 60_000);
});

describe('per-server reports of the registry', () => {
  it('stats().hosts agrees with the client while a server is down; a flush that rejects carries hosts', async () => {
    const db = uniqueDatabase('rrstats');
    await Promise.all(direct.map((c) => c.createDatabase(db)));
    const [a, b, c] = servers as [InfluxdHandle, InfluxdHandle, InfluxdHandle];
    const client = pairClient(db);
    const registry = registryOf(client);
    const make = model(registry);
    const N = 500;
    await b.kill('SIGKILL');
    try {
      for (let i = 0; i < N; i++) make(i);
      await registry.flush({ timeout: 20_000 });
      const hosts = registry.stats().hosts ?? [];
      const backlog = client.replicaBacklog();
      expect(hosts.map((h) => h.url)).toEqual(backlog.map((h) => h.url));
      expect(hosts.map((h) => [h.written, h.pending, h.pendingBatches, h.failed, h.dropped])).toEqual([
        [N, 0, 0, 0, 0],
        [0, N, N / 100, 0, 0],
        [N, 0, 0, 0, 0],
      ]);
      // the same batches, bytes and state as the client's queues
      expect(hosts.map((h) => [h.pendingBatches, h.pendingBytes, h.failing])).toEqual(
        backlog.map((h) => [h.pending, h.pendingBytes, h.failing]),
      );
      expect(hosts[1]?.lastError).toBe(backlog[1]?.lastError);
      expect(hosts[1]?.lastError).toMatch(/write/);

      // every server down: the flush rejects, and its error reports each server as a flush does
      await Promise.all([a.kill('SIGKILL'), c.kill('SIGKILL')]);
      make(N);
      const error = await registry.flush({ timeout: 500 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InfluxFlushError);
      const e = error as InfluxFlushError;
      expect(e.pending).toBe(1);
      expect(e.hosts?.map((h) => [h.url, h.written, h.pending, h.failing])).toEqual([
        [hosts[0]?.url, N, 1, true],
        [hosts[1]?.url, 0, N + 1, true],
        [hosts[2]?.url, N, 1, true],
      ]);
      expect(e.hosts?.[1]).toMatchObject({ pendingBatches: N / 100 + 1, failed: 0, dropped: 0 });
      expect(e.hosts?.[1]?.lastError).toMatch(/write/);
    } finally {
      await Promise.all([a.restart(), b.restart(), c.restart()]);
    }
    const done = await registry.flush({ timeout: 60_000 });
    expect(done.hosts?.map((h) => [h.written, h.pending])).toEqual([
      [N + 1, 0],
      [N + 1, 0],
      [N + 1, 0],
    ]);
    expect(registry.stats().hosts?.map((h) => h.failing)).toEqual([false, false, false]);
    await registry.close();
    await client.close();
  }, 60_000);
});
