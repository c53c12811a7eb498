import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InfluxConnectionError, InfluxDBClientError, InfluxDBServerError } from '../src/errors.js';
import { nanosToRfc3339 } from '../src/line-protocol/time.js';
import { parseChunkedResponse } from '../src/results/chunk-parser.js';
import { parseJsonExact } from '../src/results/json-decoder.js';
import { decodeMsgpack, msgpackTimeToRfc3339 } from '../src/results/msgpack-decoder.js';
import { readMsgpack } from '../src/results/msgpack-reader.js';
import type { RawResponse } from '../src/results/response-format.js';
import { type RawResult, ResultSet } from '../src/results/result-set.js';
import { mp } from './helpers/msgpack-writer.js';

// biome-ignore lint/suspicious/noExplicitAny: the reference cases are free-form JSON
type Json = any;
const cases: { id: string; input: Json; expected: Json }[] = JSON.parse(
  readFileSync(new URL('./fixtures/influxdb-python-cases.json', import.meta.url), 'utf8'),
);
const byId = (id: string) => cases.find((c) => c.id === id)!;

describe('ResultSet (influxdb-python RS cases)', () => {
  it('RS01: filter by measurement, tags, both; keys; length', () => {
    const { input, expected } = byId('RS01');
    const rs = new ResultSet(input);
    expect([...rs.getPoints('cpu_load_short')]).toEqual(expected["get_points(measurement='cpu_load_short')"]);
    expect([...rs.getPoints(null, { host: 'server01' })]).toEqual(
      expected["get_points(tags={'host':'server01'})"],
    );
    expect([...rs.getPoints('cpu_load_short', { host: 'server01' })]).toEqual(
      expected["get_points('cpu_load_short', {'host':'server01'})"],
    );
    expect([...rs.getPoints('cpu_load_short', { region: 'us-west' })]).toEqual(
      expected["get_points('cpu_load_short', {'region':'us-west'})"],
    );
    expect(rs.keys()).toEqual(expected['keys()']);
    expect(rs.length).toBe(expected.len);
    expect(rs.get('other_series')).toEqual([
      { time: '2015-01-29T21:51:28.968422294Z', value: 0.66, host: 'server01', region: 'us-west' },
    ]);
  });

  it('RS02: a series without a name has the key results', () => {
    const { input, expected } = byId('RS02');
    const rs = new ResultSet(input);
    expect(rs.keys()).toEqual(expected['keys()']);
    expect([...rs.getPoints('results')]).toEqual(expected["get_points('results')"]);
    expect([...rs.getPoints('other')]).toEqual([]);
  });

  it('RS03: GROUP BY keys carry tags; tag filter on series tags; iteration; rowsWithTags merges tags', () => {
    const { input, expected } = byId('RS03');
    const rs = new ResultSet(input);
    expect(rs.keys()).toEqual(expected['keys()']);
    expect([...rs.getPoints(null, { host: 'b' })]).toEqual(expected["get_points(tags={'host':'b'})"]);
    expect(rs.items()).toEqual(expected['items()']);
    expect([...rs]).toEqual(expected['list(rs)']);
    expect(rs.get(['cpu', { host: 'a' }])).toEqual(expected['list(rs)'][0]);
    expect(rs.get({ host: 'b' })).toEqual(expected["get_points(tags={'host':'b'})"]);
    expect([...rs.rowsWithTags()]).toEqual([
      { host: 'a', time: '2009-11-10T23:00:00Z', value: 0.64 },
      { host: 'b', time: '2009-11-10T23:00:01Z', value: 33.0 },
    ]);
    expect([...rs.rowsWithTags('cpu', { host: 'b' })]).toEqual([
      { host: 'b', time: '2009-11-10T23:00:01Z', value: 33 },
    ]);
    expect([...rs.rowsWithTags('mem')]).toEqual([]);
    expect(String(rs)).toBe('ResultSet(cpu {"host":"a"}: 1 rows, cpu {"host":"b"}: 1 rows)');
  });

  it('RS04: a statement error raises InfluxDBClientError, or is kept with raiseErrors false', () => {
    const { input } = byId('RS04');
    expect(() => new ResultSet(input)).toThrow(InfluxDBClientError);
    try {
      new ResultSet(input);
    } catch (e) {
      expect((e as InfluxDBClientError).content).toBe('Big error, many problems.');
      expect((e as InfluxDBClientError).status).toBeUndefined();
    }
    expect(new ResultSet(input, false).error).toBe('Big error, many problems.');
  });

  it('pointFromColsVals', () => {
    expect(ResultSet.pointFromColsVals(['a', 'b'], [1, 'x'])).toEqual({ a: 1, b: 'x' });
  });
});

describe('row objects (built per column list)', () => {
  it('getPoints, rowsWithTags and items give exactly what pointFromColsVals gives, whatever the names', () => {
    const lists = [
      ['time', 'value'],
      ['time', 'a"b\\', '\x60\x24{x}\x60', '\u2028', '0', '10', 'constructor', 'toString'],
      ['time', 'dup', 'dup'],
      ['time', '__proto__'],
      [],
    ];
    for (const columns of lists) {
      const values = [columns.map((_, i) => (i === 0 ? 't0' : i)), columns.map(() => null), []];
      const rs = new ResultSet({
        statement_id: 0,
        series: [{ name: 'm', tags: { host: 'h' }, columns, values }],
      });
      const expected = values.map((v) => ResultSet.pointFromColsVals(columns, v));
      const got = [...rs.getPoints()];
      expect(got).toStrictEqual(expected);
      got.forEach((row, i) => {
        expect(Object.keys(row)).toEqual(Object.keys(expected[i]!));
        expect(Object.getPrototypeOf(row)).toBe(Object.getPrototypeOf(expected[i]!));
      });
      expect([...rs.getPoints('m', { host: 'h' })]).toStrictEqual(expected);
      expect(rs.items()[0]![1]).toStrictEqual(expected);
      expect([...rs.rowsWithTags()]).toStrictEqual(expected.map((r) => ({ host: 'h', ...r })));
    }
  });
});

describe('decoders', () => {
  it('CL05: msgpack ext type 5 times decode to exact RFC3339 (nanoseconds kept)', () => {
    const { input, expected } = byId('CL05');
    const raw = decodeMsgpack(Buffer.from(input.body_hex, 'hex'));
    // influxdb-python rounds to microseconds; we keep the nanoseconds the server sent.
    const rs = new ResultSet(raw.results![0] as RawResult);
    expect([...rs.getPoints()]).toEqual(expected.points);
    // 1257894000 s + 123456789 ns, and a time before 1970
    const ext = (sec: bigint, ns: number) => mp({ time: [sec, ns] });
    const arr = Buffer.concat([
      Buffer.from([0x93]),
      ext(1257894000n, 123456789),
      ext(-1n, 500_000_000),
      ext(0n, 0),
    ]);
    // (an array is not a /query response, so the raw reader, not decodeMsgpack, reads it)
    expect(readMsgpack(arr)).toEqual([
      '2009-11-10T23:00:00.123456789Z',
      '1969-12-31T23:59:59.5Z',
      '1970-01-01T00:00:00Z',
    ]);
  });

  it('msgpack times match the line-protocol formatter for any second and nanosecond (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -9_223_372_036n, max: 9_223_372_035n }),
        fc.integer({ min: 0, max: 999_999_999 }),
        (sec, ns) => {
          const b = Buffer.alloc(12);
          b.writeBigInt64BE(sec, 0);
          b.writeUInt32BE(ns, 8);
          const total = sec * 1_000_000_000n + BigInt(ns);
          fc.pre(total >= -(2n ** 63n) && total < 2n ** 63n);
          expect(msgpackTimeToRfc3339(b)).toBe(nanosToRfc3339(total));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('msgpack keeps int64 exact: numbers within 2^53, bigint beyond; epoch n times are bigint', () => {
    const body = mp({
      results: [
        {
          statement_id: 0,
          series: [
            { name: 'm', columns: ['time', 'i', 'f'], values: [[{ i64: 5n }, { i64: 2n ** 63n - 1n }, 1.5]] },
          ],
        },
      ],
    });
    const raw = decodeMsgpack(body, { epoch: 'n' });
    const row = raw.results![0]!.series![0]!.values![0]!;
    expect(row[0]).toBe(5n);
    expect(row[1]).toBe(9223372036854775807n);
    expect(row[2]).toBe(1.5);
    expect(decodeMsgpack(body, { epoch: 'ms' }).results![0]!.series![0]!.values![0]![0]).toBe(5);
  });

  it('JSON: big integers become bigint, digits in strings are untouched, epoch u/n times are bigint', () => {
    const text =
      '{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","i","s","f"],"values":[[1257894000123456789,9223372036854775807,"12345678901234567890",1.2345678901234567],[1,-9223372036854775808,"x,12345678901234567890]",3]]}]}]}';
    const raw = parseJsonExact(text, { epoch: 'n' });
    const values = raw.results![0]!.series![0]!.values!;
    expect(values[0]).toEqual([
      1257894000123456789n,
      9223372036854775807n,
      '12345678901234567890',
      1.2345678901234567,
    ]);
    expect(values[1]).toEqual([1n, -9223372036854775808n, 'x,12345678901234567890]', 3]);
    expect(parseJsonExact('{"results":[{"statement_id":0}]}')).toEqual({ results: [{ statement_id: 0 }] });
  });

  it('CL04: chunked JSON yields one response per line; a truncated last chunk is an error', async () => {
    const { input, expected } = byId('CL04');
    const text = `${input.body_lines.join('\n')}\n`;
    const pieces = async function* (s: string, n: number) {
      for (let i = 0; i < s.length; i += n) yield Buffer.from(s.slice(i, i + n));
    };
    const got: RawResponse[] = [];
    for await (const r of parseChunkedResponse(pieces(text, 5), 'json')) got.push(r);
    expect(got.map((r) => ({ series: r.results?.[0]?.series }))).toEqual(expected);
    const cut = text.slice(0, text.length - 20);
    await expect(async () => {
      for await (const _ of parseChunkedResponse(pieces(cut, 64), 'json'));
    }).rejects.toThrow(InfluxConnectionError);
  });

  it('chunked msgpack: split anywhere; a truncated chunk is an error', async () => {
    const chunk = (i: number) => ({
      results: [{ statement_id: 0, series: [{ name: 'm', columns: ['v'], values: [[i], [i + 0.5]] }] }],
    });
    const bytes = Buffer.concat([mp(chunk(1)), mp(chunk(2)), mp(chunk(3))]);
    const pieces = async function* (b: Buffer, n: number) {
      for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
    };
    for (const n of [1, 3, 50, 1000]) {
      const got: RawResponse[] = [];
      for await (const r of parseChunkedResponse(pieces(bytes, n), 'msgpack')) got.push(r);
      expect(got).toEqual([chunk(1), chunk(2), chunk(3)]);
    }
    await expect(async () => {
      for await (const _ of parseChunkedResponse(pieces(bytes.subarray(0, bytes.length - 3), 8), 'msgpack'));
    }).rejects.toThrow(/ended in the middle of a chunk/);
  });
});

const response = (series: unknown[], extra: Record<string, unknown> = {}) => ({
  results: [{ statement_id: 0, series, ...extra }],
});

/** Every scalar InfluxDB can send, as [encoding, decoded value]. */
const SCALARS: [unknown, unknown][] = [
  [0, 0],
  [127, 127],
  [-1, -1],
  [-32, -32],
  [200, 200],
  [65535, 65535],
  [4294967295, 4294967295],
  [-100, -100],
  [-30000, -30000],
  [-2147483648, -2147483648],
  [{ i64: 2n ** 53n - 1n }, 2 ** 53 - 1],
  [{ i64: -(2n ** 53n) }, -(2 ** 53)],
  [{ i64: 2n ** 53n }, 2n ** 53n],
  [{ i64: -(2n ** 53n) - 1n }, -(2n ** 53n) - 1n],
  [{ i64: 2n ** 63n - 1n }, 2n ** 63n - 1n],
  [{ i64: -(2n ** 63n) }, -(2n ** 63n)],
  [{ i64: 0n }, 0],
  [{ u64: 2n ** 64n - 1n }, 2n ** 64n - 1n],
  [{ u64: 2n ** 53n - 1n }, 2 ** 53 - 1],
  [{ f64: -0 }, -0],
  [{ f64: 0 }, 0],
  [{ f64: 1e20 }, 1e20],
  [{ f64: 0.1 }, 0.1],
  [{ f64: Number.NaN }, Number.NaN],
  [{ f64: -Infinity }, -Infinity],
  [{ f64: 5e-324 }, 5e-324],
  [{ f32: 1.5 }, 1.5],
  [true, true],
  [false, false],
  [null, null],
  ['', ''],
  ['a', 'a'],
  ['host-1', 'host-1'],
  ['x'.repeat(31), 'x'.repeat(31)],
  ['y'.repeat(32), 'y'.repeat(32)],
  ['z'.repeat(33), 'z'.repeat(33)],
  ['é', 'é'],
  ['tab\there "q" \\ \n', 'tab\there "q" \\ \n'],
  ['😀 emoji', '😀 emoji'],
  ['w'.repeat(300), 'w'.repeat(300)],
  [{ bin: [1, 2, 255] }, Buffer.from([1, 2, 255])],
  [{ time: [1257894000n, 123456789] }, '2009-11-10T23:00:00.123456789Z'],
  [{ time: [-1n, 500_000_000] }, '1969-12-31T23:59:59.5Z'],
  [{ time: [0n, 0] }, '1970-01-01T00:00:00Z'],
  [{ time: [1700000000n, 1000] }, '2023-11-14T22:13:20.000001Z'],
];

/** A chunked response of several chunks exercising every value type and container width. */
function sampleChunks(): { bytes: Buffer; expected: RawResponse[] } {
  const enc: unknown[] = [];
  const expected: unknown[] = [];
  const add = (e: unknown, d: unknown) => {
    enc.push(e);
    expected.push(d);
  };
  // 1. one column per scalar kind, rows of 6 (flat rows)
  const rowsE: unknown[][] = [];
  const rowsD: unknown[][] = [];
  for (let i = 0; i < SCALARS.length; i++) {
    const row = [0, 1, 2, 3, 4, 5].map((k) => SCALARS[(i + k) % SCALARS.length]!);
    rowsE.push(row.map((r) => r[0]));
    rowsD.push(row.map((r) => r[1]));
  }
  const cols6 = ['time', 'a', 'b', 'c', 'd', 'e'];
  add(
    response([{ name: 'cpu', tags: { host: 'h' }, columns: cols6, values: rowsE }], { partial: true }),
    response([{ name: 'cpu', tags: { host: 'h' }, columns: cols6, values: rowsD }], { partial: true }),
  );
  // 2. wide rows (20 columns: not the flat fast path), a row holding an array, 32-bit headers
  const wideCols = Array.from({ length: 20 }, (_, k) => `c${k}`);
  const wideRowE = wideCols.map((_, k) => SCALARS[k]![0]);
  const wideRowD = wideCols.map((_, k) => SCALARS[k]![1]);
  add(
    {
      wideMap: [
        [
          'results',
          {
            wide: [
              {
                statement_id: 1,
                series: [
                  { name: 'wide', columns: wideCols, values: { wide: [wideRowE, [1, [2, 3], 'x']] } },
                  { name: 'empty', columns: ['time'], values: [] },
                  { name: 'none', columns: ['time'] },
                ],
              },
            ],
          },
        ],
      ],
    },
    response(
      [
        { name: 'wide', columns: wideCols, values: [wideRowD, [1, [2, 3], 'x']] },
        { name: 'empty', columns: ['time'], values: [] },
        { name: 'none', columns: ['time'] },
      ],
      { statement_id: 1 },
    ),
  );
  // 3. many series, many distinct short strings (the string cache), a 70 kB string
  const many = Array.from({ length: 60 }, (_, k) => ({
    name: `m${k}`,
    tags: { host: `host-${k}`, region: `r${k % 7}` },
    columns: ['time', 'v', 's'],
    values: Array.from({ length: 40 }, (_, j) => [j, j / 4, `s-${k}-${j}-${'ab'.repeat(j % 20)}`]),
  }));
  add(response(many), response(many));
  add(
    response([{ name: 'big', columns: ['s'], values: [['é'.repeat(35_000)]] }]),
    response([{ name: 'big', columns: ['s'], values: [['é'.repeat(35_000)]] }]),
  );
  // 4. a statement error and an empty result
  add({ results: [{ statement_id: 2, error: 'boom' }] }, { results: [{ statement_id: 2, error: 'boom' }] });
  add({ results: [] }, { results: [] });
  return { bytes: Buffer.concat(enc.map(mp)), expected: expected as RawResponse[] };
}

async function decodeInPieces(bytes: Uint8Array, sizes: (i: number) => number): Promise<RawResponse[]> {
  const body = async function* () {
    for (let i = 0, k = 0; i < bytes.length; k++) {
      const n = Math.max(1, sizes(k));
      yield bytes.subarray(i, i + n);
      i += n;
    }
  };
  const got: RawResponse[] = [];
  for await (const r of parseChunkedResponse(body(), 'msgpack')) got.push(r);
  return got;
}

describe('msgpack stream decoding (values cut anywhere)', () => {
  const { bytes, expected } = sampleChunks();

  it('decodes the whole buffer exactly: int64 extremes, -0, NaN, times, strings, wide headers', async () => {
    const got = await decodeInPieces(bytes, () => bytes.length);
    expect(got).toEqual(expected);
    const row0 = got[0]!.results![0]!.series![0]!.values!;
    // toEqual treats -0 and 0 alike: check the sign and the bigint/number split directly
    const flatValues = row0.flat();
    expect(flatValues.some((v) => Object.is(v, -0))).toBe(true);
    expect(flatValues).toContain(2n ** 63n - 1n);
    expect(flatValues).toContain(2 ** 53 - 1);
    expect(flatValues.filter((v) => typeof v === 'bigint')).not.toContain(2n ** 53n - 1n);
  });

  it('gives the same values for pieces of any size', async () => {
    for (const n of [1, 2, 3, 5, 7, 13, 64, 1000, 4096, 65536]) {
      expect(await decodeInPieces(bytes, () => n)).toEqual(expected);
    }
    // irregular pieces
    expect(await decodeInPieces(bytes, (k) => (k * 7919) % 173)).toEqual(expected);
  });

  it('gives the same values for a cut at every byte of a chunk', async () => {
    const one = mp(
      response([
        {
          name: 'cpu',
          columns: ['time', 'a', 'b', 'c', 'd', 'e'],
          values: [
            SCALARS.slice(0, 6).map((s) => s[0]),
            SCALARS.slice(6, 12).map((s) => s[0]),
            SCALARS.slice(12, 18).map((s) => s[0]),
            SCALARS.slice(18, 24).map((s) => s[0]),
            SCALARS.slice(24, 30).map((s) => s[0]),
            SCALARS.slice(30, 36).map((s) => s[0]),
            SCALARS.slice(36, 42).map((s) => s[0]),
          ],
        },
      ]),
    );
    const two = Buffer.concat([one, one]);
    const whole = await decodeInPieces(two, () => two.length);
    expect(whole).toHaveLength(2);
    for (let cut = 1; cut < two.length; cut++) {
      expect(await decodeInPieces(two, (k) => (k === 0 ? cut : two.length))).toEqual(whole);
    }
  });

  it('decodeMsgpack gives the same values from a Buffer and from a plain Uint8Array', () => {
    const one = mp(response([{ name: 'cpu', columns: ['a', 'b'], values: [['é-x', { f64: -0 }]] }]));
    const u8 = new Uint8Array(one);
    expect(decodeMsgpack(u8)).toEqual(decodeMsgpack(one));
    expect(Object.is(decodeMsgpack(u8).results![0]!.series![0]!.values![0]![1], -0)).toBe(true);
  });

  it('short strings are exact whatever they share with earlier ones (the string cache)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 40, unit: 'grapheme-ascii' }), { maxLength: 200 }),
        (strs) => {
          const body = mp(response([{ name: 's', columns: ['s'], values: strs.map((s) => [s]) }]));
          const got = decodeMsgpack(body).results![0]!.series![0]!.values!.map((r) => r[0]);
          expect(got).toEqual(strs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a cut at any point before the end is an error naming the incomplete chunk', async () => {
    const one = mp(response([{ name: 'cpu', columns: ['time', 'v'], values: [[{ time: [1n, 5] }, 'abc']] }]));
    for (let cut = 1; cut < one.length; cut++) {
      await expect(decodeInPieces(one.subarray(0, cut), () => 3)).rejects.toThrow(
        new InfluxConnectionError(
          `the response ended in the middle of a chunk (${cut} bytes of an incomplete msgpack chunk)`,
        ),
      );
    }
    // cut after a whole chunk: that chunk is yielded, the rest is the error
    const two = Buffer.concat([one, one.subarray(0, 5)]);
    const seen: RawResponse[] = [];
    const err = await (async () => {
      const body = async function* () {
        yield two;
      };
      for await (const r of parseChunkedResponse(body(), 'msgpack')) seen.push(r);
    })().catch((e) => e);
    expect(seen).toHaveLength(1);
    expect(err).toBeInstanceOf(InfluxConnectionError);
  });

  it('bytes that are not msgpack InfluxDB writes are a server error', async () => {
    const bad = mp(response([{ name: 'x', columns: ['v', 'w'], values: [[1, null]] }]));
    bad[bad.lastIndexOf(0xc0)] = 0xc1; // never used in msgpack
    await expect(decodeInPieces(bad, () => 4)).rejects.toThrow(InfluxDBServerError);
    const ext = Buffer.from([0x91, 0xd4, 0x07, 0x00]); // fixext1 of type 7
    expect(() => decodeMsgpack(ext)).toThrow(/unsupported msgpack extension type 7/);
    expect(() => decodeMsgpack(Buffer.from([0x92, 0x01]))).toThrow(InfluxDBServerError);
  });
});
