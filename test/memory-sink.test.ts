import { describe, expect, it } from 'vitest';
import {
  Field,
  InfluxConnectionError,
  InfluxDBClientError,
  Measurement,
  SeriesModel,
  SeriesRegistry,
  Tag,
} from '../src/index.js';
import { MemorySink } from '../src/testing/index.js';

describe('MemorySink', () => {
  it('records lines, batches and instances per class', async () => {
    const sink = new MemorySink();
    const registry = new SeriesRegistry({ sink, autocommit: false });
    @Measurement({ name: 'a', registry })
    class A extends SeriesModel<A> {
      @Tag() host!: string;
      @Field() v!: number;
    }
    @Measurement({ name: 'b', registry, database: 'other', precision: 'ms' })
    class B extends SeriesModel<B> {
      @Field() v!: number;
    }
    const a1 = new A({ host: 'x', v: 1 });
    const b1 = new B({ v: 2 });
    await registry.flush();
    expect(sink.lines(A)).toEqual([expect.stringMatching(/^a,host=x v=1 \d{19}$/)]);
    expect(sink.lines(B)).toEqual([expect.stringMatching(/^b v=2 \d{13}$/)]);
    expect(sink.lines()).toHaveLength(2);
    expect(sink.points(A)).toEqual([a1]);
    expect(sink.points(B)[0]).toBe(b1);
    const bBatch = sink.commits().find((c) => c.batch.model === B)!.batch;
    expect(bBatch).toMatchObject({ database: 'other', precision: 'ms', lineCount: 1 });
    expect(bBatch.body.endsWith('\n')).toBe(true);
    expect(sink.lineCount).toBe(2);
    sink.clear();
    expect(sink.lines()).toEqual([]);
  });

  it('fails the next N commits with a transient error by default, or with the given one', async () => {
    const sink = new MemorySink();
    const batch = { body: 'm v=1 1\n', lineCount: 1, precision: 'n' as const };
    sink.failNext(2);
    await expect(sink.commit(batch)).rejects.toBeInstanceOf(InfluxConnectionError);
    await expect(sink.commit(batch)).rejects.toBeInstanceOf(InfluxConnectionError);
    await sink.commit(batch);
    sink.failNext(1, new InfluxDBClientError('nope', 400));
    await expect(sink.commit(batch)).rejects.toThrow('400: nope');
    expect(sink.attempts).toBe(4);
    expect(sink.lines()).toEqual(['m v=1 1']);
    expect(() => sink.failNext(-1)).toThrow(/non-negative integer/);
  });

  it('holds commits until released', async () => {
    const sink = new MemorySink().hold();
    let done = false;
    const p = sink.commit({ body: 'm v=1 1\n', lineCount: 1, precision: 'n' }).then(() => {
      done = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    expect(sink.lineCount).toBe(0);
    sink.release();
    await p;
    expect(sink.lineCount).toBe(1);
  });
});
