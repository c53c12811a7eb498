import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { InfluxDBClient } from '../src/client/index.js';
import { defineMeasurement, SeriesModel } from '../src/models/index.js';
import { createRepository, mean, type RepositoryClient, time } from '../src/query/index.js';
import { mapSeries, mapSeriesLoop, type RawSeries } from '../src/query/row-mapper.js';
import type { RowPlan } from '../src/query/row-plan.js';
import { rawQuery, rawWrite, serverAddress, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('query_stream');
const ROWS = 200_000;
const T0 = 1_600_000_000_000_000_000n;

@Measurement({ name: 'big', database: db })
class Big {
  @Tag() host!: string;
  @Field({ type: 'float' }) v!: number;
  @Field({ type: 'integer', integerAs: 'bigint' }) i!: bigint;
  @Timestamp({ type: 'bigint' }) at!: bigint;
}

let client: InfluxDBClient;

beforeAll(async () => {
  const { host, port } = serverAddress();
  client = new InfluxDBClient({ host, port, database: db });
  await rawQuery(`CREATE DATABASE "${db}"`);
  for (let start = 0; start < ROWS; start += 50_000) {
    let body = '';
    for (let k = start; k < start + 50_000; k++)
      body += `big,host=h${k % 4} v=${k / 7},i=${k}i ${T0 + BigInt(k)}\n`;
    expect((await rawWrite(body, db, 'n')).status).toBe(204);
  }
}, 120_000);

afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
  await client?.close();
});

describe('stream()', () => {
  it('streams 200k instances in flat memory, exact to the nanosecond', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let n = 0;
    let last = -1n;
    for await (const p of createRepository(client, Big).stream({ chunkSize: 5000 })) {
      expect(p.at > last).toBe(true);
      last = p.at;
      if (p.i !== BigInt(p.at - T0)) throw new Error(`row ${n}: i=${p.i} at=${p.at}`);
      n++;
      if (n % 20_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      }
    }
    expect(n).toBe(ROWS);
    expect(last).toBe(T0 + BigInt(ROWS - 1));
    // 200k frozen instances held at once take well over 40 MB; a stream holds one chunk.
    expect(peak).toBeLessThan(24 * 1024 * 1024);
  });
});

@Measurement({ name: 'cpu' })
class Decorated extends SeriesModel<Decorated> {
  @Tag() host!: string;
  @Tag() region!: string;
  @Field({ type: 'float' }) usage!: number;
  @Field({ type: 'integer' }) cores!: number;
  @Field({ type: 'integer', integerAs: 'bigint' }) big!: bigint;
  @Field({ type: 'boolean' }) ok!: boolean;
  @Field({ type: 'string' }) label!: string;
  @Timestamp({ type: 'date' }) at!: Date;
}

@Measurement({ name: 'events.{server}.{kind}' })
class Templated {
  @Tag() server!: string;
  @Tag() kind!: string;
  @Field({ type: 'float' }) v!: number;
  @Timestamp({ type: 'bigint' }) t!: bigint;
}

const Defined = defineMeasurement({
  name: 'cpu',
  tags: ['host', 'region'],
  fields: { usage: 'float', cores: 'integer', ok: 'boolean' },
  timestamp: { property: 'time', type: 'bigint' },
});

describe('stream() as an iterator', () => {
  it('leaving the loop early or a mapping error stops the request; the client stays usable', async () => {
    const repo = createRepository(client, Big);
    let n = 0;
    for await (const p of repo.stream({ chunkSize: 1000 })) {
      n++;
      if (p.at >= T0 + 2500n) break;
    }
    expect(n).toBe(2501);
    // a series the model cannot hold: an integer beyond 2^53 in a field declared as number
    await rawWrite(`big_bad,host=x v=1,i=${2n ** 60n}i 1`, db, 'n');
    @Measurement({ name: 'big_bad', database: db })
    class Narrow {
      @Tag() host!: string;
      @Field({ type: 'integer' }) i!: number;
    }
    const err = await (async () => {
      for await (const _ of createRepository(client, Narrow).stream()) {
      }
    })().catch((e) => e);
    expect(String(err)).toMatch(/beyond 2\^53/);
    // the iterator is single-use, like a generator: done after the loop
    const it = repo.stream({ limit: 2 })[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    expect(await it.return?.()).toEqual({ value: undefined, done: true });
    expect((await it.next()).done).toBe(true);
    const rs = await client.query('SELECT count("v") FROM "big"');
    expect([...rs.getPoints()][0]?.count).toBe(ROWS);
  });
});

describe('row mapping (generated per series shape)', () => {
  const compare = (plan: RowPlan<object>, series: RawSeries) => {
    const fast: unknown[] = [];
    const ref: unknown[] = [];
    let fastError: unknown;
    let refError: unknown;
    try {
      mapSeries(plan, series, fast);
    } catch (e) {
      fastError = e;
    }
    try {
      mapSeriesLoop(plan, series, ref);
    } catch (e) {
      refError = e;
    }
    expect(fastError).toEqual(refError);
    expect(fast).toStrictEqual(ref);
    for (let i = 0; i < ref.length; i++) {
      const a = fast[i] as object;
      const b = ref[i] as object;
      expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
      expect(Object.keys(a)).toEqual(Object.keys(b));
      expect(Object.isFrozen(a)).toBe(Object.isFrozen(b));
    }
    return fast;
  };
  // plans only: nothing is sent
  const offline = { query() {}, queryStream() {}, write() {} } as unknown as RepositoryClient;

  it('instances are built as ModelMetadata.hydrate builds them, whatever the columns', () => {
    const plan = createRepository(offline, Decorated).query().rowPlan() as RowPlan<object>;
    const rows = [
      [-1n, 'a', 'eu', -0, 2, 9007199254740993n, true, 'x', 'extra'],
      [1_000_000_000_000_000_000n, 'b', null, null, 3, 5, false, null, null],
      [0n, null, null, null, null, null, null, null, null],
    ];
    const cols = ['time', 'host', 'region', 'usage', 'cores', 'big', 'ok', 'label', 'unknown'];
    const out = compare(plan, { name: 'cpu', columns: cols, values: rows });
    expect(out[0]).toBeInstanceOf(Decorated);
    expect(Object.is((out[0] as Decorated).usage, -0)).toBe(true);
    // other column orders, fewer columns, short rows
    compare(plan, { columns: [...cols].reverse(), values: rows.map((r) => [...r].reverse()) });
    compare(plan, { columns: ['usage', 'time'], values: [[1.5, 7n], [null], []] });
    // GROUP BY tags: constants per series; an empty tag is left out of instances
    compare(plan, {
      name: 'cpu',
      tags: { host: 'h', region: '' },
      columns: ['time', 'usage'],
      values: rows.map((r) => [r[0], r[3]]),
    });
    // a tag both in the columns and in the series tags (written twice: the reference loop decides)
    compare(plan, {
      name: 'cpu',
      tags: { host: 'h' },
      columns: ['time', 'host'],
      values: [
        [1n, 'col'],
        [2n, null],
      ],
    });
    // conversion errors are the same (the first failing column of the row)
    compare(plan, {
      columns: ['time', 'cores'],
      values: [
        [1n, 2],
        [2n, 2n ** 60n],
      ],
    });
  });

  it('defineMeasurement models, templated names and rows of aggregates match the reference too', () => {
    compare(createRepository(offline, Defined).query().rowPlan() as RowPlan<object>, {
      name: 'cpu',
      columns: ['time', 'host', 'region', 'usage', 'cores', 'ok'],
      values: [
        [5n, 'h', 'r', 0.5, 2, true],
        [6n, 'h2', null, 1e300, -(2 ** 53), false],
      ],
    });
    const tplPlan = createRepository(offline, Templated).query().rowPlan() as RowPlan<object>;
    const t = compare(tplPlan, { name: 'events.web1.click', columns: ['time', 'v'], values: [[1n, 2.5]] });
    expect(t[0]).toMatchObject({ server: 'web1', kind: 'click', v: 2.5, t: 1n });
    const rowsPlan = createRepository(offline, Decorated)
      .query()
      .select(mean('usage').as('avg'))
      .groupBy(time('1m'), 'region')
      .rowPlan() as RowPlan<object>;
    const r = compare(rowsPlan, {
      name: 'cpu',
      tags: { region: 'eu', 'not a tag': 'x' },
      columns: ['time', 'avg', 'other'],
      values: [
        [60_000_000_000n, null, 'o'],
        [120_000_000_000n, 1.5, null],
      ],
    });
    expect(Object.keys(r[0] as object)).toEqual(['time', 'avg', 'other', 'region', 'not a tag']);
    // odd column names are plain keys (never code), '__proto__' falls back to the reference loop
    compare(rowsPlan, {
      columns: ['time', 'a"b\\', '\x60\x24{x}\x60', '\u2028', '0', '__proto__', 'constructor'],
      values: [[1n, 1, 2, 3, 4, 'p', 'c']],
    });
    compare(rowsPlan, { columns: ['time', 'x"); throw 1; ("'], values: [[1n, 1]] });
  });
});
