import diagnosticsChannel from 'node:diagnostics_channel';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CommitBatch,
  type CommitFailure,
  type CommitOptions,
  Field,
  InfluxConfigError,
  InfluxConnectionError,
  InfluxDBClient,
  InfluxFlushError,
  InfluxValidationError,
  Measurement,
  makeLines,
  REGISTRY_CHANNELS,
  RetryPolicy,
  SeriesModel,
  SeriesRegistry,
  Tag,
} from '../src/index.js';
import { MemorySink } from '../src/testing/index.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

function model(registry: SeriesRegistry, name = 'ff') {
  @Measurement({ name, registry })
  class Ff extends SeriesModel<Ff> {
    @Tag() host!: string;
    @Field() v!: number;
  }
  return Ff;
}

/** A sink that never answers until its commit is aborted (a frozen server). */
class FrozenSink {
  signals: AbortSignal[] = [];
  commit(_batch: CommitBatch, options?: CommitOptions): Promise<void> {
    const signal = options?.signal;
    if (signal !== undefined) this.signals.push(signal);
    return new Promise((_resolve, reject) => {
      signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  }
}

const tmp: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(join(tmpdir(), 'influx-spool-'));
  tmp.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
});

describe('flush and close count every batch', () => {
  it('flush counts batches autocommit had already cut, and resolves when all were written', async () => {
    const sink = new MemorySink();
    const registry = new SeriesRegistry({ sink, bulkSize: 3, flushInterval: 0, flushOnExit: false });
    const Ff = model(registry);
    sink.hold();
    for (let i = 0; i < 7; i++) new Ff({ host: 'a', v: i }); // two batches of 3 cut, 1 buffered
    const flushing = registry.flush();
    sink.release();
    expect(await flushing).toEqual({ written: 7, failed: 0, abandoned: 0 });
  });

  it('close({ timeout }) returns in bounded time with a frozen sink, aborting the commits', async () => {
    const sink = new FrozenSink();
    const failures: CommitFailure[] = [];
    const registry = new SeriesRegistry({
      sink,
      bulkSize: 10,
      concurrency: 2,
      flushOnExit: false,
      onError: (_e, f) => failures.push(f),
    });
    const Ff = model(registry);
    for (let i = 0; i < 80; i++) new Ff({ host: 'a', v: i }); // 8 batches: 2 in flight, 6 queued
    const result = await registry.close({ timeout: 100 });
    expect(result).toEqual({ written: 0, failed: 0, abandoned: 80 });
    expect(sink.signals.length).toBe(2);
    expect(sink.signals.every((s) => s.aborted)).toBe(true);
    expect(failures.reduce((n, f) => n + f.lines.length, 0)).toBe(80);
    expect(failures.every((f) => f.abandoned)).toBe(true);
    expect(registry.stats()).toMatchObject({ pending: 0, abandoned: 80, written: 0 });
  });

  it('flush({ timeout }) rejects with InfluxFlushError naming the class, and the points keep being retried', async () => {
    const sink = new MemorySink();
    const registry = new SeriesRegistry({
      sink,
      bulkSize: 100,
      flushOnExit: false,
      retry: { minDelay: 20, maxDelay: 20, jitter: 0 },
    });
    const Ff = model(registry, 'ff_timeout');
    sink.failNext(10);
    for (let i = 0; i < 4; i++) new Ff({ host: 'a', v: i });
    const err = await registry.flush({ timeout: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxFlushError);
    expect(err).toMatchObject({ written: 0, failed: 0, pending: 4 });
    expect((err as InfluxFlushError).classes[0]).toMatchObject({ className: 'Ff', pending: 4 });
    expect((err as Error).message).toMatch(/Ff 4 pending/);
    expect(await registry.flush()).toEqual({ written: 4, failed: 0, abandoned: 0 });
    expect(sink.lineCount).toBe(4);
  });
});

describe('exit', () => {
  it('flushes on beforeExit by default, and not with flushOnExit: false', async () => {
    const sinkA = new MemorySink();
    const sinkB = new MemorySink();
    const a = new SeriesRegistry({ sink: sinkA, bulkSize: 100, flushInterval: 60_000 });
    const b = new SeriesRegistry({ sink: sinkB, bulkSize: 100, flushInterval: 60_000, flushOnExit: false });
    const A = model(a, 'exit_a');
    const B = model(b, 'exit_b');
    new A({ host: 'a', v: 1 });
    new B({ host: 'b', v: 1 });
    process.emit('beforeExit', 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(sinkA.lineCount).toBe(1);
    expect(sinkB.lineCount).toBe(0);
    expect(b.pendingCount).toBe(1);
    await a.close();
    await b.close();
    expect(sinkB.lineCount).toBe(1);
  });
});

describe('loud failures', () => {
  it('warns once with a code, calls onRetry for every retry, and reports stats and channel events', async () => {
    const sink = new MemorySink();
    const retries: Array<[string, number, number]> = [];
    const registry = new SeriesRegistry({
      sink,
      bulkSize: 2,
      flushOnExit: false,
      retry: { minDelay: 1, maxDelay: 1, jitter: 0 },
      onRetry: (e, info) => retries.push([e.name, info.attempt, info.lines]),
    });
    const Ff = model(registry, 'ff_loud');
    const warnings: Array<{ code?: string }> = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w);
    const events: string[] = [];
    const listeners = Object.entries(REGISTRY_CHANNELS).map(([k, name]) => {
      const fn = (m: unknown) => {
        if ((m as { registry: unknown }).registry === registry) events.push(k);
      };
      diagnosticsChannel.subscribe(name, fn);
      return () => diagnosticsChannel.unsubscribe(name, fn);
    });
    process.on('warning', onWarning);
    try {
      sink.failNext(3, () => new InfluxConnectionError('ECONNREFUSED'));
      for (let i = 0; i < 4; i++) new Ff({ host: 'a', v: i });
      expect(registry.stats()).toMatchObject({ pending: 4 });
      await registry.flush();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
      for (const off of listeners) off();
    }
    expect(retries).toHaveLength(3);
    expect(retries[0]).toEqual(['InfluxConnectionError', 1, 2]);
    expect(warnings.filter((w) => w.code === 'INFLUX_MODELS_RETRYING')).toHaveLength(1);
    const s = registry.stats();
    expect(s).toMatchObject({ pending: 0, written: 4, failed: 0, retries: 3 });
    expect(s.classes.Ff).toMatchObject({ written: 4, retries: 3, buffered: 0 });
    expect(events.filter((e) => e === 'retry')).toHaveLength(3);
    expect(events.filter((e) => e === 'start')).toHaveLength(5);
    expect(events.filter((e) => e === 'end')).toHaveLength(2);
    expect(events.filter((e) => e === 'giveUp')).toHaveLength(0);
  });
});

describe('one retry policy', () => {
  let http: Server | undefined;
  afterAll(() => http?.close());

  it('a registry writing through a client makes exactly the attempts its policy allows (no product of loops)', async () => {
    let requests = 0;
    http = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end('{"error":"overloaded"}');
      });
    });
    await new Promise<void>((r) => http?.listen(0, '127.0.0.1', r));
    const port = (http.address() as AddressInfo).port;
    const retry = new RetryPolicy({ maxAttempts: 4, minDelay: 1, maxDelay: 5 });
    const client = new InfluxDBClient({ host: '127.0.0.1', port, database: 'x', retry });
    const failures: CommitFailure[] = [];
    const registry = new SeriesRegistry({
      sink: client,
      retry,
      bulkSize: 10,
      flushOnExit: false,
      onError: (_e, f) => failures.push(f),
    });
    const Ff = model(registry, 'ff_policy');
    new Ff({ host: 'a', v: 1 });
    await expect(registry.flush()).rejects.toThrow(InfluxFlushError);
    expect(requests).toBe(4); // the client's own 4 attempts are not multiplied by the registry's
    expect(failures[0]).toMatchObject({ attempts: 4, permanent: false });
    await client.close();
  });
});

describe('limits the server enforces per line', () => {
  it('refuses a series key over 64 KiB at construction and in makeLines', () => {
    const registry = new SeriesRegistry({ sink: new MemorySink(), flushOnExit: false });
    const Ff = model(registry, 'ff_key');
    const big = 'x'.repeat(70 * 1024);
    expect(() => new Ff({ host: big, v: 1 })).toThrow(InfluxValidationError);
    expect(() => new Ff({ host: big, v: 1 })).toThrow(/Ff.tags: the series key .* 65535 bytes/);
    expect(registry.pendingCount).toBe(0);
    new Ff({ host: 'x'.repeat(65_000), v: 1 }); // under the limit: accepted
    expect(() => makeLines([{ measurement: 'm', tags: { t: big }, fields: { v: 1 } }])).toThrow(
      /points\[0\].tags: the series key/,
    );
    // a long line whose key is short is fine
    expect(makeLines([{ measurement: 'm', fields: { s: big } }]).length).toBeGreaterThan(70 * 1024);
  });
});

describe('partial writes against a real influxd', () => {
  it('onError receives exactly the refused lines; the other lines are counted as written', async () => {
    const db = uniqueDatabase('partial');
    const { host, port } = serverAddress();
    const client = new InfluxDBClient({ host, port, database: db });
    await client.createDatabase(db);
    await client.write('pw w=1i\n', { database: db }); // w is an integer in the current shard
    const failures: CommitFailure[] = [];
    const registry = new SeriesRegistry({
      sink: client,
      bulkSize: 1000,
      flushOnExit: false,
      onError: (_e, f) => failures.push(f),
    });
    @Measurement({ name: 'pw', registry, database: db })
    class Pw extends SeriesModel<Pw> {
      @Field({ type: 'integer' }) v?: number;
      @Field() w?: number;
    }
    for (let i = 0; i < 500; i++) new Pw({ v: i });
    const bad = new Pw({ w: 0.5 }); // a float into the integer field: refused
    for (let i = 500; i < 999; i++) new Pw({ v: i });
    const err = await registry.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxFlushError);
    expect(err).toMatchObject({ written: 999, failed: 1 });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ exact: true, permanent: true, className: 'Pw' });
    expect(failures[0]?.lines).toHaveLength(1);
    expect(failures[0]?.lines[0]).toMatch(/^pw w=0.5 /);
    expect(failures[0]?.instances).toEqual([bad]);
    const rs = await rawQuery('SELECT count(*) FROM pw', db);
    expect(rs.results[0].series[0].values[0].slice(1)).toEqual([999, 1]);
    await client.close();
  });
});

describe('spool', () => {
  it('refuses a second registry on the same directory (lock)', () => {
    const dir = tempDir();
    const a = new SeriesRegistry({ sink: new MemorySink(), spool: { dir }, flushOnExit: false });
    expect(() => new SeriesRegistry({ spool: { dir } })).toThrow(InfluxConfigError);
    expect(() => new SeriesRegistry({ spool: { dir } })).toThrow(/already used/);
    return a.close();
  });

  it('replays what was not acknowledged, skipping a torn tail with a warning', async () => {
    const dir = tempDir();
    const frozen = new FrozenSink();
    const a = new SeriesRegistry({
      sink: frozen,
      spool: { dir },
      bulkSize: 5,
      flushOnExit: false,
      onError: () => {},
    });
    const Ff = model(a, 'ff_spool');
    for (let i = 0; i < 12; i++) new Ff({ host: 'a', v: i });
    expect(await a.close({ timeout: 20 })).toEqual({ written: 0, failed: 0, abandoned: 12 });
    // a torn record at the tail (a crash in the middle of an append)
    const seg = fs.readdirSync(dir).find((n) => n.startsWith('seg-')) as string;
    fs.appendFileSync(join(dir, seg), Buffer.from([0x49, 0x4d, 0x53, 0x50, 1, 0, 0, 0, 200, 0, 0, 0, 1, 2]));
    const warnings: Array<{ code?: string }> = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w);
    process.on('warning', onWarning);
    const sink = new MemorySink();
    let b: SeriesRegistry;
    try {
      b = new SeriesRegistry({ sink, spool: { dir }, flushOnExit: false });
      expect(b.pendingCount).toBe(12);
      expect(await b.flush()).toEqual({ written: 12, failed: 0, abandoned: 0 });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.code === 'INFLUX_MODELS_SPOOL_CORRUPT')).toHaveLength(1);
    expect(sink.lines().map((l) => l.replace(/ \d+$/, ''))).toEqual(
      Array.from({ length: 12 }, (_, i) => `ff_spool,host=a v=${i}`),
    );
    expect(b.stats().spool).toMatchObject({ replayed: 12, bytes: 0 });
    await b.close();
    // everything acknowledged: nothing left to replay
    const c = new SeriesRegistry({ sink, spool: { dir }, flushOnExit: false });
    expect(c.pendingCount).toBe(0);
    await c.close();
  });

  it('spills batches beyond maxPending to disk and reads them back in order', async () => {
    const dir = tempDir();
    const sink = new MemorySink();
    const registry = new SeriesRegistry({
      sink,
      spool: { dir },
      bulkSize: 10,
      maxPending: 20,
      concurrency: 1,
      flushOnExit: false,
    });
    const Ff = model(registry, 'ff_spill');
    sink.hold();
    for (let i = 0; i < 200; i++) new Ff({ host: 'a', v: i }); // would throw without the spool
    expect(registry.stats().spool?.spilled).toBeGreaterThan(0);
    const flushing = registry.flush();
    sink.release();
    expect(await flushing).toEqual({ written: 200, failed: 0, abandoned: 0 });
    expect(sink.lines().map((l) => Number(/v=(\d+)/.exec(l)?.[1]))).toEqual(
      Array.from({ length: 200 }, (_, i) => i),
    );
    await registry.close();
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('seg-'))).toEqual([]);
  });
});
