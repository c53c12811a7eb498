/**
 * The encoders' fast paths against their slow formulas and known strings:
 * - floats written without String(v) (src/line-protocol/float.ts) against String(v);
 * - the per-call caches of makeLines (escaped `measurement,tags` heads cached by the values read,
 *   field key lists remembered per shape) against single points encoded with a cold cache
 *   (makeLine), with key orders and shapes changing mid-batch, body tags, escapes and errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InfluxValidationError } from '../src/errors.js';
import { defineMeasurement, Measurement, SeriesRegistry } from '../src/index.js';
import { writeShortest } from '../src/line-protocol/float.js';
import {
  createLineEncoder,
  makeLine,
  makeLines,
  makeLinesBytes,
  type Point,
} from '../src/line-protocol/index.js';
import { shareEncoderCaches } from '../src/line-protocol/make-lines.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
function nextUp(x: number): number {
  f64[0] = x;
  if (u32[0] === 0xffffffff) {
    u32[0] = 0;
    (u32[1] as number)++;
  } else (u32[0] as number)++;
  return f64[0] as number;
}
function nextDown(x: number): number {
  f64[0] = x;
  if (u32[0] === 0) {
    u32[0] = 0xffffffff;
    (u32[1] as number)--;
  } else (u32[0] as number)--;
  return f64[0] as number;
}

/** What writeShortest writes for v, or undefined when it leaves v to String(v). */
function shortest(v: number): string | undefined {
  const buf = new Uint8Array(40);
  const end = writeShortest(v, buf, 0);
  return end < 0 ? undefined : Buffer.from(buf.subarray(0, end)).toString('latin1');
}

/** Every line encoded alone, with a fresh encoder and fresh caches (nothing cached). */
function oneByOne(points: Point[], body?: { tags?: Record<string, unknown>; measurement?: string }): string {
  shareEncoderCaches(false);
  try {
    return points
      .map((p, i) => {
        const encode = createLineEncoder(
          'n',
          body?.tags as Record<string, string> | undefined,
          body?.measurement,
        );
        return `${encode(p, i)}\n`;
      })
      .join('');
  } finally {
    shareEncoderCaches(true);
  }
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InfluxValidationError);
    return (e as Error).message;
  }
  return 'no error';
}

describe('floats without String()', () => {
  it('writes exactly String(v) for random doubles, or leaves them to it', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        if (Number.isInteger(v)) return;
        const s = shortest(v);
        if (s !== undefined) expect(s).toBe(String(v));
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e15, noNaN: true }), fc.boolean(), (v, neg) => {
        const x = neg ? -v : v;
        if (Number.isInteger(x)) return;
        const s = shortest(x);
        if (s !== undefined) expect(s).toBe(String(x));
      }),
      { numRuns: 20_000 },
    );
  });

  it('short decimals (1 to 17 digits) and the neighbours of powers of ten and two', () => {
    const values: number[] = [
      0.1,
      0.2,
      0.3,
      0.1 + 0.2,
      1 / 3,
      2 / 3,
      1e-6,
      1.5e-6,
      9.999999999999999e14,
      123456789012345.6,
    ];
    for (let digits = 1; digits <= 17; digits++) {
      for (let i = 0; i < 300; i++) {
        const m = Math.floor(Math.random() * 10 ** digits);
        const e = Math.floor(Math.random() * 23) - 7 - digits;
        values.push(Number(`${m}e${e}`), -Number(`${m}e${e}`));
      }
    }
    for (let k = -7; k <= 16; k++) {
      for (const start of [Number(`1e${k}`), 2 ** (k * 3)]) {
        let up = start;
        let down = start;
        for (let j = 0; j < 40; j++) {
          values.push(up, down);
          up = nextUp(up);
          down = nextDown(down);
        }
      }
    }
    let fast = 0;
    for (const v of values) {
      if (!Number.isFinite(v) || Number.isInteger(v)) continue;
      const s = shortest(v);
      if (s !== undefined) {
        fast++;
        expect(s, `${v}`).toBe(String(v));
      }
    }
    expect(fast).toBeGreaterThan(values.length / 2);
  });

  it('makeLines writes floats as String(v), integers-valued floats without suffix, -0 signed', () => {
    const vs = [
      0.1,
      -0,
      0,
      4,
      -4.5,
      1e21,
      1e-7,
      5e-324,
      2 ** 53,
      2 ** 53 + 2,
      58.23075899771916,
      0.30000000000000004,
      9.5e14 + 0.5,
    ];
    const out = makeLines(vs.map((v) => ({ measurement: 'm', fields: { v } })));
    expect(out).toBe(vs.map((v) => `m v=${Object.is(v, -0) ? '-0' : String(v)}\n`).join(''));
  });
});

describe('makeLines caches', () => {
  it('heads: key order and shape changing mid-batch, escapes, non-string values, body tags', () => {
    const points: Point[] = [
      { measurement: 'cpu', tags: { host: 'a', region: 'eu' }, fields: { v: 1 } },
      { measurement: 'cpu', tags: { region: 'eu', host: 'a' }, fields: { v: 2 } },
      { measurement: 'cpu', tags: { host: 'a', region: 'eu' }, fields: { v: 3 } },
      { measurement: 'cpu', tags: { host: 'a', region: 'eu', zone: 'z 1' }, fields: { v: 4 } },
      { measurement: 'cpu', tags: { host: 'a' }, fields: { v: 5 } },
      { measurement: 'cpu', tags: { host: 'a', region: null }, fields: { v: 6 } },
      { measurement: 'cpu', tags: { host: 'a', region: '' }, fields: { v: 7 } },
      { measurement: 'cpu', tags: { host: 'a', region: undefined }, fields: { v: 8 } },
      { measurement: 'cpu', tags: { host: 1, region: 'eu' }, fields: { v: 9 } },
      { measurement: 'cpu', tags: { host: '1', region: 'eu' }, fields: { v: 10 } },
      { measurement: 'cpu', tags: { host: 1n, region: true }, fields: { v: 11 } },
      { measurement: 'cpu', tags: { host: -0, region: 0 }, fields: { v: 12 } },
      { measurement: 'c pu', tags: { host: 'a', region: 'eu' }, fields: { v: 13 } },
      { measurement: 'cpu', tags: { 'h,o st': 'a=b c', region: 'é' }, fields: { v: 14 } },
      { measurement: 'cpu', tags: { host: 'a', region: 'eu' }, fields: { v: 15 } },
      { measurement: 'cpu', fields: { v: 16 } },
      { measurement: 'cpu', tags: {}, fields: { v: 17 } },
      { measurement: 'cpu', tags: { '10': 'x', '9': 'y', a: 'z' }, fields: { v: 18 } },
      { measurement: 'cpu', tags: { a: 'z', '9': 'y', '10': 'x' }, fields: { v: 19 } },
    ];
    const plain = makeLines(points);
    expect(plain).toBe(oneByOne(points));
    expect(plain.split('\n').slice(0, 19)).toEqual([
      'cpu,host=a,region=eu v=1',
      'cpu,host=a,region=eu v=2',
      'cpu,host=a,region=eu v=3',
      'cpu,host=a,region=eu,zone=z\\ 1 v=4',
      'cpu,host=a v=5',
      'cpu,host=a v=6',
      'cpu,host=a v=7',
      'cpu,host=a v=8',
      'cpu,host=1,region=eu v=9',
      'cpu,host=1,region=eu v=10',
      'cpu,host=1,region=true v=11',
      'cpu,host=0,region=0 v=12',
      'c\\ pu,host=a,region=eu v=13',
      'cpu,h\\,o\\ st=a\\=b\\ c,region=é v=14',
      'cpu,host=a,region=eu v=15',
      'cpu v=16',
      'cpu v=17',
      'cpu,10=x,9=y,a=z v=18',
      'cpu,10=x,9=y,a=z v=19',
    ]);
    const body = { tags: { region: 'body', dc: 'd1' }, measurement: 'bm' };
    const withBody = makeLines({ points: [...points, { fields: { v: 20 } }], ...body });
    expect(withBody).toBe(oneByOne([...points, { fields: { v: 20 } }], body));
    expect(withBody.split('\n')[0]).toBe('cpu,dc=d1,host=a,region=eu v=1');
    expect(withBody.split('\n')[4]).toBe('cpu,dc=d1,host=a,region=body v=5');
    expect(withBody.split('\n')[19]).toBe('bm,dc=d1,region=body v=20');
    expect(new TextDecoder().decode(makeLinesBytes({ points, ...body }))).toBe(
      makeLines({ points, ...body }),
    );
  });

  it('heads: body tags changed by the iterator between points, values read once per point', () => {
    const body = { tags: { region: 'r0' } as Record<string, string>, points: [] as Point[] };
    body.points = (function* () {
      for (let i = 0; i < 4; i++) {
        body.tags.region = `r${i >> 1}`;
        yield { measurement: 'm', tags: { host: 'h' }, fields: { v: i } };
      }
    })() as unknown as Point[];
    expect(makeLines(body)).toBe(
      'm,host=h,region=r0 v=0\nm,host=h,region=r0 v=1\nm,host=h,region=r1 v=2\nm,host=h,region=r1 v=3\n',
    );
    let reads = 0;
    const tags = {
      get host() {
        reads++;
        return `h${reads % 2}`;
      },
    };
    const points = Array.from({ length: 4 }, (_, i) => ({ measurement: 'm', tags, fields: { v: i } }));
    expect(makeLines(points)).toBe('m,host=h1 v=0\nm,host=h0 v=1\nm,host=h1 v=2\nm,host=h0 v=3\n');
    expect(reads).toBe(4);
  });

  it('heads: suspect tags (backslash before a space) still get the line-splitting check on cache hits', () => {
    // The key `k\ x` makes InfluxDB's line splitter track quotes from inside the tags: with an odd
    // number of quotes in the tags the line is refused, whatever the fields.
    const bad: Point = { measurement: 'm', tags: { 'k\\ x': 'v', u: 'a"b' }, fields: { v: 1 } };
    const ok: Point = { measurement: 'm', tags: { 'k\\ x': 'v', u: 'a"b"c' }, fields: { s: 'x\ny' } };
    const encode = createLineEncoder('n');
    for (let i = 0; i < 3; i++) {
      expect(() => encode(bad, i)).toThrow(
        new RegExp(`^points\\[${i}\\]\\.tags: a tag holding a backslash before a space`),
      );
      expect(encode(ok, i)).toBe('m,k\\\\ x=v,u=a"b"c s="x\ny"');
    }
    expect(makeLines([ok, ok])).toBe('m,k\\\\ x=v,u=a"b"c s="x\ny"\n'.repeat(2));
    expect(errorOf(() => makeLines([ok, bad]))).toBe(
      errorOf(() => makeLine(bad)).replace(/^point\./, 'points[1].'),
    );
  });

  it('fields: shapes changing mid-batch, unsorted keys, nulls, escapes, int64 and time limits', () => {
    const points: Point[] = [
      { measurement: 'm', fields: { a: 1, b: 2n, c: true }, time: 1n },
      { measurement: 'm', fields: { c: false, a: 0.5, b: -(2n ** 63n) }, time: -1n },
      { measurement: 'm', fields: { a: null, b: 2n ** 63n - 1n, c: undefined }, time: -(2n ** 63n) + 2n },
      { measurement: 'm', fields: { a: 2 ** 53, b: 2n ** 53n, c: -(2n ** 53n) - 1n }, time: 2n ** 63n - 2n },
      { measurement: 'm', fields: { 'x y': 's"\\\n', 'a,=': -0, é: 'ü' }, time: 1_700_000_000_000_000_000n },
      { measurement: 'm', fields: { usage: 0.25, cores: 4n }, time: 1_700_000_000_000_000_001n },
      { measurement: 'm', fields: { cores: 5n, usage: 0.75 }, time: 1_699_999_999_999_999_999n },
      { measurement: 'm', fields: { a: 1, b: 2n, c: true }, time: 0n },
      { measurement: 'm', fields: { '10': 1, '9': 2 } },
    ];
    const out = makeLines(points);
    expect(out).toBe(oneByOne(points));
    expect(out).toBe(
      [
        'm a=1,b=2i,c=true 1',
        'm a=0.5,b=-9223372036854775808i,c=false -1',
        'm b=9223372036854775807i -9223372036854775806',
        'm a=9007199254740992,b=9007199254740992i,c=-9007199254740993i 9223372036854775806',
        'm a\\,\\==-0,x\\ y="s\\"\\\\\n",é="ü" 1700000000000000000',
        'm cores=4i,usage=0.25 1700000000000000001',
        'm cores=5i,usage=0.75 1699999999999999999',
        'm a=1,b=2i,c=true 0',
        'm 10=1,9=2',
        '',
      ].join('\n'),
    );
  });

  it('fields: errors name the same field as before (for-in order up to the first unsorted key, then sorted)', () => {
    const ok: Point = { measurement: 'm', fields: { b: 1, a: 2 } };
    const cases: [Point, string][] = [
      [{ measurement: 'm', fields: { b: Number.NaN, a: '\ud800' } }, 'points[1].b: NaN cannot be stored'],
      [
        { measurement: 'm', fields: { a: 1, c: Number.NaN, b: '\ud800' } },
        'points[1].c: NaN cannot be stored',
      ],
      [{ measurement: 'm', fields: { b: 1, a: '\ud800', c: Number.NaN } }, 'points[1].a: string field'],
      [{ measurement: 'm', fields: { 'x\\': 1, a: 2 } }, 'points[1].x\\: field key "x\\\\" has a backslash'],
      [
        { measurement: 'm', fields: { b: 2n ** 63n, a: 1 } },
        'points[1].b: 9223372036854775808 is outside the int64 range',
      ],
      [
        { measurement: 'm', fields: { b: null, a: undefined } },
        'points[1].fields: has no field with a value',
      ],
      [
        { measurement: 'm', fields: { b: 1, a: {} as unknown as number } },
        'points[1].a: field value of type object',
      ],
    ];
    for (const [bad, message] of cases) {
      const error = errorOf(() => makeLines([ok, bad, ok]));
      expect(error.startsWith(message), error).toBe(true);
      expect(error).toBe(errorOf(() => makeLine(bad)).replace(/^point\./, 'points[1].'));
    }
    // A refused key with no value is not an error.
    expect(makeLines([ok, { measurement: 'm', fields: { 'x\\': null, a: 2 } }, ok])).toBe(
      'm a=2,b=1\nm a=2\nm a=2,b=1\n',
    );
  });

  it('series seen once (the cache steps aside) then repeated, across calls, match the uncached rules', () => {
    const points: Point[] = [];
    for (let i = 0; i < 20_000; i++) {
      const host = i < 12_000 ? `unique-${i}` : `host-${i % 7}`;
      points.push({
        measurement: 'm',
        tags: { host, z: i % 2 === 0 ? 'a b' : 'c' },
        fields: { v: i },
        time: BigInt(i),
      });
    }
    const expected = oneByOne(points);
    expect(makeLines(points)).toBe(expected);
    expect(makeLines(points)).toBe(expected);
    const lines = expected.split('\n');
    for (let i = 11_990; i < 12_010; i++) expect(makeLine(points[i] as Point)).toBe(lines[i]);
    expect(makeLines({ points, tags: { dc: 'x' } })).toBe(oneByOne(points, { tags: { dc: 'x' } }));
    shareEncoderCaches(true); // (leaves the shared caches empty, out of their bypass)
  });

  it('random batches drawn from a few tag and field objects match points encoded one by one', () => {
    const str = fc.constantFrom('a', 'b', 'a b', 'x,y', 'k=v', 'é', '😀', 'a\\ b', 'q"', '');
    const tagObj = fc.dictionary(
      fc.constantFrom('host', 'region', 'a', 'z', 'k 1', '10', '9'),
      fc.oneof(str, fc.constantFrom(1, 2n, true, null)),
      { maxKeys: 4 },
    );
    const fieldObj = fc.dictionary(
      fc.constantFrom('usage', 'cores', 'ok', 's', 'a b', '10', '9'),
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
        fc.boolean(),
        str,
        fc.constant(null),
      ),
      { minKeys: 1, maxKeys: 4 },
    );
    fc.assert(
      fc.property(
        fc.array(tagObj, { minLength: 1, maxLength: 3 }),
        fc.array(fieldObj, { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('m', 'n m'), fc.bigInt(-(2n ** 40n), 2n ** 62n)),
          { maxLength: 30 },
        ),
        fc.option(fc.dictionary(fc.constantFrom('region', 'dc'), str, { maxKeys: 2 }), { nil: undefined }),
        (tagPool, fieldPool, picks, bodyTags) => {
          const points: Point[] = picks.map(([t, f, measurement, time]) => ({
            measurement,
            tags: tagPool[t % tagPool.length],
            fields: fieldPool[f % fieldPool.length] as Point['fields'],
            time,
          }));
          let expected: string;
          try {
            expected = oneByOne(points, { tags: bodyTags });
          } catch (e) {
            expect(() => makeLines({ points, tags: bodyTags })).toThrow((e as Error).message);
            return;
          }
          expect(makeLines({ points, tags: bodyTags })).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('model instances', () => {
  const discard = { commit: () => Promise.resolve() };
  const cpu = (precision: 'n' | 'ns' | 'u' | 'ms' | 's' = 'n', name = 'cpu') => {
    const registry = new SeriesRegistry({ sink: discard, autocommit: false });
    return defineMeasurement({
      name,
      optionalTags: ['host', 'region'],
      fields: { usage: 'float', cores: 'integer', ok: 'boolean', s: 'string' },
      timestamp: { property: 'time', type: 'bigint' },
      precision,
      registry,
    });
  };

  it('lines match makeLines(pending()) for random values: cached heads, floats, int64, times', () => {
    const tag = fc.constantFrom('h1', 'h2', 'a b', 'x,y', 'k=v', 'é', 'q"', '', undefined);
    const row = fc.record({
      host: tag,
      region: tag,
      usage: fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 1e-7, max: 1e15, noNaN: true }),
        fc.constant(undefined),
      ),
      cores: fc.oneof(
        fc.integer(),
        fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
        fc.constantFrom(2n ** 53n, -(2n ** 53n) - 1n),
      ),
      ok: fc.boolean(),
      s: fc.option(
        fc.string({ maxLength: 4 }).map((x) => `${x}"\\\n`),
        { nil: undefined },
      ),
      time: fc.oneof(
        fc.bigInt(-(2n ** 63n) + 2n, 2n ** 63n - 2n),
        fc.bigInt(1_700_000_000_000_000_000n, 1_700_000_005_000_000_000n),
        fc.bigInt(-3_000_000_000n, 3_000_000_000n),
        fc.constantFrom(-(2n ** 63n) + 2n, 2n ** 63n - 2n, 0n, -1n, 999_999_999n, 1_000_000_000n),
      ),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), (rows) => {
        const M = cpu();
        for (const r of rows) new M(r as never);
        const lines = M.pendingLines();
        expect(lines).toHaveLength(rows.length);
        expect(lines.map((l) => `${l}\n`).join('')).toBe(makeLines(M.pending(), 'n'));
      }),
      { numRuns: 300 },
    );
  });

  it('series seen once (the head cache steps aside) then repeated', () => {
    const M = cpu();
    for (let i = 0; i < 20_000; i++) {
      const host = i < 12_000 ? `unique ${i}` : `host-${i % 7}`;
      new M({ host, region: i % 2 === 0 ? 'a,b' : undefined, usage: i + 0.5, time: BigInt(i) });
    }
    const lines = M.pendingLines();
    expect(lines[0]).toBe('cpu,host=unique\\ 0,region=a\\,b usage=0.5 0');
    expect(lines[19_999]).toBe('cpu,host=host-0 usage=19999.5 19999');
    expect(lines.map((l) => `${l}\n`).join('')).toBe(makeLines(M.pending(), 'n'));
  });

  it('known lines: escapes, empty tags, -0, whole floats, limits, times before 1970 and Dates', () => {
    const M = cpu();
    const rows = [
      { host: 'a b', region: 'x,y=z', usage: -0, cores: 2n ** 63n - 1n, ok: true, time: -1n },
      { host: 'a b', region: 'x,y=z', usage: 4, cores: -(2n ** 63n), ok: false, time: 2n ** 63n - 2n },
      { host: 'a b', region: '', usage: 0.1, cores: 9007199254740993n, ok: true, time: -(2n ** 63n) + 2n },
      { host: 'a b', usage: 1e21, cores: -3, ok: true, time: 1_700_000_000_000_000_000n },
      {
        host: 'é',
        region: 'x,y=z',
        usage: 58.23075899771916,
        cores: 0,
        ok: true,
        time: 1_700_000_000_000_000_999n,
        s: 'q"\\\n',
      },
    ];
    for (const r of rows) new M(r as never);
    expect(M.pendingLines()).toEqual([
      'cpu,host=a\\ b,region=x\\,y\\=z cores=9223372036854775807i,ok=true,usage=-0 -1',
      'cpu,host=a\\ b,region=x\\,y\\=z cores=-9223372036854775808i,ok=false,usage=4 9223372036854775806',
      'cpu,host=a\\ b cores=9007199254740993i,ok=true,usage=0.1 -9223372036854775806',
      'cpu,host=a\\ b cores=-3i,ok=true,usage=1e+21 1700000000000000000',
      'cpu,host=é,region=x\\,y\\=z cores=0i,ok=true,s="q\\"\\\\\n",usage=58.23075899771916 1700000000000000999',
    ]);
    const registry = new SeriesRegistry({ sink: discard, autocommit: false });
    const D = defineMeasurement({
      name: 'd',
      tags: ['host'],
      fields: { v: 'float' },
      timestamp: 'time',
      registry,
    });
    for (const time of [
      new Date(-1),
      new Date(0),
      new Date(1_700_000_000_123),
      new Date(-8_000_000_000_000),
    ]) {
      new D({ host: 'a', v: 1.5, time });
    }
    expect(D.pendingLines()).toEqual([
      'd,host=a v=1.5 -1000000',
      'd,host=a v=1.5 0',
      'd,host=a v=1.5 1700000000123000000',
      'd,host=a v=1.5 -8000000000000000000',
    ]);
    expect(() => new D({ host: 'a', v: 1, time: new Date(8.64e15) })).toThrow(
      "D.time: +275760-09-13T00:00:00.000Z (precision 'n') is outside the range InfluxDB stores: 1677-09-21T00:12:43.145224194Z to 2262-04-11T23:47:16.854775806Z",
    );
    expect(() => new M({ host: 'a', ok: true, time: 2n ** 63n - 1n })).toThrow(
      "Cpu.time: 9223372036854775807 (precision 'n') is outside the range InfluxDB stores: 1677-09-21T00:12:43.145224194Z to 2262-04-11T23:47:16.854775806Z",
    );
    expect(M.pendingLines()).toHaveLength(5);
  });

  it('a bad tag value is refused on a cached series too, and a suspect head is checked every time', () => {
    const registry = new SeriesRegistry({ sink: discard, autocommit: false });
    const S = defineMeasurement({
      name: 's',
      optionalTags: ['k\\ x', 'u'],
      fields: { s: 'string' },
      registry,
    });
    const ok = { 'k\\ x': 'v', u: 'a"b"c', s: 'x\ny' };
    new S(ok);
    new S(ok);
    expect(() => new S({ 'k\\ x': 'v', u: 'a"b', s: 'x' })).toThrow(/split the line in the wrong place/);
    expect(() => new S({ 'k\\ x': 'v', u: 'a"b', s: 'x' })).toThrow(/split the line in the wrong place/);
    expect(() => new S({ 'k\\ x': 'v', u: 'a\n', s: 'x' })).toThrow(
      /^S\.u: tag value "a\\n" contains a newline/,
    );
    expect(() => new S({ 'k\\ x': 5 as unknown as string, u: 'a', s: 'x' })).toThrow(
      /a tag must be a string, got number/,
    );
    expect(S.pendingLines()).toHaveLength(2);
  });

  it('values objects whose key order and keys change, inherited and getter values, unknown keys', () => {
    const M = cpu();
    new M({ host: 'a', region: 'r', usage: 1.5, cores: 1, ok: true, time: 1n });
    new M({ time: 2n, ok: false, cores: 2, usage: 2.5, region: 'r', host: 'a' });
    new M({ host: 'a', usage: 3.5, ok: true, time: 3n });
    expect(() => new M({ host: 'a', usage: 3.5, ok: true, time: 3n, extra: 1 } as never)).toThrow(
      /^Cpu\.extra: is not a tag, field or timestamp of the model/,
    );
    expect(() => new M({ extra: 1, host: 'a' } as never)).toThrow(/^Cpu\.extra: is not a tag/);
    new M(
      Object.create({ host: 'inherited' }, { ok: { value: true, enumerable: true }, time: { value: 4n } }),
    );
    class Values {
      get host() {
        return 'from-getter';
      }
      ok = false;
      time = 5n;
    }
    new M(new Values() as never);
    expect(M.pendingLines()).toEqual([
      'cpu,host=a,region=r cores=1i,ok=true,usage=1.5 1',
      'cpu,host=a,region=r cores=2i,ok=false,usage=2.5 2',
      'cpu,host=a ok=true,usage=3.5 3',
      'cpu,host=inherited ok=true 4',
      'cpu,host=from-getter ok=false 5',
    ]);
    const inst = M.pending();
    expect(inst).toHaveLength(5);
  });

  it('instances keep their properties in declaration order, and a value getter may build another instance', () => {
    const M = cpu();
    const a = new M({ time: 1n, ok: true, host: 'h', usage: 0.5 });
    expect(Object.keys(a)).toEqual(['host', 'usage', 'ok', 'time']);
    expect(Object.isFrozen(a)).toBe(true);
    let built = false;
    new M({
      host: 'outer',
      get usage() {
        if (!built) {
          built = true;
          new M({ host: 'inner', usage: 9, time: 9n });
        }
        return 5;
      },
      time: 5n,
    } as never);
    expect(M.pendingLines()).toEqual([
      'cpu,host=h ok=true,usage=0.5 1',
      'cpu,host=inner usage=9 9',
      'cpu,host=outer usage=5 5',
    ]);
  });

  it('a model property that is an accessor on the class is read back from the instance', () => {
    const M = cpu();
    // a subclass of a model is a model of its own when decorated (same measurement and registry here)
    @Measurement({ name: 'cpu', registry: M.registry() })
    class WithAccessor extends M {
      get region(): string {
        return 'from-accessor';
      }
      set region(_v: string) {}
    }
    new WithAccessor({ host: 'a', region: 'given', usage: 1, time: 1n });
    expect(WithAccessor.pendingLines()).toEqual(['cpu,host=a,region=from-accessor usage=1 1']);
  });
});

describe('makeLinesBytes', () => {
  it('large results handed out in place are not overwritten by later calls', () => {
    const points = (tag: string, n: number): Point[] =>
      Array.from({ length: n }, (_, i) => ({
        measurement: 'm',
        tags: { t: tag },
        fields: { v: i + 0.5 },
        time: BigInt(i),
      }));
    const a = makeLinesBytes(points('a', 20_000));
    const aText = Buffer.from(a).toString();
    const b = makeLinesBytes(points('b', 20_000));
    const c = makeLinesBytes(points('c', 10));
    const d = makeLinesBytes(points('d', 50_000));
    expect(Buffer.from(a).toString()).toBe(aText);
    expect(Buffer.from(a).toString()).toBe(makeLines(points('a', 20_000)));
    expect(Buffer.from(b).toString()).toBe(makeLines(points('b', 20_000)));
    expect(Buffer.from(c).toString()).toBe(makeLines(points('c', 10)));
    expect(Buffer.from(d).toString()).toBe(makeLines(points('d', 50_000)));
  });
});
