/**
 * A unit test of code that records series points, without a server: `MemorySink` receives what
 * would have been written (lines, batches, instances), and can fail commits on demand.
 *
 * Run: `npm run example -- memory-sink.test` (or `npx vitest run --config examples/vitest.config.ts`).
 */
import {
  Field,
  InfluxValidationError,
  Measurement,
  SeriesModel,
  SeriesRegistry,
  Tag,
  Timestamp,
} from 'influx-models';
import { MemorySink } from 'influx-models/testing';
import { afterEach, describe, expect, it } from 'vitest';

// A registry of its own per test file keeps tests independent of the default one.
const sink = new MemorySink();
const registry = new SeriesRegistry({
  sink,
  bulkSize: 3,
  flushInterval: 0,
  retry: { minDelay: 1, maxDelay: 1 },
});

@Measurement({ name: 'checkout', registry })
class Checkout extends SeriesModel<Checkout> {
  @Tag() shop!: string;
  @Field({ type: 'integer' }) cents!: number;
  @Field({ type: 'string' }) note?: string;
  @Timestamp({ type: 'bigint' }) time?: bigint;
}

/** The code under test: records one point per order. */
function recordOrders(orders: Array<{ shop: string; cents: number; at: bigint }>): void {
  for (const o of orders) new Checkout({ shop: o.shop, cents: o.cents, time: o.at });
}

afterEach(() => {
  Checkout.reset();
  sink.clear();
});

describe('recordOrders', () => {
  it('writes one line per order, in batches of bulkSize', async () => {
    recordOrders([
      { shop: 'paris', cents: 1250, at: 1n },
      { shop: 'lyon', cents: 990, at: 2n },
      { shop: 'paris', cents: 10, at: 3n },
      { shop: 'nice', cents: 5, at: 4n },
    ]);
    await registry.flush();
    expect(sink.lines(Checkout)).toEqual([
      'checkout,shop=paris cents=1250i 1',
      'checkout,shop=lyon cents=990i 2',
      'checkout,shop=paris cents=10i 3',
      'checkout,shop=nice cents=5i 4',
    ]);
    expect(sink.commits().map((c) => c.batch.lineCount)).toEqual([3, 1]);
    expect(sink.points(Checkout).map((p) => p.shop)).toEqual(['paris', 'lyon', 'paris', 'nice']);
  });

  it('escapes what the line protocol needs and keeps strings exact', async () => {
    new Checkout({ shop: 'São Paulo, centro', cents: 1, note: 'say "hi"\nbye', time: 5n });
    await Checkout.commit();
    expect(sink.lines()).toEqual([
      'checkout,shop=São\\ Paulo\\,\\ centro cents=1i,note="say \\"hi\\"\nbye" 5',
    ]);
  });

  it('refuses a bad value before buffering, naming the class and property', () => {
    expect(() => new Checkout({ shop: 'paris', cents: 12.5 })).toThrow(InfluxValidationError);
    expect(() => new Checkout({ shop: 'paris', cents: 12.5 })).toThrow(/Checkout.*cents/);
    expect(Checkout.pending()).toEqual([]);
  });

  it('retries a failed commit without losing the points', async () => {
    sink.failNext(2);
    recordOrders([{ shop: 'paris', cents: 1, at: 6n }]);
    await Checkout.commit();
    expect(sink.attempts).toBe(3);
    expect(sink.lines()).toEqual(['checkout,shop=paris cents=1i 6']);
  });
});
