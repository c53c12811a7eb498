/**
 * Compile-time behaviour of the query builder: result types follow the select, tags and fields
 * are told apart for models that mark their tags (`Tag` in decorator classes, every
 * `defineMeasurement` class), and mistakes are compile errors whose messages name them.
 *
 * The `@ts-expect-error` lines are checked by `npm run typecheck` (CI); the messages are pinned by
 * compiling a snippet with the TypeScript compiler API at the end of this file. Each mistake also
 * throws at run time (for plain JS callers).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { InfluxValidationError } from '../src/errors.js';
import { defineMeasurement } from '../src/models/define-measurement.js';
import { getModelMetadata } from '../src/models/metadata-builder.js';
import {
  count,
  distinct,
  field,
  first,
  max,
  mean,
  mul,
  QueryBuilder,
  type QueryResult,
  sum,
  time,
} from '../src/query/index.js';

@Measurement('cpu_types')
class Cpu {
  @Tag() host!: Tag;
  @Tag() region!: Tag<'eu' | 'us'>;
  @Field() usage!: number;
  @Field({ type: 'integer' }) cores!: number;
  @Field({ type: 'integer', integerAs: 'bigint' }) bytes!: bigint;
  @Field({ type: 'string' }) note!: string;
  @Timestamp() time?: Date;
  describe(): string {
    return `${this.host} ${this.usage}`;
  }
}

const Load = defineMeasurement({
  name: 'load_types',
  tags: ['host'],
  fields: { value: 'float', count: 'integer' },
  timestamp: 'time',
});
type Load = InstanceType<typeof Load>;

/** A model that does not mark its tags: no tag/field split at compile time (run-time checks only). */
@Measurement('plain_types')
class Plain {
  @Tag() host!: string;
  @Field() usage!: number;
  @Timestamp() time?: Date;
}

const q = () => QueryBuilder.create(getModelMetadata(Cpu));
const lq = () => QueryBuilder.create(getModelMetadata(Load as unknown as new () => Load));
const pq = () => QueryBuilder.create(getModelMetadata(Plain));

type Rows<B> = B extends QueryBuilder<infer T, infer S, infer G, string> ? QueryResult<T, S, G>[] : never;

describe('result types follow the select', () => {
  it('no select, select() and select("*") give model instances', () => {
    expectTypeOf<Rows<ReturnType<typeof q>>>().toEqualTypeOf<Cpu[]>();
    const none = q().select();
    const star = q().select('*');
    expectTypeOf<Rows<typeof none>>().toEqualTypeOf<Cpu[]>();
    expectTypeOf<Rows<typeof star>>().toEqualTypeOf<Cpu[]>();
    expect(none.rowPlan().rows).toBe(false);
    expect(star.toInfluxQL().query).toBe(q().toInfluxQL().query);
    expect(star.toInfluxQL().query).toBe(
      'SELECT "host"::tag, "region"::tag, "usage"::field, "cores"::field, "bytes"::field, "note"::field FROM "cpu_types"',
    );
  });

  it('a partial select gives rows of exactly the selected properties plus time', () => {
    const one = q().select('usage');
    expectTypeOf<Rows<typeof one>>().toEqualTypeOf<{ time: Date; usage: number }[]>();
    expectTypeOf<Rows<typeof one>[number]>().branded.toEqualTypeOf<Pick<Cpu, 'usage'> & { time: Date }>();
    expect(one.rowPlan().rows).toBe(true);

    // a tag and one field: neither can be null (a missing tag reads as '')
    const withTag = q().select('usage', 'host');
    expectTypeOf<Rows<typeof withTag>[number]>().toEqualTypeOf<{ time: Date; usage: number; host: Tag }>();

    // several fields: a point may lack one of them
    const two = q().select('usage', 'bytes', 'region');
    expectTypeOf<Rows<typeof two>[number]>().toEqualTypeOf<{
      time: Date;
      usage: number | null;
      bytes: bigint | null;
      region: Tag<'eu' | 'us'>;
    }>();
  });

  it('group-by tags come back in rows', () => {
    const grouped = q().select('usage').groupBy('host');
    expectTypeOf<Rows<typeof grouped>[number]>().toEqualTypeOf<{ time: Date; usage: number; host: Tag }>();
    const agg = q()
      .select(mean('usage').as('avg'), max('bytes'), count('note'), field('region').as('r'))
      .groupBy(time('5m'), 'host');
    expectTypeOf<Rows<typeof agg>[number]>().toEqualTypeOf<{
      time: Date;
      host: Tag;
      avg: number | null;
      max: bigint | null;
      count: number | null;
      r: Tag<'eu' | 'us'> | null;
    }>();
  });

  it('defineMeasurement classes: the same split, tags still typed string on the instance', () => {
    expectTypeOf<Load['host']>().toEqualTypeOf<string>();
    const r = lq().select('value', 'host').groupBy('host');
    expectTypeOf<Rows<typeof r>[number]>().toEqualTypeOf<{ time: Date; host: string; value: number }>();
    // @ts-expect-error host is a tag of Load
    expect(() => lq().select(mean('host'))).toThrow(InfluxValidationError);
    // @ts-expect-error value is a field of Load
    expect(() => lq().select(mean('value')).groupBy('value')).toThrow(InfluxValidationError);
  });
});

describe('tags and fields at compile time (each also refused at run time)', () => {
  it('aggregates, selectors and arithmetic take fields only', () => {
    q().select(mean('usage'), sum('cores'), first('note'), mul('usage', 100).as('pct'), count('usage'));
    // @ts-expect-error host is a tag
    expect(() => q().select(mean('host')).toInfluxQL()).toThrow(InfluxValidationError);
    // @ts-expect-error count of a tag: InfluxQL counts field values
    expect(() => q().select(count('host')).toInfluxQL()).toThrow(InfluxValidationError);
    // @ts-expect-error distinct of a tag (InfluxQL 1.x: use SHOW TAG VALUES, or a subquery)
    expect(() => q().select(distinct('region')).toInfluxQL()).toThrow(InfluxValidationError);
    // @ts-expect-error arithmetic on a tag
    expect(() => q().select(mul('host', 2).as('x')).toInfluxQL()).toThrow(InfluxValidationError);
  });

  it('count/distinct of a subquery column (a tag selected inside) is allowed, as in InfluxQL', () => {
    const inner = q().select('usage', 'host');
    const outer = q()
      .from(inner)
      .select(count(distinct('host')).as('hosts'));
    expect(outer.toInfluxQL().query).toBe(
      'SELECT count(distinct("host"::tag)) AS "hosts" FROM (SELECT "usage"::field, "host"::tag FROM "cpu_types")',
    );
  });

  it('groupBy takes tags, time() and * only', () => {
    q().select(mean('usage')).groupBy(time('1m'), 'host', 'region');
    q().select(mean('usage')).groupBy('*');
    // @ts-expect-error usage is a field
    expect(() => q().select(mean('usage')).groupBy('usage')).toThrow(/InfluxDB groups by tags only/);
    // @ts-expect-error the timestamp is not a tag
    expect(() => q().select(mean('usage')).groupBy('time')).toThrow(InfluxValidationError);
  });

  it('where: a tag takes strings or a regex, a field its value type', () => {
    q().where('host', '=', 'web-1').where('host', '=~', /^web-/).where('region', '!=', 'eu');
    q().where('usage', '>', 0.5).where('bytes', '>=', 10n).where('note', '=~', /x/).where('note', '=', 'x');
    q().where('time', '>=', new Date(0)).where('time', '<', 'now() - 1h');
    // @ts-expect-error a tag is compared with a string
    expect(() => q().where('host', '=', 5)).not.toThrow(); // plain JS: a number is written as its text
    // @ts-expect-error 'as' is not one of the declared region values
    q().where('region', '=', 'as');
    // @ts-expect-error tags are not ordered in InfluxQL
    expect(() => q().where('host', '>', 'a')).toThrow(/tags are compared with/);
    // @ts-expect-error the value is wrong: cores is a number
    expect(() => q().where('cores', '=', 'four')).toThrow(/cannot be compared with string/);
    // @ts-expect-error misspelled property
    expect(() => q().where('hots', '=', 'a')).toThrow(/is not a tag or field/);
    // @ts-expect-error time takes no regex
    expect(() => q().where('time', '=~', /x/)).toThrow(InfluxValidationError);
  });

  it('a model that does not mark its tags keeps the run-time checks only', () => {
    // compiles (host is not known to be a tag), refused when built
    expect(() => pq().select(mean('host'))).toThrow(InfluxValidationError);
    expect(() => pq().select(mean('usage')).groupBy('usage')).toThrow(InfluxValidationError);
    // misspellings are still compile errors
    // @ts-expect-error misspelled property
    expect(() => pq().select('usag')).toThrow(InfluxValidationError);
  });
});

// --- the messages ---------------------------------------------------------------------------------

const here = dirname(fileURLToPath(import.meta.url));

/** Type-checks `source` as a file in test/ and returns `line → message` of its errors. */
function compileErrors(source: string): Map<number, string> {
  const configPath = join(here, '..', 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('tsconfig.json not readable');
  const file = join(here, '__query_type_errors__.ts');
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError) =>
    name === file ? ts.createSourceFile(name, source, lang) : read(name, lang, onError);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], { ...config.options, noEmit: true }, host);
  const sf = program.getSourceFile(file)!;
  const out = new Map<number, string>();
  for (const d of program.getSemanticDiagnostics(sf)) {
    const line = sf.getLineAndCharacterOfPosition(d.start ?? 0).line + 1;
    out.set(line, ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
  return out;
}

describe('compile errors name the mistake', () => {
  it('pins each message', { timeout: 120_000 }, () => {
    const cases: [code: string, message: RegExp][] = [
      ["q.select('usag');", /select\('usag'\): not a tag or field of the model; use one of: .*usage/],
      ["q.select(mean('host'));", /'host' is a tag; functions and arithmetic take fields: .*usage/],
      ["q.select(mean('usag'));", /'usag' is not a field of the model/],
      ["q.select(count('region'));", /'region' is a tag/],
      [
        "q.groupBy('usage');",
        /groupBy\('usage'\): a field; group by tags \((host, region|region, host)\), time\(\.\.\.\) or '\*'/,
      ],
      ["q.groupBy('hots');", /groupBy\('hots'\): not a tag of the model/],
      ["q.where('hots', '=', 'a');", /where\('hots'\): not a property of the model; use one of: .*host/],
      ["q.where('host', '>', 'a');", /'host' is a tag; tags are compared with =, !=, <>, =~, !~/],
      ["q.where('time', '=~', /x/);", /time is compared with =/],
      // the value is blamed, not the property
      [
        "q.where('cores', '=', 'four');",
        /^Argument of type 'string' is not assignable to parameter of type 'number'/,
      ],
      [
        "q.where('host', '=', 5);",
        /^Argument of type 'number' is not assignable to parameter of type 'string'/,
      ],
    ];
    const source = [
      "import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';",
      "import { count, mean, QueryBuilder } from '../src/query/index.js';",
      "import { getModelMetadata } from '../src/models/metadata-builder.js';",
      "@Measurement('cpu') class Cpu {",
      '  @Tag() host!: Tag; @Tag() region!: Tag<"eu" | "us">;',
      "  @Field() usage!: number; @Field({ type: 'integer' }) cores!: number; @Timestamp() time?: Date;",
      '}',
      'const q = QueryBuilder.create(getModelMetadata(Cpu));',
      ...cases.map((c) => c[0]),
    ].join('\n');
    const errors = compileErrors(source);
    const first = 9;
    cases.forEach(([code, message], i) => {
      const got = errors.get(first + i);
      expect(got, code).toMatch(message);
    });
    expect(errors.size, [...errors.values()].join('\n')).toBe(cases.length);
  });
});
