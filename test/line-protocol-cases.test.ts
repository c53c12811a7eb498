/**
 * The LP* cases of ../shared/reference/influxdb-python-cases.json (what influxdb-python 5.3.1
 * produced), asserted against makeLines / quoteIdent / quoteLiteral. Where DESIGN.md's fidelity
 * rules demand a departure, the test asserts our behaviour and says why.
 *
 * Systematic departures (DESIGN.md "Fidelity"):
 * - a JS number is always a FLOAT (`1`, not `1i`); integers are bigint (`1n` -> `1i`), because
 *   guessing integers from whole numbers corrupts float series holding whole values;
 * - booleans are written `true`/`false` (InfluxDB reads both spellings; ours is canonical);
 * - backslashes in names and tags are NOT doubled: InfluxDB 1.x keeps them literally, so doubling
 *   stores two backslashes (measured, see line-protocol-roundtrip.test.ts);
 * - nanoseconds are kept (Python truncated RFC3339 strings to microseconds);
 * - what InfluxDB cannot store is refused with InfluxValidationError instead of being sent.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InfluxValidationError } from '../src/errors.js';
import { quoteIdent, quoteLiteral } from '../src/influxql/literals.js';
import { makeLines, type Point, type Precision } from '../src/line-protocol/index.js';

interface Case {
  id: string;
  input: unknown;
  expected: unknown;
}
const cases: Case[] = JSON.parse(
  readFileSync(new URL('./fixtures/influxdb-python-cases.json', import.meta.url), 'utf8'),
);
const lp = (id: string): Case => {
  const c = cases.find((x) => x.id === id);
  if (!c) throw new Error(`case ${id} missing from the reference file`);
  return c;
};

describe('influxdb-python LP cases', () => {
  it('the reference file holds LP01..LP14', () => {
    expect(cases.filter((c) => c.id.startsWith('LP')).map((c) => c.id)).toEqual(
      Array.from({ length: 14 }, (_, i) => `LP${String(i + 1).padStart(2, '0')}`),
    );
  });

  it('LP01: static tags (empty/None dropped, ints stringified), field types; trailing backslash refused', () => {
    const c = lp('LP01');
    expect(c.expected).toBe(
      'test,backslash_tag=C:\\\\,integer_tag=2,string_tag=hello bool_val=True,float_val=1.1,int_val=1i,string_val="hello!"\n',
    );
    // Python doubles the backslash of `C:\`, and the server rejects the line ("invalid tag format",
    // per the case's note). A tag value ending in a backslash cannot be stored: refused, naming it.
    const body = {
      tags: { empty_tag: '', none_tag: null, backslash_tag: 'C:\\', integer_tag: 2, string_tag: 'hello' },
      points: [
        {
          measurement: 'test',
          fields: { string_val: 'hello!', int_val: 1n, float_val: 1.1, none_field: null, bool_val: true },
        },
      ],
    };
    expect(() => makeLines(body)).toThrow(
      expect.objectContaining({
        name: 'InfluxValidationError',
        where: 'points[0]',
        property: 'backslash_tag',
      }),
    );
    // Everything else matches Python, with `true` for `True` and bigint for the integer.
    const { backslash_tag: _drop, ...tags } = body.tags;
    expect(makeLines({ ...body, tags })).toBe(
      'test,integer_tag=2,string_tag=hello bool_val=true,float_val=1.1,int_val=1i,string_val="hello!"\n',
    );
  });

  it('LP02: time as int / RFC3339 / naive (=UTC) / aware datetimes', () => {
    const c = lp('LP02');
    // JS has no naive/aware datetimes; their equivalents are RFC3339 strings with and without
    // an offset (no offset = UTC, as Python does with naive datetimes) and Dates.
    const times = [
      0n,
      '2009-11-10T23:00:00.123456Z',
      '2009-11-10T23:00:00.123456',
      '2009-11-10T23:00:00.123456+00:00',
      '2009-11-10T23:00:00.123456+01:00', // Europe/Berlin wall time in November
      '2009-11-10T17:00:00.123456-05:00', // the same instant in US/Eastern
    ];
    const out = makeLines(times.map((time) => ({ measurement: 'A', fields: { val: 1n }, time })));
    expect(out).toBe(c.expected);
  });

  it('LP03: a newline in a string field is kept raw (Python writes the two characters \\n)', () => {
    const c = lp('LP03');
    expect(c.expected).toBe('m1 multi_line="line1\\nline1\\nline3"\n');
    // Departure: InfluxDB stores a raw newline inside quotes and gives it back; Python's `\n` is
    // stored as backslash + n, altering the value (the case's own note says so).
    expect(makeLines([{ measurement: 'm1', fields: { multi_line: 'line1\nline1\nline3' } }])).toBe(
      'm1 multi_line="line1\nline1\nline3"\n',
    );
  });

  it('LP04: a newline in a tag value is refused (Python writes \\n, stored as backslash + n)', () => {
    const c = lp('LP04');
    expect(c.expected).toBe('test,t1=line1\\nline2 val="hello"\n');
    expect(() =>
      makeLines({
        tags: { t1: 'line1\nline2' },
        points: [{ measurement: 'test', fields: { val: 'hello' } }],
      }),
    ).toThrow(expect.objectContaining({ name: 'InfluxValidationError', where: 'points[0]', property: 't1' }));
  });

  it('LP05: an empty string field is kept as ""', () => {
    expect(makeLines([{ measurement: 'test', fields: { string: '' } }])).toBe(lp('LP05').expected);
  });

  it('LP06: unicode tags and fields; a single quote is not escaped in tags', () => {
    const out = makeLines({
      tags: { unicode_tag: "'Привет!'" },
      points: [{ measurement: 'test', fields: { unicode_val: 'Привет!' } }],
    });
    expect(out).toBe(lp('LP06').expected);
  });

  it('LP07: floats use the shortest round-trip text', () => {
    expect(makeLines([{ measurement: 'test', fields: { float_val: 1.0000000000000009 } }])).toBe(
      lp('LP07').expected,
    );
  });

  it('LP08: Decimal -> its float (JS has no Decimal; the number is the float it rounds to)', () => {
    expect(makeLines([{ measurement: 'test', fields: { float_val: 0.8289445733333332 } }])).toBe(
      lp('LP08').expected,
    );
  });

  it('LP09: precision conversion of an RFC3339 time, every precision', () => {
    const c = lp('LP09');
    const expected = c.expected as Record<string, string>;
    const point: Point = {
      measurement: 'cpu_load_short',
      tags: { host: 'server01', region: 'us-west' },
      time: '2009-11-10T23:00:00.123456Z',
      fields: { value: 0.64 },
    };
    for (const p of ['n', 'u', 'ms', 's', 'm', 'h'] as Precision[]) {
      expect(makeLines([point], p), p).toBe(expected[p]);
    }
    // No precision given: nanoseconds, as Python's None.
    expect(makeLines([point])).toBe(expected.None);
  });

  it('LP10: the escaping matrix — departs: backslashes kept single, `=` and `"` raw in measurements, `\\n` refused', () => {
    const c = lp('LP10');
    expect(c.expected).toBe(
      'a\\ b\\,c\\=d\\\\e\\nf"g,k\\ e\\,y\\=\\\\=v\\ a\\,l\\=ue\\\\x f\\ k\\,e\\=y="q\\"u\\\\o\'t",i=1i 1\n',
    );
    // Python's line is rejected by the server (its tag key ends in a backslash). Each component:
    // the measurement holds a newline -> refused.
    const point: Point = {
      measurement: 'a b,c=d\\e\nf"g',
      tags: { 'k e,y=\\': 'v a,l=ue\\x' },
      fields: { 'f k,e=y': 'q"u\\o\'t', i: 1n },
      time: 1n,
    };
    expect(() => makeLines([point])).toThrow(
      expect.objectContaining({ name: 'InfluxValidationError', property: 'measurement' }),
    );
    // Without the newline the measurement still has `\e`, which is fine (a backslash before an
    // ordinary character is literal); the tag key ending in a backslash is refused.
    expect(() => makeLines([{ ...point, measurement: 'a b,c=d\\ef"g' }])).toThrow(
      expect.objectContaining({ name: 'InfluxValidationError', property: 'k e,y=\\' }),
    );
    // Dropping the trailing backslash from the tag key (as the case's note does), each part is
    // written the way InfluxDB 1.6.7 reads back intact: single backslashes, `=` and `"` raw in the
    // measurement, `"` escaped in field keys, `\` and `"` escaped in strings.
    expect(makeLines([{ ...point, measurement: 'a b,c=d\\ef"g', tags: { 'k e,y=': 'v a,l=ue\\x' } }])).toBe(
      'a\\ b\\,c=d\\ef"g,k\\ e\\,y\\==v\\ a\\,l\\=ue\\x f\\ k\\,e\\=y="q\\"u\\\\o\'t",i=1i 1\n',
    );
  });

  it('LP11: ordering, point tags over body tags, empty/None dropped, non-string tags stringified', () => {
    const c = lp('LP11');
    expect(c.expected).toBe('m,B=x,_=y,b=True,f=1.5,host=point,zone=z1 A=2.0,a=False,z=1i\n');
    const out = makeLines({
      tags: { host: 'static', zone: 'z1' },
      points: [
        {
          measurement: 'm',
          tags: { host: 'point', B: 'x', _: 'y', n: null, e: '', b: true, f: 1.5 },
          fields: { z: 1n, A: 2.0, none: null, a: false },
        },
      ],
    });
    // Departures: booleans `true`/`false` (tag `b` is String(true)); the float 2.0 is written
    // `2` — still a FLOAT to InfluxDB (no `i`), and the shortest text for it.
    expect(out).toBe('m,B=x,_=y,b=true,f=1.5,host=point,zone=z1 A=2,a=false,z=1i\n');
  });

  it('LP12: int time unchanged; ns kept (not truncated); no fields refused; big ints as bigint', () => {
    const c = lp('LP12');
    expect(c.expected).toBe(
      'm v=1i 1257894000\nm v=2i 1257894000\nm v=3i\nm\nm big=100000000000000000000i,e=1e+16,neg0=-0.0,small=1e-07\n',
    );
    const points: Point[] = [
      { measurement: 'm', fields: { v: 1n }, time: 1257894000 },
      { measurement: 'm', fields: { v: 2n }, time: '2009-11-10T23:00:00.123456789Z' },
      { measurement: 'm', fields: { v: 3n }, time: null },
    ];
    // Same as Python for these three (precision s: the string is floored to the second).
    expect(makeLines(points, 's')).toBe('m v=1i 1257894000\nm v=2i 1257894000\nm v=3i\n');
    // And with ns precision the nanoseconds survive (Python cuts them to microseconds).
    expect(makeLines([points[1] as Point], 'n')).toBe('m v=2i 1257894000123456789\n');
    // Departure: a point without fields is refused (Python sends the bare `m`, which InfluxDB
    // rejects with "missing fields").
    expect(() => makeLines([{ measurement: 'm', fields: { a: null } }])).toThrow(
      expect.objectContaining({ name: 'InfluxValidationError', where: 'points[0]', property: 'fields' }),
    );
    // Departure: 10^20 exceeds int64 (InfluxDB rejects it); refused. -0.0 keeps its sign as `-0`;
    // 1e16 and 1e-7 are written in JS's shortest form, which InfluxDB parses to the same doubles.
    expect(() => makeLines([{ measurement: 'm', fields: { big: 100000000000000000000n } }])).toThrow(
      expect.objectContaining({ name: 'InfluxValidationError', property: 'big' }),
    );
    expect(makeLines([{ measurement: 'm', fields: { neg0: -0.0, e: 1e16, small: 1e-7 } }])).toBe(
      'm e=10000000000000000,neg0=-0,small=1e-7\n',
    );
  });

  it('LP13: quoteIdent / quoteLiteral', () => {
    const c = lp('LP13');
    const inputs = c.input as string[];
    const expected = c.expected as { quote_ident: string[]; quote_literal: string[] };
    expect(inputs.map((s) => quoteIdent(s))).toEqual(expected.quote_ident);
    expect(quoteLiteral(inputs[0] as string)).toBe(expected.quote_literal[0]);
    // The second literal in the reference was produced from "it's \ ok".
    expect(quoteLiteral("it's \\ ok")).toBe(expected.quote_literal[1]);
  });

  it('LP14: invalid times raise (InfluxValidationError naming the point and `time`)', () => {
    const c = lp('LP14');
    expect(Object.keys(c.expected as object)).toHaveLength(3);
    // 1.5 (not an integer), a date without a time (not RFC3339), and garbage.
    for (const time of [1.5, '2009-11-10', 'not a date']) {
      let err: unknown;
      try {
        makeLines([{ measurement: 'm', fields: { v: 1 }, time }]);
      } catch (e) {
        err = e;
      }
      expect(err, String(time)).toBeInstanceOf(InfluxValidationError);
      expect(err).toMatchObject({ where: 'points[0]', property: 'time' });
    }
  });
});
