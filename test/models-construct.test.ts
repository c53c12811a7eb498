import { IsIn, Length, Max, Min } from 'class-validator';
import { describe, expect, it } from 'vitest';

// Runs with legacy and with standard (TC39) decorators (vitest.config.ts): field types are explicit.
import {
  Field,
  getModelMetadata,
  InfluxBufferFullError,
  InfluxValidationError,
  Measurement,
  makeLines,
  SeriesModel,
  SeriesRegistry,
  Tag,
  Timestamp,
} from '../src/index.js';
import { MemorySink } from '../src/testing/index.js';
import { escapeMeasurement } from '../src/wire.js';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isolated(options: ConstructorParameters<typeof SeriesRegistry>[0] = {}) {
  const sink = new MemorySink();
  const registry = new SeriesRegistry({ sink, autocommit: false, ...options });
  return { sink, registry };
}

describe('constructing models', () => {
  it('keeps assigned values with definite-assignment fields and applies initialiser defaults', () => {
    const { registry } = isolated();
    @Measurement({ name: 'cpu_load', registry })
    class CpuLoad extends SeriesModel<CpuLoad, 'region'> {
      @Tag() host!: string;
      @Tag() region = 'eu';
      @Field('float') usage!: number;
      @Field({ type: 'integer' }) cores!: number;
      @Field('boolean') healthy!: boolean;
      @Timestamp() time?: Date;
    }
    const a = new CpuLoad({ host: 'a', usage: 0.5, cores: 4, healthy: true, region: 'us' });
    const b = new CpuLoad({ host: 'b', usage: 1, cores: 2, healthy: false });
    expect(a.host).toBe('a');
    expect(a.region).toBe('us');
    expect(b.region).toBe('eu');
    expect(a).toBeInstanceOf(CpuLoad);
    expect(a.time).toBeInstanceOf(Date);
    const lines = CpuLoad.pendingLines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^cpu_load,host=a,region=us cores=4i,healthy=true,usage=0\.5 \d{19}$/);
    // a whole float stays a float (no i suffix)
    expect(lines[1]).toMatch(/^cpu_load,host=b,region=eu cores=2i,healthy=false,usage=1 \d{19}$/);
    expect(JSON.parse(JSON.stringify(b))).toMatchObject({ host: 'b', region: 'eu', usage: 1, cores: 2 });
  });

  it('makes instances immutable (assignment, deletion and later definitions throw)', async () => {
    const { registry } = isolated();
    @Measurement({ name: 'imm', registry })
    class Imm extends SeriesModel<Imm> {
      @Tag() host!: string;
      @Field('float') v!: number;
    }
    @Measurement({ name: 'imm2', registry })
    class ImmDeclared extends SeriesModel<ImmDeclared> {
      @Tag() declare host: string;
      @Field({ type: 'float' }) declare v: number;
    }
    // Standard (TC39) decorators cannot decorate `declare` fields (TS1206): legacy only.
    const made = [new Imm({ host: 'a', v: 1 })];
    if (process.env.INFLUX_DECORATORS !== 'tc39') made.push(new ImmDeclared({ host: 'a', v: 1 }));
    for (const inst of made) {
      expect(() => {
        (inst as { host: string }).host = 'b';
      }).toThrow(TypeError);
      expect(() => {
        delete (inst as { host?: string }).host;
      }).toThrow(TypeError);
      await Promise.resolve();
      expect(Object.isFrozen(inst)).toBe(true);
      expect(() => Object.defineProperty(inst, 'host', { value: 'c' })).toThrow(TypeError);
      expect(inst.host).toBe('a');
    }
  });

  it('assigns strictly increasing nanosecond times when none is given', () => {
    const { registry } = isolated();
    @Measurement({ name: 't', registry })
    class T extends SeriesModel<T> {
      @Field('float') v!: number;
      @Timestamp({ type: 'bigint' }) time?: bigint;
    }
    const before = BigInt(Date.now()) * 1_000_000n;
    const made = Array.from({ length: 1000 }, (_, i) => new T({ v: i }));
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    for (let i = 1; i < made.length; i++) expect(made[i]!.time! > made[i - 1]!.time!).toBe(true);
    expect(made[0]!.time! >= before - 2_000_000n && made[999]!.time! <= after).toBe(true);
    const lines = T.pendingLines();
    expect(lines[5]).toBe(`t v=5 ${made[5]!.time}`);
    // an explicit time is kept exactly, before 1970 too
    new T({ v: 1, time: -1_234_567_890_123_456_789n });
    expect(T.pendingLines().at(-1)).toBe('t v=1 -1234567890123456789');
  });

  it('writes Date times and honours the class precision', () => {
    const { registry } = isolated();
    @Measurement({ name: 's', precision: 's', registry })
    class S extends SeriesModel<S> {
      @Field('float') v!: number;
      @Timestamp() time?: Date;
    }
    new S({ v: 1, time: new Date('2020-01-01T00:00:01.999Z') });
    new S({ v: 2, time: new Date('1969-12-31T23:59:59.500Z') });
    expect(S.pendingLines()).toEqual(['s v=1 1577836801', 's v=2 -1']);
    expect(makeLines(S.pending(), 's')).toBe('s v=1 1577836801\ns v=2 -1\n');
  });

  it('refuses bad values with a typed error naming class and property, and buffers nothing', () => {
    const { registry } = isolated();
    @Measurement({ name: 'bad', registry })
    class Bad extends SeriesModel<Bad> {
      @Tag() host!: string;
      @Field('float') usage!: number;
      @Field({ type: 'integer' }) n?: number;
      @Field({ type: 'string' }) note?: string;
    }
    const cases: Array<[unknown, string, RegExp]> = [
      [{ host: 'a', usage: Number.NaN }, 'usage', /finite/],
      [{ host: 'a', usage: Number.POSITIVE_INFINITY }, 'usage', /finite/],
      [{ host: 'a', usage: '1' }, 'usage', /expected a number \(float\), got string/],
      [{ host: 'a', usage: 1, n: 1.5 }, 'n', /not a safe integer/],
      [{ host: 'a', usage: 1, n: 2n ** 63n }, 'n', /int64/],
      [{ host: 'a\nb', usage: 1 }, 'host', /newline/],
      [{ host: 'a\\', usage: 1 }, 'host', /backslash/],
      [{ host: 5, usage: 1 }, 'host', /tag must be a string/],
      [{ host: 'a' }, undefined as unknown as string, /no field with a value/],
      [{ host: 'a', usage: 1, hots: 'typo' }, 'hots', /not a tag, field or timestamp/],
    ];
    for (const [values, property, message] of cases) {
      let error: unknown;
      try {
        new Bad(values as never);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(String(values))).toBeInstanceOf(InfluxValidationError);
      const v = error as InfluxValidationError;
      expect(v.where).toBe('Bad');
      expect(v.property).toBe(property);
      expect(v.message).toMatch(message);
    }
    expect(() => new Bad(null as never)).toThrow(/expects an object/);
    expect(Bad.pendingLines()).toEqual([]);
    // a string field carries quotes, backslashes and newlines
    new Bad({ host: 'a b,c=d', usage: 0.1, note: 'say "hi"\\\nbye' });
    expect(Bad.pendingLines()).toEqual([
      'bad,host=a\\ b\\,c\\=d note="say \\"hi\\"\\\\\nbye",usage=0.1 ' + Bad.pending()[0]!.time,
    ]);
  });

  it('carries unicode and raw newlines in string fields through the byte buffer to the sink', async () => {
    const { registry, sink } = isolated();
    @Measurement({ name: 'uni', registry })
    class Uni extends SeriesModel<Uni> {
      @Tag() city!: string;
      @Field({ type: 'string' }) note!: string;
      @Timestamp({ type: 'bigint' }) time?: bigint;
    }
    new Uni({ city: 'zürich', note: 'line1\nline2 🎉 "q"', time: 1n });
    new Uni({ city: 'a b', note: 'x', time: 2n });
    const pending = Uni.pendingLines();
    expect(pending).toEqual([
      'uni,city=zürich note="line1\nline2 🎉 \\"q\\"" 1',
      'uni,city=a\\ b note="x" 2',
    ]);
    await registry.flush();
    expect(sink.lines(Uni)).toEqual(pending);
    expect(sink.commits()[0]!.batch.body).toBe(`${pending.join('\n')}\n`);
  });

  it('keeps int64 and bigint integer fields exact', () => {
    const { registry } = isolated();
    @Measurement({ name: 'big', registry })
    class Big extends SeriesModel<Big> {
      @Field({ type: 'integer', integerAs: 'bigint' }) bytes!: bigint;
      @Timestamp({ type: 'bigint' }) time?: bigint;
    }
    new Big({ bytes: 2n ** 63n - 1n, time: 1n });
    new Big({ bytes: -(2n ** 63n), time: 2n });
    expect(Big.pendingLines()).toEqual([
      'big bytes=9223372036854775807i 1',
      'big bytes=-9223372036854775808i 2',
    ]);
    expect(getModelMetadata(Big).fields[0]).toMatchObject({ type: 'integer', integerAs: 'bigint' });
  });

  it('fills measurement name templates from the instance', () => {
    const { registry } = isolated();
    @Measurement({ name: 'events.stats.{serverName}', registry })
    class Ev extends SeriesModel<Ev> {
      @Tag() serverName!: string;
      @Field({ type: 'integer' }) someStat!: number;
    }
    new Ev({ serverName: 'us.east-1', someStat: 159 });
    new Ev({ serverName: 'fr paris,10', someStat: 158 });
    const lines = Ev.pendingLines();
    expect(lines[0]).toMatch(/^events\.stats\.us\.east-1,serverName=us\.east-1 someStat=159i \d+$/);
    // the filled name is escaped by the shared line-protocol rules (src/line-protocol/escape.ts)
    expect(lines[1]).toMatch(
      new RegExp(
        `^${escapeRe(escapeMeasurement('events.stats.fr paris,10'))},serverName=fr\\\\ paris\\\\,10 someStat=158i \\d+$`,
      ),
    );
    expect(() => new Ev({ someStat: 1 } as never)).toThrow(/serverName: is a required tag/);
    expect(() => new Ev({ serverName: '', someStat: 1 })).toThrow(
      /serverName: is empty, but the measurement name/,
    );
    expect(Ev.pending()[0]).toMatchObject({
      measurement: 'events.stats.us.east-1',
      tags: { serverName: 'us.east-1' },
    });
  });

  // class-validator's decorators are legacy (experimentalDecorators) decorators only.
  it.skipIf(process.env.INFLUX_DECORATORS === 'tc39')(
    'runs class-validator constraints and names the constraint',
    () => {
      const { registry } = isolated();
      @Measurement({ name: 'cv', registry })
      class Cv extends SeriesModel<Cv> {
        @Tag() @IsIn(['eu', 'us']) region!: string;
        @Tag() @Length(1, 5) host!: string;
        @Field('float') @Min(0) @Max(1) usage!: number;
      }
      new Cv({ region: 'eu', host: 'a', usage: 0.5 });
      const tries: Array<[object, string, string]> = [
        [{ region: 'asia', host: 'a', usage: 0.5 }, 'region', 'isIn'],
        [{ region: 'eu', host: 'abcdef', usage: 0.5 }, 'host', 'isLength'],
        [{ region: 'eu', host: 'a', usage: 1.5 }, 'usage', 'max'],
      ];
      for (const [values, property, constraint] of tries) {
        try {
          new Cv(values as never);
          expect.unreachable();
        } catch (e) {
          expect(e).toBeInstanceOf(InfluxValidationError);
          expect((e as InfluxValidationError).property).toBe(property);
          expect((e as InfluxValidationError).constraint).toBe(constraint);
          expect((e as Error).message).toMatch(/^Cv\./);
        }
      }
      expect(Cv.pendingLines()).toHaveLength(1);
    },
  );

  it('throws InfluxBufferFullError at maxPending and buffers nothing', () => {
    const { registry } = isolated({ maxPending: 3 });
    @Measurement({ name: 'full', registry })
    class Full extends SeriesModel<Full> {
      @Field('float') v!: number;
    }
    for (let i = 0; i < 3; i++) new Full({ v: i });
    expect(() => new Full({ v: 3 })).toThrow(InfluxBufferFullError);
    expect(registry.pendingCount).toBe(3);
    expect(Full.reset()).toBe(3);
    expect(registry.pendingCount).toBe(0);
    new Full({ v: 4 });
    expect(Full.pendingLines()).toHaveLength(1);
  });

  it('hydrates frozen instances that are not buffered', () => {
    const { registry } = isolated();
    @Measurement({ name: 'h', registry })
    class H extends SeriesModel<H> {
      @Tag() host!: string;
      @Field('float') v!: number;
      @Timestamp() time?: Date;
    }
    const meta = getModelMetadata(H);
    const inst = meta.hydrate({ host: 'x', v: 2, time: new Date(0) });
    expect(inst).toBeInstanceOf(H);
    expect(Object.isFrozen(inst)).toBe(true);
    expect(inst.host).toBe('x');
    expect(H.pendingLines()).toEqual([]);
    expect(registry.pendingCount).toBe(0);
  });
});
