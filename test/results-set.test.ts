import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { InfluxConnectionError, InfluxDBClientError } from '../src/errors.js';
import { nanosToRfc3339 } from '../src/line-protocol/time.js';
import { parseChunkedResponse } from '../src/results/chunk-parser.js';
import { parseJsonExact } from '../src/results/json-decoder.js';
import { decodeMsgpack, msgpackTimeToRfc3339 } from '../src/results/msgpack-decoder.js';
import { MsgpackFramer } from '../src/results/msgpack-framer.js';
import type { RawResponse } from '../src/results/response-format.js';
import { type RawResult, ResultSet } from '../src/results/result-set.js';

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
      expect((e as InfluxDBClientError).code).toBeUndefined();
    }
    expect(new ResultSet(input, false).error).toBe('Big error, many problems.');
  });

  it('pointFromColsVals', () => {
    expect(ResultSet.pointFromColsVals(['a', 'b'], [1, 'x'])).toEqual({ a: 1, b: 'x' });
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
    const ext = (sec: bigint, ns: number) => {
      const b = Buffer.alloc(15);
      b[0] = 0xc7;
      b[1] = 12;
      b[2] = 5;
      b.writeBigInt64BE(sec, 3);
      b.writeUInt32BE(ns, 11);
      return b;
    };
    const arr = Buffer.concat([
      Buffer.from([0x93]),
      ext(1257894000n, 123456789),
      ext(-1n, 500_000_000),
      ext(0n, 0),
    ]);
    expect(decodeMsgpack(arr)).toEqual([
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
    const packr = new Packr({ useRecords: false, int64AsType: 'bigint' });
    const body = packr.pack({
      results: [
        {
          statement_id: 0,
          series: [{ name: 'm', columns: ['time', 'i', 'f'], values: [[5n, 2n ** 63n - 1n, 1.5]] }],
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

  it('MsgpackFramer finds object ends across any split of the bytes', () => {
    const packr = new Packr({ useRecords: false });
    const objs = [
      {
        results: [
          {
            statement_id: 0,
            series: [{ name: 'a', columns: ['x'], values: [[1], ['s'.repeat(300)], [1.5]] }],
          },
        ],
      },
      {
        results: [
          {
            statement_id: 0,
            series: [{ name: 'b', columns: ['x'], values: Array.from({ length: 70000 }, (_, i) => [i]) }],
          },
        ],
      },
      { results: [] },
    ];
    const bytes = Buffer.concat(objs.map((o) => packr.pack(o)));
    for (const step of [1, 7, 100, 4096, bytes.length]) {
      const framer = new MsgpackFramer();
      const ends: number[] = [];
      let start = 0;
      for (let end = step; start < bytes.length; end = Math.min(bytes.length, end + step)) {
        for (;;) {
          const e = framer.scan(bytes.subarray(start, end));
          if (e < 0) break;
          start += e;
          ends.push(start);
          if (start === end) break;
        }
        if (end === bytes.length) break;
      }
      expect(ends.length).toBe(3);
      expect(ends[2]).toBe(bytes.length);
    }
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
    const packr = new Packr({ useRecords: false });
    const chunk = (i: number) => ({
      results: [{ statement_id: 0, series: [{ name: 'm', columns: ['v'], values: [[i], [i + 0.5]] }] }],
    });
    const bytes = Buffer.concat([packr.pack(chunk(1)), packr.pack(chunk(2)), packr.pack(chunk(3))]);
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
