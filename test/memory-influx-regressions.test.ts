/**
 * MemoryInflux against the real influxd on small hand-written data: the cases random exploration of
 * the differential test (MEMORY_DIFF_SEED=random) found, each compared EXACTLY (rows in the server's
 * order, including rows that tie on time, and the `series: []` of an empty result), and the cases
 * the engine refuses by name because influxd's answer depends on its internals.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { InfluxDBClient } from '../src/client/index.js';
import { InfluxUnsupportedQueryError } from '../src/errors.js';
import { MemoryInflux } from '../src/testing/index.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

const { host, port } = serverAddress();
const client = new InfluxDBClient({ host, port, retries: 1 });
const databases: string[] = [];

afterAll(async () => {
  for (const db of databases) await rawQuery(`DROP DATABASE "${db}"`);
  await client.close();
});

/** Writes `lines` to a fresh database on both and returns a function answering a query on both. */
async function both(lines: string): Promise<{
  memory: MemoryInflux;
  db: string;
  answers: (q: string) => Promise<{ server: unknown; memory: unknown }>;
}> {
  const db = uniqueDatabase('memreg');
  databases.push(db);
  await rawQuery(`CREATE DATABASE "${db}"`);
  const memory = new MemoryInflux({ database: db });
  await client.write(lines, { database: db });
  await memory.write(lines, { database: db });
  const answer = (p: Promise<{ raw: unknown }>) =>
    p.then(
      (r) => r.raw,
      (e: Error) => `error: ${e.message}`,
    );
  return {
    memory,
    db,
    answers: async (q) => ({
      server: await answer(client.query(q, { database: db })),
      memory: await answer(memory.query(q, { database: db })),
    }),
  };
}

async function expectSame(lines: string, queries: readonly string[]): Promise<void> {
  const { answers } = await both(lines);
  for (const q of queries) {
    const { server, memory } = await answers(q);
    expect({ q, memory }).toEqual({ q, memory: server });
  }
}

describe('integral() under ORDER BY time DESC (IntegerIntegralReducer)', () => {
  // Seed -1393900457: the row's time is the range's end + 1, not its end.
  it("reports the range's end + 1, and a second row when a point lies at the range's start", async () => {
    await expectSame(
      [
        'm,h=a i=3i,f=1.5 100',
        'm,h=a i=10i,f=2.25 107',
        'm,h=a i=-9223372036854775808i,f=-3.1 113',
        'm,h=a i=9223372036854775807i 120',
      ].join('\n'),
      [
        'SELECT integral(i) FROM m WHERE time < 140 ORDER BY time DESC',
        'SELECT integral(i) FROM m WHERE time <= 140 ORDER BY time DESC',
        'SELECT integral(i, 7ns) FROM m WHERE time >= 100 ORDER BY time DESC',
        'SELECT integral(i) FROM m WHERE time >= 100 AND time <= 113 ORDER BY time DESC',
        'SELECT integral(i) FROM m WHERE time >= 100 AND time <= 113 ORDER BY time DESC LIMIT 1 OFFSET 1',
        'SELECT integral(i) FROM m WHERE time >= 100 AND time <= 100 ORDER BY time DESC',
        'SELECT integral(i) FROM m WHERE time < 101 ORDER BY time DESC',
        'SELECT integral(i) FROM m ORDER BY time DESC',
        'SELECT integral(i) FROM m WHERE time > 99 ORDER BY time DESC',
        'SELECT integral(i) FROM m WHERE time >= 100 AND time <= 113',
        'SELECT integral(i) FROM m WHERE time >= 120',
        'SELECT integral(f) FROM m WHERE time >= 100 ORDER BY time DESC',
      ],
    );
  });
});

describe('top() and bottom() ties (FloatTopReducer heap, Go sort.Sort)', () => {
  it('keeps and orders tag combinations that tie on value and time as influxd does', async () => {
    await expectSame(
      [
        'm,h=a,r=eu f=5,i=5i 100',
        'm,h=b,r=eu f=5,i=5i 100',
        'm,h=c,r=us f=5,i=5i 100',
        'm,h=d f=5,i=5i 100',
        'm,h=e f=5,i=5i 100',
        'm,h=a,r=eu f=5,i=5i 105',
        'm,h=b,r=us f=3,i=3i 102',
        'm,h=c f=5,i=5i 101',
        'm,h=a f=1,i=1i 110',
        'm,h=b f=1,i=1i 108',
        'm,h=c f=1,i=1i 108',
      ].join('\n'),
      [
        'SELECT top(f, h, 2) FROM m',
        'SELECT top(f, h, 2) FROM m ORDER BY time DESC',
        'SELECT top(f, h, 5) FROM m ORDER BY time DESC',
        'SELECT top(f, r, 2) FROM m',
        'SELECT top(f, r, 2) FROM m ORDER BY time DESC',
        'SELECT bottom(f, h, 1) FROM m ORDER BY time DESC',
        'SELECT bottom(f, r, h, 3) FROM m',
        'SELECT top(i, h, 4) FROM m WHERE time >= 90 AND time < 130 GROUP BY time(10ns) ORDER BY time DESC',
        'SELECT top(f, 3) FROM m ORDER BY time DESC',
        'SELECT bottom(f, 2) FROM m WHERE time >= 90 AND time < 130 GROUP BY time(10ns) ORDER BY time DESC',
      ],
    );
  });

  // Seeds -479730193 and -1072889323: the order of tied rows shows at an OFFSET cut.
  it('orders tied rows by the heap, also under an OFFSET cut', async () => {
    await expectSame(
      [
        'm,host=￿,region=eu i=1i 5',
        'm,host=a,region=us i=-2i 4',
        'm,region=eu i=0i 5',
        'm,region=us i=1i 0',
        'm,host=b,region=eu i=-2i 4',
        'm0,host="q" i=-2i 6',
        'm0,region=us i=-2i 6',
        'm0,host=z,region=eu i=0i 6',
      ].join('\n'),
      [
        'SELECT bottom(i, host, 4) FROM m WHERE time > 1 AND time < 130 AND i != 0 GROUP BY time(7ns, 5ns) ORDER BY time DESC OFFSET 1',
        'SELECT bottom(i, host, 4) FROM m WHERE time > 1 AND time < 130 AND i != 0 ORDER BY time DESC',
        'SELECT bottom(i, host, 4) FROM m WHERE time > 1 AND time < 130 GROUP BY time(7ns, 5ns) ORDER BY time DESC',
        'SELECT bottom(i, host, region, 2) FROM m0 WHERE time >= 1 AND time <= 7 GROUP BY time(1u, 5ns) fill(0) ORDER BY time DESC LIMIT 3 OFFSET 1',
      ],
    );
  });

  // Seed 1359473593: with LIMIT/OFFSET influxd selects among the first LIMIT + OFFSET + 1 points.
  it('reads only the first LIMIT + OFFSET + 1 points with LIMIT or OFFSET (no tag arguments)', async () => {
    const lines: string[] = [];
    for (let t = 1; t <= 12; t++) lines.push(`m,h=a i=${t}i ${t}`, `m,h=b i=${t * 100}i ${t * 2}`);
    await expectSame(lines.join('\n'), [
      "SELECT top(i, 1) FROM m WHERE h = 'a' LIMIT 1",
      "SELECT top(i, 2) FROM m WHERE h = 'a' LIMIT 2 OFFSET 1",
      "SELECT top(i, 3) FROM m WHERE h = 'a' LIMIT 3 OFFSET 2",
      "SELECT top(i, 3) FROM m WHERE h = 'a' OFFSET 1",
      "SELECT bottom(i, 3) FROM m WHERE h = 'a' ORDER BY time DESC OFFSET 1",
      "SELECT bottom(i, 1) FROM m WHERE h = 'a' ORDER BY time DESC LIMIT 3",
      'SELECT top(i, 1) FROM m LIMIT 3',
      'SELECT top(i, 1) FROM m GROUP BY h LIMIT 1',
      'SELECT top(i, 1) FROM m WHERE time >= 0 AND time < 100 GROUP BY time(4ns) LIMIT 3',
      "SELECT top(i, 1) FROM m WHERE h = 'a' AND time >= 0 AND time < 30 GROUP BY time(4ns) fill(0) LIMIT 5",
      "SELECT top(i, 1) FROM m WHERE h = 'a' AND time >= 0 AND time < 30 GROUP BY time(4ns) OFFSET 1",
      'SELECT top(i, h, 2) FROM m ORDER BY time DESC LIMIT 2',
    ]);
  });

  it('refuses a LIMIT whose point read ends among different values at one time', async () => {
    const { memory, db } = await both(['m,h=a i=50i 4', 'm,h=b i=51i 4', 'm,h=c i=10i 4'].join('\n'));
    await expect(memory.query('SELECT top(i, 1) FROM m LIMIT 1', { database: db })).rejects.toThrow(
      InfluxUnsupportedQueryError,
    );
  });
});

describe('type errors over several measurements', () => {
  // Seed 1844825427: influxd panics when the type error comes from a later measurement of FROM.
  it('answers the error or nothing as influxd, and refuses what makes influxd panic', async () => {
    const lines = [
      'm0,host=a,region=eu s="x",i=1i 1',
      'm0,host=b,region=us s="y" 2',
      'm1,host=b i=3i 3',
      'm1,host=c s="z" 4',
    ].join('\n');
    await expectSame(lines, [
      "SELECT top(s, host, 3) FROM /^m/ WHERE time >= 1 AND time <= 5 AND host = 'a'",
      "SELECT top(s, host, 3) FROM /^m/ WHERE time >= 1 AND time <= 5 AND host = 'b'",
      "SELECT max(s) FROM m1 WHERE time >= 1 AND time <= 5 AND host = 'a'",
      "SELECT max(s) FROM m1 WHERE time >= 1 AND time <= 5 AND host = 'b'",
      "SELECT mean(s) FROM /^m/ WHERE host = 'a'",
      "SELECT mean(s) FROM /^m/ WHERE time >= 5 AND time <= 1 AND host = 'a'",
      // Seed -702407315: SOFFSET past every tag set leaves no iterator, so no type error.
      'SELECT mean(s) FROM m0 GROUP BY host SLIMIT 1 SOFFSET 5',
      'SELECT mean(s) FROM m0 GROUP BY host SLIMIT 1 SOFFSET 1',
    ]);
    const { memory, db } = await both(lines);
    await expect(
      memory.query("SELECT top(s, host, 3) FROM /^m/ WHERE time >= 1 AND time <= 5 AND host = 'c'", {
        database: db,
      }),
    ).rejects.toThrow(/after the first of FROM \(influxd panics\)/);
    await expect(memory.query("SELECT mean(s) FROM /^m/ WHERE host = 'c'", { database: db })).rejects.toThrow(
      /after the first of FROM \(influxd panics\)/,
    );
  });
});

describe('selectors that tie at one time', () => {
  it('first() of booleans keeps false, strings compare by UTF-8 bytes; -0 against 0 is refused', async () => {
    const lines = [
      'm,h=a f=-0,s="\uffff",b=true 100',
      'm,h=b f=0,s="\u{10000}",b=false 100',
      'm,h=c f=3,s="c",b=true 105',
    ].join('\n');
    await expectSame(lines, [
      'SELECT first(b) FROM m',
      'SELECT first(b) FROM m ORDER BY time DESC',
      'SELECT last(b) FROM m WHERE time <= 100',
      'SELECT first(b) FROM m WHERE time >= 0 AND time < 200 GROUP BY time(50ns)',
      'SELECT first(s) FROM m WHERE time <= 100',
      'SELECT last(s) FROM m WHERE time <= 100 ORDER BY time DESC',
      'SELECT min(b), max(b) FROM m',
    ]);
    const { memory, db } = await both(lines);
    for (const q of [
      'SELECT first(f) FROM m',
      'SELECT last(f) FROM m WHERE time <= 100',
      'SELECT min(f) FROM m',
    ]) {
      await expect(memory.query(q, { database: db })).rejects.toThrow(/-0 and 0 at the same time/);
    }
  });
});

describe('subqueries', () => {
  // Seed 1554383890: an inner fill makes influxd aggregate the merged inner series one by one.
  it('refuses GROUP BY time over a filled subquery whose series it merges, answers the others', async () => {
    const lines = [
      'm0,host=q,region=us b=true 57',
      'm0,region=us b=false 46',
      'm0,host=r,region=us b=true 66',
    ].join('\n');
    const inner = (fill: string) =>
      `SELECT count("b") AS "c" FROM m0 WHERE time > 48 AND time <= 91 GROUP BY time(10ns), "region", "host" ${fill}`;
    await expectSame(lines, [
      `SELECT sum("c") FROM (${inner('')}) WHERE time >= 0 AND time < 150 GROUP BY time(10ns), "region" fill(none)`,
      `SELECT sum("c") FROM (${inner('fill(previous)')}) WHERE time >= 0 AND time < 150`,
      `SELECT sum("c") FROM (${inner('fill(previous)')}) WHERE time >= 0 AND time < 150 GROUP BY time(10ns), "region", "host" fill(none)`,
    ]);
    const { memory, db } = await both(lines);
    for (const fill of ['fill(previous)', 'fill(0)']) {
      await expect(
        memory.query(
          `SELECT sum("c") FROM (${inner(fill)}) WHERE time >= 0 AND time < 150 GROUP BY time(10ns), "region" fill(none)`,
          { database: db },
        ),
      ).rejects.toThrow(/over a subquery with fill whose series it merges/);
    }
  });
});

describe('mean() per series and shard', () => {
  // Seed -2059207646: influxd wraps the int64 sum within each series (and shard), then combines
  // the partial means as floats.
  it('wraps integer sums per series and shard, then combines the means', async () => {
    await expectSame(
      [
        'm,host=a,region=us i=-940i,f=1.5 62',
        'm,region=eu i=706i,f=2.5 44',
        'm,host=S,region=us i=-455i,f=3.25 42',
        'm,host=A,region=us i=0i,f=1e300 34',
        'm,region=us i=9223372036854775807i,f=0.1 67',
        'm,host=S,region=us i=-995262031906363003i,f=0.7 0',
        'm,region=us i=830i,f=0.3 82',
        // a week later: another shard
        'm,region=us i=9223372036854775807i,f=0.1 604800000000067',
        'm,region=us i=9223372036854775807i,f=0.1 604800000000068',
      ].join('\n'),
      [
        'SELECT mean(*) FROM m WHERE time < 100',
        'SELECT mean(i) FROM m',
        "SELECT mean(i) FROM m WHERE region = 'us'",
        'SELECT mean(f) FROM m',
        'SELECT mean(i) FROM m GROUP BY region',
        'SELECT mean(i) FROM m WHERE time >= 0 AND time < 200 GROUP BY time(50ns)',
      ],
    );
  });
});

describe('result shapes', () => {
  it('an empty result carries series: [] as msgpack from influxd does', async () => {
    await expectSame('m,h=a i=1i 100', [
      'SELECT i FROM m WHERE time >= 1300',
      'SELECT mean(i) FROM m WHERE time >= 1300',
      'SELECT top(i, 1) FROM m WHERE time >= 1300',
      'SHOW TAG KEYS FROM nothing',
    ]);
  });
});
