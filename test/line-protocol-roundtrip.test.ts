/**
 * Edge cases written with makeLines to the REAL influxd and read back exactly (msgpack, ints as
 * bigint, `epoch=ns`), through every view: SHOW MEASUREMENTS / TAG KEYS / TAG VALUES / FIELD KEYS
 * and SELECT, the latter addressed with quoteIdent / quoteLiteral (so those are checked too).
 * For what the encoder refuses, the server is shown that no candidate escaping round-trips.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxValidationError } from '../src/errors.js';
import { quoteIdent, quoteLiteral } from '../src/influxql/literals.js';
import { makeLines, type Point, type Precision } from '../src/line-protocol/index.js';
import {
  firstColumn,
  type Mp,
  query,
  type Snapshot,
  snapshot,
  withDatabase,
  write,
} from './helpers/line-protocol-server.js';
import { uniqueDatabase } from './helpers/server.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** InfluxQL can quote anything but CR and NUL (see quote.ts); those are addressed by bind parameters. */
const quotable = (s: string) => !/[\r\0]/.test(s);

const db = uniqueDatabase('lp_rt');
beforeAll(async () => {
  await query(`CREATE DATABASE ${db}`);
});
afterAll(async () => {
  await query(`DROP DATABASE ${db}`);
});

async function writeOk(body: string, precision: Precision = 'n', database = db): Promise<void> {
  const res = await write(body, database, precision);
  expect(res, body.slice(0, 200)).toEqual({ status: 204, text: '' });
}

const sortStrings = (a: Mp[]) => [...(a as string[])].sort();

describe('measurement names', () => {
  const names = [
    'plain',
    'with space',
    'comma,here',
    'eq=ual',
    'dq"uote',
    "sq'uote",
    'back\\slash',
    'double\\\\backslash',
    '\\at start',
    'three\\\\\\x',
    ' leading space',
    ',leading comma',
    '=leading equals',
    '"leading quote',
    'trailing space ',
    'trailing comma,',
    'a#hash',
    'é unicode ü',
    '😀 emoji',
    'tab\tinside',
    'cr\rinside',
    'nul\u0000inside',
    'time',
    'mix \\x,y=z"\'😀',
  ];

  it('round-trip through SHOW MEASUREMENTS, SELECT FROM /.*/ and SELECT FROM quoteIdent(name)', async () => {
    await withDatabase(uniqueDatabase('lp_meas'), async (mdb) => {
      const points: Point[] = names.map((measurement, i) => ({
        measurement,
        fields: { v: i + 0.5 },
        time: BigInt(i),
      }));
      await writeOk(makeLines(points), 'n', mdb);
      const snap = await snapshot(mdb);
      expect(sortStrings(snap.measurements)).toEqual([...names].sort());
      expect(snap.fieldKeys).toEqual(names.map(() => ['v', 'float']));
      const byName = new Map(snap.rows.map((r) => [r.name, r.values]));
      names.forEach((name, i) => {
        expect(byName.get(name), name).toEqual([[BigInt(i), i + 0.5]]);
      });
      for (const [i, name] of names.entries()) {
        if (!quotable(name)) continue;
        const series = await query(`SELECT "v" FROM ${quoteIdent(name)}`, mdb);
        expect(
          series.map((s) => [s.name, s.values]),
          name,
        ).toEqual([[name, [[BigInt(i), i + 0.5]]]]);
      }
    });
  });
});

const TAG_KEYS = [
  'plain',
  'with space',
  'comma,here',
  'eq=ual',
  'dq"uote',
  "sq'uote",
  'back\\slash',
  'bs before comma\\,x',
  'bs before space\\ x',
  'bs before eq\\=x',
  'bs before quote\\"x',
  '\\at start',
  'é😀',
  'tab\tin',
  'cr\rin',
  '\tleading tab',
  ' leading space',
  '=leading equals',
  ',leading comma',
  '#hash',
  'nul\u0000in',
];

describe('tag keys', () => {
  it('round-trip through SHOW TAG KEYS, SHOW TAG VALUES WITH KEY = quoteIdent(k) and WHERE', async () => {
    const points: Point[] = TAG_KEYS.map((k, i) => ({
      measurement: 'tk',
      tags: { [k]: `v${i}` },
      fields: { n: BigInt(i) },
      time: BigInt(i),
    }));
    await writeOk(makeLines(points));
    expect(sortStrings(firstColumn(await query('SHOW TAG KEYS FROM tk', db)))).toEqual([...TAG_KEYS].sort());
    const pairs = (await query('SHOW TAG VALUES FROM tk WITH KEY =~ /.*/', db)).flatMap((s) => s.values);
    expect(pairs).toHaveLength(TAG_KEYS.length);
    for (const [i, k] of TAG_KEYS.entries()) {
      expect(pairs, k).toContainEqual([k, `v${i}`]);
      if (!quotable(k)) continue;
      const tv = await query(`SHOW TAG VALUES FROM tk WITH KEY = ${quoteIdent(k)}`, db);
      expect(
        tv.flatMap((s) => s.values),
        k,
      ).toEqual([[k, `v${i}`]]);
      const sel = await query(`SELECT "n", ${quoteIdent(k)} FROM tk WHERE ${quoteIdent(k)} = 'v${i}'`, db);
      expect(sel[0]?.values, k).toEqual([[BigInt(i), BigInt(i), `v${i}`]]);
    }
  });
});

const TAG_VALUES = [
  'plain',
  'with space',
  'comma,here',
  'eq=ual',
  'dq"uote',
  "sq'uote",
  'back\\slash',
  'double\\\\backslash',
  'bs before comma\\,x',
  'bs before space\\ x',
  'bs before eq\\=x',
  'bs before quote\\"x',
  '\\at start',
  '\\\\x',
  'é😀',
  'tab\tin',
  'cr\rin',
  '\tleading tab',
  ' leading space',
  '=leading equals',
  ',leading comma',
  'trailing space ',
  '#hash',
  'nul\u0000in',
  'time',
];

describe('tag values', () => {
  it('round-trip through SHOW TAG VALUES and SELECT ... WHERE k = quoteLiteral(v)', async () => {
    const points: Point[] = TAG_VALUES.map((v, i) => ({
      measurement: 'tv',
      tags: { k: v },
      fields: { n: BigInt(i) },
      time: BigInt(i),
    }));
    await writeOk(makeLines(points));
    const tv = (await query('SHOW TAG VALUES FROM tv WITH KEY = "k"', db)).flatMap((s) => s.values);
    expect(tv.map((p) => p[1] as string).sort()).toEqual([...TAG_VALUES].sort());
    const all = await query('SELECT "k", "n" FROM tv', db);
    expect(all[0]?.values).toEqual(TAG_VALUES.map((v, i) => [BigInt(i), v, BigInt(i)]));
    for (const [i, v] of TAG_VALUES.entries()) {
      const sel = quotable(v)
        ? await query(`SELECT "n" FROM tv WHERE "k" = ${quoteLiteral(v)}`, db)
        : await query('SELECT "n" FROM tv WHERE "k" = $v', db, { v });
      expect(sel[0]?.values, v).toEqual([[BigInt(i), BigInt(i)]]);
    }
  });
});

const FIELD_KEYS = [
  'plain',
  'with space',
  'comma,here',
  'eq=ual',
  'dq"uote',
  "sq'uote",
  'back\\slash',
  'double\\\\backslash',
  'bs before quote\\"x',
  'two bs before quote\\\\"x',
  '\\at start',
  'é😀',
  'tab\tin',
  'cr\rin',
  ' leading space',
  ',leading comma',
  '=leading equals',
  '"leading quote',
  '#hash',
  'trailing space ',
  'trailing quote"',
  'nul\u0000in',
];

describe('field keys', () => {
  it('round-trip through SHOW FIELD KEYS, SELECT * and SELECT quoteIdent(key)', async () => {
    const fields = Object.fromEntries(FIELD_KEYS.map((k, i) => [k, i + 0.25]));
    await writeOk(makeLines([{ measurement: 'fk', fields, time: 7n }]));
    const fk = (await query('SHOW FIELD KEYS FROM fk', db)).flatMap((s) => s.values);
    expect(fk.map((p) => p[0] as string).sort()).toEqual([...FIELD_KEYS].sort());
    expect(new Set(fk.map((p) => p[1]))).toEqual(new Set(['float']));
    const all = (await query('SELECT * FROM fk', db))[0];
    const row = Object.fromEntries((all?.columns ?? []).map((c, i) => [c, all?.values[0]?.[i]]));
    expect(row).toEqual({ time: 7n, ...fields });
    for (const [i, k] of FIELD_KEYS.entries()) {
      if (!quotable(k)) continue;
      const sel = await query(`SELECT ${quoteIdent(k)} FROM fk`, db);
      expect(sel[0]?.values, k).toEqual([[7n, i + 0.25]]);
    }
  });
});

describe('string field values', () => {
  const STRINGS = [
    '',
    'plain',
    'say "hi"',
    'back\\slash',
    'trailing backslash\\',
    '\\\\',
    '\\"',
    'multi\nline\n',
    '\n',
    'cr\r\nlf',
    'tab\t',
    '\\n is not a newline',
    'quote at end"',
    '"',
    'é😀',
    'nul\u0000',
    'a,b=c d',
    "it's",
    'x'.repeat(70_000),
  ];

  it('round-trip exactly, newlines included (kept raw)', async () => {
    const points: Point[] = STRINGS.map((s, i) => ({ measurement: 'sf', fields: { s }, time: BigInt(i) }));
    await writeOk(makeLines(points));
    const sel = await query('SELECT "s" FROM sf', db);
    expect(sel[0]?.values).toEqual(STRINGS.map((s, i) => [BigInt(i), s]));
    for (const [i, s] of STRINGS.entries()) {
      if (!quotable(s) || s.length > 1000) continue;
      const one = await query(`SELECT "s" FROM sf WHERE "s" = ${quoteLiteral(s)}`, db);
      expect(one[0]?.values, JSON.stringify(s)).toEqual([[BigInt(i), s]]);
    }
  });

  it('a tag with a backslash-space plus double quotes is refused when InfluxDB would split the line wrongly', async () => {
    // InfluxDB's line splitter (models.scanLine) starts tracking double quotes at the first space
    // not preceded by a backslash pair: the tag key `a\ b` is written `a\\ b`, whose space it takes
    // for the end of the tags. A `"` after it then flips its quote state: a newline in a string
    // ends the line early, or this line's own end is skipped and the next line merged into it.
    const early: Point = { measurement: 'nl', tags: { 'a\\ b': 'p"q' }, fields: { s: 'x\ny' }, time: 1n };
    const merged: Point = { measurement: 'nl', tags: { 'a\\ b': 'p"q' }, fields: { s: 'x y' }, time: 2n };
    for (const point of [early, merged]) {
      expect(() => makeLines([point])).toThrow(
        expect.objectContaining({ name: 'InfluxValidationError', where: 'points[0]' }),
      );
    }
    // Proof, with the lines the escaping rules would produce, each followed by a plain line.
    const raws = ['nl,a\\\\ b=p"q s="x\ny" 1\nnl v=1 5\n', 'nl,a\\\\ b=p"q s="x y" 2\nnl v=1 5\n'];
    for (const raw of raws) {
      await withDatabase(uniqueDatabase('lp_nl'), async (ndb) => {
        const res = await write(raw, ndb);
        const snap = await snapshot(ndb);
        const rows = snap.rows.flatMap((r) => r.values);
        // Both points stored intact would be two rows; the server stores fewer (or errors).
        expect(
          res.status === 204 && rows.length === 2,
          `${JSON.stringify(raw)} -> ${res.status}, ${rows.length} rows`,
        ).toBe(false);
      });
    }
    // The same tag without quotes after it, or a string with a newline without the backslash-space,
    // are storable and round-trip.
    const ok1: Point = { measurement: 'nl', tags: { 'a\\ b': 'pq' }, fields: { s: 'x\ny' }, time: 3n };
    const ok2: Point = { measurement: 'nl', tags: { 'a b': 'p"q' }, fields: { s: 'x\ny' }, time: 4n };
    await writeOk(makeLines([ok1, ok2]));
    const sel = await query('SELECT * FROM nl', db);
    expect(sel[0]?.columns).toEqual(['time', 'a b', 'a\\ b', 's']);
    expect(sel[0]?.values).toEqual([
      [3n, null, 'pq', 'x\ny'],
      [4n, 'p"q', null, 'x\ny'],
    ]);
  });
});

describe('numbers and booleans', () => {
  const FLOATS = [
    0.1,
    1,
    2,
    -1,
    0,
    -0,
    1e21,
    1e-7,
    5e-324,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    2 ** 53,
    2 ** 53 + 2,
    0.30000000000000004,
    1.0000000000000009,
    123456789012345680000,
    -1.5e-300,
  ];
  const INTS = [0n, 1n, -1n, 2n ** 53n + 1n, INT64_MAX, INT64_MIN, 123456789012345678n];

  it('floats are stored as FLOAT (whole values too) and read back bit-exactly (-0 included)', async () => {
    await writeOk(makeLines(FLOATS.map((v, i) => ({ measurement: 'fl', fields: { v }, time: BigInt(i) }))));
    expect((await query('SHOW FIELD KEYS FROM fl', db))[0]?.values).toEqual([['v', 'float']]);
    const values = (await query('SELECT "v" FROM fl', db))[0]?.values ?? [];
    expect(values.map((r) => r[0])).toEqual(FLOATS.map((_, i) => BigInt(i)));
    values.forEach((r, i) => {
      expect(Object.is(r[1], FLOATS[i]), `${FLOATS[i]} read back as ${String(r[1])}`).toBe(true);
    });
  });

  it('bigints are stored as INTEGER over the whole int64 range', async () => {
    await writeOk(makeLines(INTS.map((v, i) => ({ measurement: 'ints', fields: { v }, time: BigInt(i) }))));
    expect((await query('SHOW FIELD KEYS FROM ints', db))[0]?.values).toEqual([['v', 'integer']]);
    expect((await query('SELECT "v" FROM ints', db))[0]?.values).toEqual(INTS.map((v, i) => [BigInt(i), v]));
  });

  it('booleans are stored as BOOLEAN', async () => {
    await writeOk(
      makeLines([true, false].map((v, i) => ({ measurement: 'bo', fields: { v }, time: BigInt(i) }))),
    );
    expect((await query('SHOW FIELD KEYS FROM bo', db))[0]?.values).toEqual([['v', 'boolean']]);
    expect((await query('SELECT "v" FROM bo', db))[0]?.values).toEqual([
      [0n, true],
      [1n, false],
    ]);
  });
});

describe('timestamps', () => {
  const MIN = -(2n ** 63n) + 2n;
  const MAX = 2n ** 63n - 2n;
  // [precision, time as given, expected nanoseconds since the epoch]
  const CASES: [Precision, Point['time'], bigint][] = [
    ['n', 1n, 1n],
    ['n', -1n, -1n],
    ['n', 1257894000123456789n, 1257894000123456789n],
    ['n', MIN, MIN],
    ['n', MAX, MAX],
    ['ns', 5n, 5n],
    ['n', 1234, 1234n],
    ['n', new Date('1969-12-31T23:59:59.999Z'), -1_000_000n],
    ['n', '2009-11-10T23:00:00.123456789Z', 1257894000123456789n],
    ['n', '2009-11-11T00:00:00.123456789+01:00', 1257894000123456789n],
    ['n', '2009-11-10T18:30:00.5-04:30', 1257894000500000000n],
    ['n', '1969-12-31T23:59:59.999999999Z', -1n],
    ['n', '1900-01-01T00:00:00Z', -2208988800000000000n],
    ['n', '1677-09-21T00:12:43.145224194Z', MIN],
    ['u', 1257894000123456n, 1257894000123456000n],
    ['u', '2009-11-10T23:00:00.123456789Z', 1257894000123456000n],
    ['u', '1969-12-31T23:59:59.9999999Z', -1000n],
    ['u', new Date(-1), -1_000_000n],
    ['ms', new Date(1257894000123), 1257894000123000000n],
    ['ms', -1, -1_000_000n],
    ['ms', 1257894000123, 1257894000123000000n],
    ['s', 1257894000, 1257894000000000000n],
    ['s', new Date('1969-12-31T23:59:59.5Z'), -1_000_000_000n],
    ['s', '2009-11-10T23:00:00.999Z', 1257894000000000000n],
    ['s', -9223372036n, -9223372036000000000n],
    ['m', 20964900n, 20964900n * 60_000_000_000n],
    ['m', '2009-11-10T23:00:59Z', 20964900n * 60_000_000_000n],
    ['h', 349415, 349415n * 3_600_000_000_000n],
    ['h', new Date('1969-12-31T23:30:00Z'), -3_600_000_000_000n],
  ];

  it('every precision with bigint, number, Date and RFC3339 (offsets, before 1970) lands on the exact nanosecond', async () => {
    for (const [i, [precision, time]] of CASES.entries()) {
      const body = makeLines(
        [{ measurement: 'tt', tags: { c: String(i) }, fields: { v: i }, time }],
        precision,
      );
      await writeOk(body, precision);
    }
    const series = await query('SELECT "v" FROM tt GROUP BY "c"', db);
    const got = new Map(series.map((s) => [Number(s.tags?.c), s.values]));
    for (const [i, [precision, time, ns]] of CASES.entries()) {
      expect(got.get(i), `${precision} ${String(time)}`).toEqual([[ns, i]]);
    }
  });

  it('times outside the server range are refused before sending, and the server refuses them too', async () => {
    const outside: [Precision, Point['time']][] = [
      ['n', MIN - 1n],
      ['n', MAX + 1n],
      ['s', -9223372037n],
      ['s', 9223372037],
      ['n', '1677-09-21T00:12:43.145224193Z'],
      ['s', '1677-09-21T00:12:43.145224194Z'], // floors to a second before the minimum
      ['ms', new Date(-9223372036855)],
    ];
    for (const [precision, time] of outside) {
      const point: Point = { measurement: 'tr', fields: { v: 1 }, time };
      expect(() => makeLines([point], precision), String(time)).toThrow(
        expect.objectContaining({ name: 'InfluxValidationError', where: 'points[0]', property: 'time' }),
      );
    }
    // What the encoder would have written without the check: the server answers 400.
    for (const [precision, ts] of [
      ['n', MIN - 1n],
      ['n', MAX + 1n],
      ['s', -9223372037n],
      ['s', 9223372037n],
    ] as const) {
      const res = await write(`tr v=1 ${ts}\n`, db, precision);
      expect(res.status, `${precision} ${ts}`).toBe(400);
      expect(res.text).toContain('time outside range');
    }
  });
});

/** True when the snapshot shows `target` intact in the given role. */
function holds(
  snap: Snapshot,
  role: 'measurement' | 'tagKey' | 'tagValue' | 'fieldKey',
  target: string,
): boolean {
  switch (role) {
    case 'measurement':
      return (
        snap.measurements.includes(target) && snap.rows.some((r) => r.name === target && r.values.length > 0)
      );
    case 'tagKey':
      return snap.tagKeys.includes(target) && snap.rows.some((r) => r.columns.includes(target));
    case 'tagValue':
      return (
        snap.tagValues.some((p) => p[1] === target) &&
        snap.rows.some((r) => r.values.some((v) => v.includes(target)))
      );
    case 'fieldKey':
      return snap.fieldKeys.some((p) => p[0] === target) && snap.rows.some((r) => r.columns.includes(target));
  }
}

describe('refused values', () => {
  // [what, role, target, the point, candidate raw escapings proved not to round-trip]
  const REFUSED: [
    string,
    'measurement' | 'tagKey' | 'tagValue' | 'fieldKey',
    string,
    Point,
    string,
    string[],
  ][] = [
    [
      'measurement with backslash before comma',
      'measurement',
      'a\\,b',
      { measurement: 'a\\,b', fields: { v: 1 } },
      'measurement',
      ['a\\,b v=1 1', 'a\\\\,b v=1 1', 'a\\\\\\,b v=1 1', 'a\\\\\\\\,b v=1 1'],
    ],
    [
      'measurement with backslash before space',
      'measurement',
      'a\\ b',
      { measurement: 'a\\ b', fields: { v: 1 } },
      'measurement',
      ['a\\ b v=1 1', 'a\\\\ b v=1 1', 'a\\\\\\ b v=1 1'],
    ],
    [
      'measurement with backslash before =',
      'measurement',
      'a\\=b',
      { measurement: 'a\\=b', fields: { v: 1 } },
      'measurement',
      ['a\\=b v=1 1', 'a\\\\=b v=1 1', 'a\\\\\\=b v=1 1'],
    ],
    [
      'measurement with backslash before "',
      'measurement',
      'a\\"b',
      { measurement: 'a\\"b', fields: { v: 1 } },
      'measurement',
      ['a\\"b v=1 1', 'a\\\\"b v=1 1', 'a\\\\\\"b v=1 1'],
    ],
    [
      'measurement ending in a backslash',
      'measurement',
      'ab\\',
      { measurement: 'ab\\', fields: { v: 1 } },
      'measurement',
      ['ab\\ v=1 1', 'ab\\\\ v=1 1'],
    ],
    [
      'measurement starting with #',
      'measurement',
      '#ab',
      { measurement: '#ab', fields: { v: 1 } },
      'measurement',
      ['#ab v=1 1', '\\#ab v=1 1'],
    ],
    [
      'measurement starting with a tab',
      'measurement',
      '\tab',
      { measurement: '\tab', fields: { v: 1 } },
      'measurement',
      ['\tab v=1 1', '\\\tab v=1 1'],
    ],
    [
      'measurement with a newline',
      'measurement',
      'a\nb',
      { measurement: 'a\nb', fields: { v: 1 } },
      'measurement',
      ['a\nb v=1 1', 'a\\\nb v=1 1', 'a\\nb v=1 1'],
    ],
    [
      'tag value ending in a backslash',
      'tagValue',
      'C:\\',
      { measurement: 'm', tags: { k: 'C:\\' }, fields: { v: 1 } },
      'k',
      ['m,k=C:\\ v=1 1', 'm,k=C:\\\\ v=1 1', 'm,k=C:\\\\\\ v=1 1'],
    ],
    [
      'tag value with a newline',
      'tagValue',
      'a\nb',
      { measurement: 'm', tags: { k: 'a\nb' }, fields: { v: 1 } },
      'k',
      ['m,k=a\nb v=1 1', 'm,k=a\\\nb v=1 1', 'm,k=a\\nb v=1 1'],
    ],
    [
      'tag key ending in a backslash',
      'tagKey',
      'k\\',
      { measurement: 'm', tags: { 'k\\': 'x' }, fields: { v: 1 } },
      'k\\',
      ['m,k\\=x v=1 1', 'm,k\\\\=x v=1 1', 'm,k\\\\\\=x v=1 1'],
    ],
    [
      'tag key "time"',
      'tagKey',
      'time',
      { measurement: 'm', tags: { time: 'x' }, fields: { v: 1 } },
      'time',
      ['m,time=x v=1 1'],
    ],
    [
      'field key with backslash before comma',
      'fieldKey',
      'a\\,b',
      { measurement: 'm', fields: { 'a\\,b': 1 } },
      'a\\,b',
      ['m a\\,b=1 1', 'm a\\\\,b=1 1', 'm a\\\\\\,b=1 1'],
    ],
    [
      'field key with backslash before space',
      'fieldKey',
      'a\\ b',
      { measurement: 'm', fields: { 'a\\ b': 1 } },
      'a\\ b',
      ['m a\\ b=1 1', 'm a\\\\ b=1 1', 'm a\\\\\\ b=1 1'],
    ],
    [
      'field key with backslash before =',
      'fieldKey',
      'a\\=b',
      { measurement: 'm', fields: { 'a\\=b': 1 } },
      'a\\=b',
      ['m a\\=b=1 1', 'm a\\\\=b=1 1', 'm a\\\\\\=b=1 1'],
    ],
    [
      'field key ending in a backslash',
      'fieldKey',
      'a\\',
      { measurement: 'm', fields: { 'a\\': 1 } },
      'a\\',
      ['m a\\=1 1', 'm a\\\\=1 1', 'm a\\\\\\=1 1'],
    ],
    [
      'field key starting with a tab',
      'fieldKey',
      '\ta',
      { measurement: 'm', fields: { '\ta': 1 } },
      '\ta',
      ['m \ta=1 1', 'm \\\ta=1 1'],
    ],
    [
      'field key "time"',
      'fieldKey',
      'time',
      { measurement: 'm', fields: { time: 1 } },
      'time',
      ['m time=1 1', 'm \\time=1 1'],
    ],
  ];

  it.each(REFUSED)(
    '%s: refused with an error naming point and key',
    (_what, _role, _target, point, property) => {
      let err: unknown;
      try {
        makeLines([{ measurement: 'ok', fields: { v: 1 } }, point]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InfluxValidationError);
      expect(err).toMatchObject({ where: 'points[1]', property });
      expect((err as Error).message).toMatch(/^points\[1\]\./);
    },
  );

  it('the server proves each refused value unstorable: no candidate escaping reads back intact', async () => {
    await withDatabase(uniqueDatabase('lp_bad'), async (bdb) => {
      for (const [what, role, target, , , candidates] of REFUSED) {
        for (const line of candidates) {
          await query(`DROP SERIES FROM /.*/`, bdb);
          await query(`DROP DATABASE "${bdb}"`);
          await query(`CREATE DATABASE "${bdb}"`);
          await write(`${line}\n`, bdb);
          const snap = await snapshot(bdb);
          expect(holds(snap, role, target), `${what}: ${JSON.stringify(line)}`).toBe(false);
        }
      }
    });
  });

  it('other values InfluxDB cannot store are refused too', () => {
    const cases: [Point, string | undefined][] = [
      [{ measurement: 'm', fields: { v: Number.NaN } }, 'v'],
      [{ measurement: 'm', fields: { v: Number.POSITIVE_INFINITY } }, 'v'],
      [{ measurement: 'm', fields: { v: 2n ** 63n } }, 'v'],
      [{ measurement: 'm', fields: { v: -(2n ** 63n) - 1n } }, 'v'],
      [{ measurement: 'm', fields: {} }, 'fields'],
      [{ measurement: 'm', fields: { v: null, w: undefined } }, 'fields'],
      [{ measurement: '', fields: { v: 1 } }, 'measurement'],
      [{ measurement: 'm', fields: { '': 1 } }, ''],
      [{ measurement: 'm', tags: { '': 'x' }, fields: { v: 1 } }, 'tags'],
      [{ measurement: 'm', fields: { v: 'lone \ud800 surrogate' } }, 'v'],
      [{ measurement: 'm', tags: { k: '\udc00' }, fields: { v: 1 } }, 'k'],
      [{ measurement: 'm', fields: { v: { nested: 1 } as never } }, 'v'],
      [{ measurement: 'm', fields: { v: 1 }, time: 1.5 }, 'time'],
      [{ measurement: 'm', fields: { v: 1 }, time: 'yesterday' }, 'time'],
      [{ measurement: 'm', fields: { v: 1 }, time: '2009-02-29T00:00:00Z' }, 'time'],
      [{ measurement: 'm', fields: { v: 1 }, time: '2016-12-31T23:59:60Z' }, 'time'],
      [{ measurement: 'm', fields: { v: 1 }, time: new Date(Number.NaN) }, 'time'],
    ];
    for (const [point, property] of cases) {
      expect(
        () => makeLines([point]),
        JSON.stringify(point, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toThrow(expect.objectContaining({ name: 'InfluxValidationError', where: 'points[0]', property }));
    }
  });
});

describe('quoteIdent / quoteLiteral', () => {
  it('refuse CR and NUL, which InfluxQL cannot carry (the server proves it)', async () => {
    expect(() => quoteIdent('a\rb')).toThrow(InfluxValidationError);
    expect(() => quoteLiteral('a\rb')).toThrow(/bind parameter/);
    expect(() => quoteLiteral('a\u0000b')).toThrow(InfluxValidationError);
    await expect(query(`SHOW TAG VALUES WITH KEY = "a\rb"`, db)).rejects.toThrow(/error parsing query/);
    await expect(query(`SELECT * FROM tv WHERE "k" = 'cr\rin'`, db)).rejects.toThrow(/error parsing query/);
  });
});
