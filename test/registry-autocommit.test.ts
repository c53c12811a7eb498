import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CommitBatch,
  type CommitFailure,
  configureSeries,
  defaultRegistry,
  Field,
  InfluxBufferFullError,
  InfluxClosedError,
  InfluxConfigError,
  InfluxDBClientError,
  InfluxDBPartialWriteError,
  InfluxDBServerError,
  InfluxFlushError,
  Measurement,
  SeriesModel,
  SeriesRegistry,
  type SeriesRegistryOptions,
  Tag,
  Timestamp,
} from '../src/index.js';
import { MemorySink } from '../src/testing/index.js';

function setup(
  options: SeriesRegistryOptions = {},
  modelOptions: { bulkSize?: number; autocommit?: boolean } = {},
) {
  const sink = new MemorySink();
  const failures: Array<{ error: Error; failure: CommitFailure }> = [];
  const registry = new SeriesRegistry({
    sink,
    flushInterval: 0,
    retry: { minDelay: 1, maxDelay: 5, jitter: 0 },
    onError: (error, failure) => failures.push({ error, failure }),
    ...options,
  });
  @Measurement({ name: 'cpu', registry, ...modelOptions })
  class Cpu extends SeriesModel<Cpu> {
    @Tag() host!: string;
    @Field() usage!: number;
  }
  return { sink, registry, Cpu, failures };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('registry autocommit', () => {
  it('commits synchronously at bulkSize, counting across series (seed SH01 semantics)', async () => {
    const { sink, Cpu } = setup({}, { bulkSize: 5 });
    for (let i = 0; i < 4; i++) new Cpu({ host: `h${i}`, usage: i });
    expect(sink.attempts).toBe(0);
    expect(Cpu.pending()).toHaveLength(4);
    new Cpu({ host: 'h4', usage: 4 });
    expect(sink.attempts).toBe(1); // handed to the sink inside the 5th construction
    expect(sink.commits()[0]?.lines).toHaveLength(5);
    expect(Cpu.pending()).toEqual([]);
    expect(sink.points(Cpu).map((p) => p.host)).toEqual(['h0', 'h1', 'h2', 'h3', 'h4']);
  });

  it('commits after flushInterval since the first pending point (timers are unref-ed)', async () => {
    vi.useFakeTimers();
    const { sink, Cpu } = setup({ flushInterval: 1000, bulkSize: 100 });
    new Cpu({ host: 'a', usage: 1 });
    vi.advanceTimersByTime(600);
    new Cpu({ host: 'b', usage: 2 });
    vi.advanceTimersByTime(399);
    expect(sink.lineCount).toBe(0);
    vi.advanceTimersByTime(1);
    expect(sink.lineCount).toBe(2);
    // the next point starts a new interval
    new Cpu({ host: 'c', usage: 3 });
    vi.advanceTimersByTime(999);
    expect(sink.lineCount).toBe(2);
    vi.advanceTimersByTime(1);
    expect(sink.lineCount).toBe(3);
  });

  it('commits when the pending bytes reach maxBatchBytes', () => {
    const { sink, Cpu } = setup({ bulkSize: 1000, maxBatchBytes: 200 });
    let n = 0;
    while (sink.attempts === 0 && n < 100) new Cpu({ host: `host-${n++}`, usage: n });
    const body = sink.commits()[0]!.batch.body;
    expect(body.length).toBeGreaterThanOrEqual(200);
    expect(body.length - (body.split('\n').at(-2)!.length + 1)).toBeLessThan(200);
  });

  it('leaves points buffered without autocommit; commit(client) writes them through the given sink', async () => {
    const { sink, Cpu } = setup({ bulkSize: 2 }, { autocommit: false });
    new Cpu({ host: 'a', usage: 1 });
    new Cpu({ host: 'b', usage: 2 });
    new Cpu({ host: 'c', usage: 3 });
    expect(sink.attempts).toBe(0);
    const other = new MemorySink();
    await Cpu.commit(other);
    expect(other.lines(Cpu)).toHaveLength(3);
    expect(sink.lineCount).toBe(0);
    new Cpu({ host: 'd', usage: 4 });
    await Cpu.commit();
    expect(sink.lines()).toEqual([expect.stringMatching(/^cpu,host=d usage=4 \d+$/)]);
    expect(Cpu.reset()).toBe(0);
  });

  it('retries transient failures with the same lines, then stores them', async () => {
    const { sink, registry, Cpu, failures } = setup({ bulkSize: 3 });
    sink.failNext(2, () => new InfluxDBServerError('overloaded', 503));
    for (let i = 0; i < 3; i++) new Cpu({ host: 'a', usage: i });
    const lines = Cpu.pendingLines();
    expect(lines).toEqual([]);
    await registry.flush();
    expect(sink.attempts).toBe(3);
    expect(sink.lineCount).toBe(3);
    expect(failures).toEqual([]);
    expect(registry.pendingCount).toBe(0);
  });

  it('reports permanent errors through onError with the points, without retrying', async () => {
    const { sink, registry, Cpu, failures } = setup({ bulkSize: 2 });
    const partial = new InfluxDBPartialWriteError(
      'partial write: field type conflict',
      400,
      'field type conflict',
      1,
    );
    sink.failNext(1, partial);
    const a = new Cpu({ host: 'a', usage: 1 });
    const b = new Cpu({ host: 'b', usage: 2 });
    // the batch was already cut by autocommit: flush still counts it, and rejects
    const err = await registry.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxFlushError);
    expect(err).toMatchObject({ written: 0, failed: 2, abandoned: 0, pending: 0 });
    expect((err as InfluxFlushError).classes).toEqual([
      { className: 'Cpu', failed: 2, abandoned: 0, pending: 0, reason: partial.message },
    ]);
    expect(sink.attempts).toBe(1);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toBe(partial);
    // the server's message does not say which lines: the whole batch, marked inexact
    expect(failures[0]!.failure).toMatchObject({ model: Cpu, attempts: 1, permanent: true, exact: false });
    expect(failures[0]!.failure.instances).toEqual([a, b]);
    expect(failures[0]!.failure.lines).toHaveLength(2);
    expect(registry.pendingCount).toBe(0);
  });

  it('gives up after retry.maxAttempts and reports the points', async () => {
    const { sink, registry, Cpu, failures } = setup({
      bulkSize: 1,
      retry: { maxAttempts: 3, minDelay: 1, jitter: 0 },
    });
    sink.failNext(5);
    new Cpu({ host: 'a', usage: 1 });
    await expect(registry.flush()).rejects.toThrow(/1 of 1 points not written: Cpu 1 failed/);
    expect(sink.attempts).toBe(3);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.failure).toMatchObject({ attempts: 3, permanent: false });
  });

  it('rejects an explicit commit with the error instead of reporting it', async () => {
    const { sink, Cpu, failures } = setup({}, { autocommit: false });
    sink.failNext(1, new InfluxDBClientError('database not found: "x"', 404));
    new Cpu({ host: 'a', usage: 1 });
    await expect(Cpu.commit()).rejects.toThrow(/database not found/);
    expect(failures).toEqual([]);
  });

  it('a throwing onError becomes a warning, never an unhandled rejection', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const { sink, registry, Cpu } = setup({
        bulkSize: 1,
        onError: () => {
          throw new Error('hook bug');
        },
      });
      sink.failNext(1, new InfluxDBClientError('bad', 400));
      new Cpu({ host: 'a', usage: 1 });
      await expect(registry.flush()).rejects.toThrow(InfluxFlushError);
      await new Promise((r) => setImmediate(r));
      expect(warnings.some((w) => w.includes('onError threw: hook bug'))).toBe(true);
      expect(warnings.some((w) => w.includes('1 points of Cpu were not written'))).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('applies back-pressure: maxPending counts points in flight; waitForCapacity and drain resume', async () => {
    const { sink, registry, Cpu } = setup({ bulkSize: 10, maxPending: 30, concurrency: 1 });
    sink.hold();
    for (let i = 0; i < 30; i++) new Cpu({ host: 'a', usage: i });
    expect(registry.pendingCount).toBe(30);
    expect(registry.hasCapacity()).toBe(false);
    expect(() => new Cpu({ host: 'a', usage: 99 })).toThrow(InfluxBufferFullError);
    let resumed = false;
    const wait = registry.waitForCapacity(5).then(() => {
      resumed = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(resumed).toBe(false);
    sink.release();
    await wait;
    expect(resumed).toBe(true);
    await registry.drain();
    expect(registry.pendingCount).toBeLessThanOrEqual(15);
    await registry.flush();
    expect(sink.lineCount).toBe(30);
    expect(registry.pendingCount).toBe(0);
  });

  it("whenFull: 'accept' buffers past maxPending instead of throwing", async () => {
    const { sink, registry, Cpu } = setup({ bulkSize: 100, maxPending: 2, whenFull: 'accept' });
    for (let i = 0; i < 5; i++) new Cpu({ host: 'a', usage: i });
    expect(registry.pendingCount).toBe(5);
    await registry.flush();
    expect(sink.lineCount).toBe(5);
  });

  it('writes points that sit below bulkSize when waiting for capacity', async () => {
    const { sink, registry, Cpu } = setup({ bulkSize: 1000, maxPending: 5 });
    for (let i = 0; i < 5; i++) new Cpu({ host: 'a', usage: i });
    await registry.waitForCapacity();
    expect(sink.lineCount).toBe(5);
  });

  it('flush() and close() write everything; close() refuses new points', async () => {
    const { sink, registry, Cpu } = setup({ bulkSize: 100 });
    for (let i = 0; i < 7; i++) new Cpu({ host: 'a', usage: i });
    expect(await registry.flush()).toEqual({ written: 7, failed: 0, abandoned: 0 });
    new Cpu({ host: 'b', usage: 1 });
    expect(await registry.close()).toEqual({ written: 1, failed: 0, abandoned: 0 });
    expect(sink.lineCount).toBe(8);
    expect(() => new Cpu({ host: 'c', usage: 1 })).toThrow(InfluxClosedError);
    await expect(registry.waitForCapacity()).rejects.toThrow(InfluxClosedError);
  });

  it('close() rejects producers waiting for capacity', async () => {
    const { sink, registry, Cpu, failures } = setup({
      bulkSize: 10,
      maxPending: 2,
      retry: { minDelay: 20, maxDelay: 20 },
    });
    sink.failNext(1_000_000);
    new Cpu({ host: 'a', usage: 1 });
    new Cpu({ host: 'a', usage: 2 });
    const waiting = registry.waitForCapacity();
    const closing = registry.close({ timeout: 50 });
    await expect(waiting).rejects.toThrow(InfluxClosedError);
    // the two points were in flight (cut by waitForCapacity): abandoned, never { failed: 0 } silently
    expect(await closing).toEqual({ written: 0, failed: 0, abandoned: 2 });
    expect(failures.map((f) => [f.failure.lines.length, f.failure.abandoned])).toEqual([[2, true]]);
  });

  it('close({ timeout }) stops retrying a dead sink and reports the points', async () => {
    const { sink, registry, Cpu, failures } = setup({ bulkSize: 100, retry: { minDelay: 50, maxDelay: 50 } });
    sink.failNext(1_000_000);
    new Cpu({ host: 'a', usage: 1 });
    const result = await registry.close({ timeout: 120 });
    expect(result).toEqual({ written: 0, failed: 0, abandoned: 1 });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.failure).toMatchObject({ permanent: false, abandoned: true });
  });

  it('keeps points buffered when no sink is configured, and says so', async () => {
    const registry = new SeriesRegistry({ bulkSize: 1 });
    @Measurement({ name: 'nosink', registry })
    class NoSink extends SeriesModel<NoSink> {
      @Field() v!: number;
    }
    new NoSink({ v: 1 });
    expect(NoSink.pendingLines()).toHaveLength(1);
    await expect(registry.flush()).rejects.toThrow(InfluxConfigError);
    const sink = new MemorySink();
    registry.configure({ sink });
    await registry.flush();
    expect(sink.lineCount).toBe(1);
  });

  it('validates registry options', () => {
    expect(() => new SeriesRegistry({ bulkSize: 0 })).toThrow(/bulkSize: must be a positive integer/);
    expect(() => new SeriesRegistry({ maxPending: -1 })).toThrow(InfluxConfigError);
    expect(() => new SeriesRegistry({ sink: {} as never })).toThrow(/sink: must implement commit/);
    expect(() => new SeriesRegistry({ bulksize: 5 } as never)).toThrow(/"bulksize" is unknown/);
    expect(() => new SeriesRegistry({ retry: { maxAttempts: 0 } })).toThrow(/retry.maxAttempts/);
  });

  it('the default registry is configured with configureSeries', async () => {
    const sink = new MemorySink();
    configureSeries({ sink, bulkSize: 2, flushInterval: 0 });
    @Measurement('default_model')
    class DefaultModel extends SeriesModel<DefaultModel> {
      @Field() v!: number;
    }
    new DefaultModel({ v: 1 });
    new DefaultModel({ v: 2 });
    expect(DefaultModel.registry()).toBe(defaultRegistry);
    expect(sink.lines(DefaultModel)).toHaveLength(2);
    await defaultRegistry.flush();
  });

  it('hands sinks a batch whose text is decoded on read and copied by a spread', async () => {
    const seen: CommitBatch[] = [];
    const registry = new SeriesRegistry({
      sink: {
        commit(batch) {
          seen.push({ ...batch }); // a wrapping sink that copies the batch keeps its lines
          return Promise.resolve();
        },
      },
      flushInterval: 0,
    });
    @Measurement({ name: 'cpu', registry, bulkSize: 2 })
    class Cpu extends SeriesModel<Cpu> {
      @Tag() host!: string;
      @Field() usage!: number;
      @Timestamp() time!: Date;
    }
    const a = new Cpu({ host: 'é', usage: 0.5, time: new Date(1000) });
    const b = new Cpu({ host: 'b', usage: 1.5, time: new Date(2000) });
    await registry.flush();
    expect(seen).toHaveLength(1);
    const copy = seen[0] as CommitBatch;
    expect(copy.body).toBe('cpu,host=é usage=0.5 1000000000\ncpu,host=b usage=1.5 2000000000\n');
    expect(Buffer.from(copy.bytes as Uint8Array).toString('utf8')).toBe(copy.body);
    expect(copy.lineCount).toBe(2);
    expect(copy.precision).toBe('n');
    expect(copy.model).toBe(Cpu);
    expect(copy.instances).toEqual([a, b]);
    await registry.close();
  });
});
