/**
 * Unit tests with no server: a service that records checkouts (through a model's registry) and
 * reads them back (a repository and a builder aggregate) runs against `MemoryInflux`, an in-memory
 * InfluxDB 1.x that stores points and answers queries as the server does (proven by a differential
 * test against a real influxd in this repository's suite). It is also a `MemorySink`: the lines,
 * batches and instances written are recorded, and commits can be failed on demand.
 *
 * Run: `npm run example -- memory-sink.test` (or `npx vitest run --config examples/vitest.config.ts`).
 */
import {
  count,
  createRepository,
  Field,
  InfluxUnsupportedQueryError,
  InfluxValidationError,
  Measurement,
  mean,
  type Repository,
  SeriesModel,
  SeriesRegistry,
  sum,
  Tag,
  Timestamp,
  time,
} from 'influx-models';
import { MemoryInflux } from 'influx-models/testing';
import { afterEach, describe, expect, it } from 'vitest';

const T0 = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z
const MINUTE = 60_000_000_000n;

// One in-memory server and one registry per test file keep tests independent of each other.
const memory = new MemoryInflux({ database: 'shop', now: () => T0 + 60n * MINUTE });
const registry = new SeriesRegistry({
  sink: memory,
  bulkSize: 3,
  flushInterval: 0,
  retry: { minDelay: 1, maxDelay: 1 },
});

@Measurement({ name: 'checkout', database: 'shop', registry })
class Checkout extends SeriesModel<Checkout> {
  @Tag() shop!: string;
  @Field({ type: 'integer' }) cents!: number;
  @Field({ type: 'string' }) note?: string;
  @Timestamp({ type: 'bigint' }) time?: bigint;
}

/** The code under test: records orders, and reports revenue per shop and per 10 minutes. */
class CheckoutService {
  constructor(private readonly checkouts: Repository<Checkout>) {}

  record(orders: Array<{ shop: string; cents: number; at: bigint }>): void {
    for (const o of orders) new Checkout({ shop: o.shop, cents: o.cents, time: o.at });
  }

  async revenueByShop(): Promise<Record<string, number>> {
    const rows = await this.checkouts.query().select(sum('cents').as('total')).groupBy('shop').all();
    return Object.fromEntries(rows.map((r) => [r.shop, Number(r.total)]));
  }

  async averagePer10Minutes(shop: string) {
    return this.checkouts
      .query()
      .select(mean('cents').as('avg'), count('cents').as('orders'))
      .where('shop', '=', shop)
      .where('time', '>=', new Date(Number(T0 / 1_000_000n)))
      .where('time', '<', new Date(Number((T0 + 30n * MINUTE) / 1_000_000n)))
      .groupBy(time('10m'))
      .fill(0)
      .all();
  }
}

const service = new CheckoutService(createRepository(memory, Checkout));

afterEach(async () => {
  Checkout.reset();
  await memory.query('DROP SERIES FROM "checkout"', { database: 'shop' });
  memory.clear();
});

describe('CheckoutService (no server)', () => {
  it('writes through the model registry and reads back through a repository and the builder', async () => {
    service.record([
      { shop: 'paris', cents: 1250, at: T0 },
      { shop: 'lyon', cents: 990, at: T0 + 2n * MINUTE },
      { shop: 'paris', cents: 10, at: T0 + 12n * MINUTE },
      { shop: 'nice', cents: 5, at: T0 + 13n * MINUTE },
    ]);
    await registry.flush();
    expect(await service.revenueByShop()).toEqual({ lyon: 990, nice: 5, paris: 1260 });
    expect(await service.averagePer10Minutes('paris')).toEqual([
      // Window starts, as the model's timestamp type (bigint nanoseconds): 22:10, 22:20, 22:30, 22:40.
      { time: T0 - 200n * 1_000_000_000n, avg: 1250, orders: 1 },
      { time: T0 + 400n * 1_000_000_000n, avg: 10, orders: 1 },
      { time: T0 + 1000n * 1_000_000_000n, avg: 0, orders: 0 },
      { time: T0 + 1600n * 1_000_000_000n, avg: 0, orders: 0 },
    ]);
    const paris = await createRepository(memory, Checkout).find({ where: { shop: 'paris' } });
    expect(paris.map((c) => [c.cents, c.time])).toEqual([
      [1250, T0],
      [10, T0 + 12n * MINUTE],
    ]);
  });

  it('still records the lines, batches and instances (what MemorySink does)', async () => {
    service.record([
      { shop: 'paris', cents: 1250, at: 1n },
      { shop: 'lyon', cents: 990, at: 2n },
      { shop: 'paris', cents: 10, at: 3n },
      { shop: 'nice', cents: 5, at: 4n },
    ]);
    await registry.flush();
    expect(memory.lines(Checkout)).toEqual([
      'checkout,shop=paris cents=1250i 1',
      'checkout,shop=lyon cents=990i 2',
      'checkout,shop=paris cents=10i 3',
      'checkout,shop=nice cents=5i 4',
    ]);
    expect(memory.commits().map((c) => c.batch.lineCount)).toEqual([3, 1]);
    expect(memory.points(Checkout).map((p) => p.shop)).toEqual(['paris', 'lyon', 'paris', 'nice']);
  });

  it('keeps strings exact and refuses a bad value before buffering, naming the class and property', async () => {
    new Checkout({ shop: 'São Paulo, centro', cents: 1, note: 'say "hi"\nbye', time: 5n });
    await Checkout.commit();
    const [stored] = await createRepository(memory, Checkout).find();
    expect(stored?.note).toBe('say "hi"\nbye');
    expect(stored?.shop).toBe('São Paulo, centro');
    expect(() => new Checkout({ shop: 'paris', cents: 12.5 })).toThrow(InfluxValidationError);
    expect(() => new Checkout({ shop: 'paris', cents: 12.5 })).toThrow(/Checkout.*cents/);
    expect(Checkout.pending()).toEqual([]);
  });

  it('retries a failed commit without losing the points; refuses queries it cannot answer exactly', async () => {
    memory.failNext(2);
    service.record([{ shop: 'paris', cents: 1, at: 6n }]);
    await Checkout.commit();
    expect(memory.attempts).toBe(3);
    expect(await service.revenueByShop()).toEqual({ paris: 1 });
    await expect(memory.query('SELECT holt_winters(mean("cents"), 3, 1) FROM "checkout"')).rejects.toThrow(
      InfluxUnsupportedQueryError,
    );
  });
});
