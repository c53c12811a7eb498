/**
 * The one construction path of models, required tags, subclassing, the `bulkSize` warning and
 * `Repository.write` bypassing the buffer. Runs twice (vitest.config.ts): with legacy decorators
 * (`experimentalDecorators`, as NestJS uses) and with standard TC39 decorators (the TypeScript 5+
 * default), so every model here declares its field types explicitly.
 */
import { inspect, types } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CommitBatch,
  createRepository,
  defineMeasurement,
  Field,
  getModelMetadata,
  InfluxDBClient,
  Measurement,
  makeLines,
  SeriesModel,
  SeriesRegistry,
  Tag,
  Timestamp,
} from '../src/index.js';
import { MemorySink } from '../src/testing/index.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';
import { validationError } from './helpers/validation-error.js';

const STANDARD = process.env.INFLUX_DECORATORS === 'tc39';
const METADATA = (Symbol as unknown as { metadata: symbol }).metadata;

function isolated() {
  const sink = new MemorySink();
  const registry = new SeriesRegistry({ sink, autocommit: false });
  return { sink, registry };
}

const caught = validationError;

describe(`models, ${STANDARD ? 'standard (TC39)' : 'legacy'} decorators`, () => {
  it('runs under the decorator standard the project says', () => {
    class Probe {
      @Tag() declare_me?: string;
    }
    // TC39 decorators leave their records in the class's Symbol.metadata; legacy ones never make it.
    expect(Object.hasOwn(Probe, METADATA)).toBe(STANDARD);
  });

  it('an ordinary class (class fields, defaults) is frozen when `new` returns, without a Proxy', () => {
    const { registry } = isolated();
    @Measurement({ name: 'cpu', registry })
    class Cpu extends SeriesModel<Cpu, 'region'> {
      @Tag() host!: string;
      @Tag() region = 'eu';
      @Field('float') usage!: number;
      @Field({ type: 'integer' }) cores?: number;
      @Timestamp({ type: 'bigint' }) time?: bigint;
      static describe(): string {
        return 'cpu model';
      }
    }
    const a = new Cpu({ host: 'a', usage: 0.5, cores: 4, time: 1n });
    expect(Object.isFrozen(a)).toBe(true); // no await: frozen when the constructor returns
    expect(types.isProxy(a)).toBe(false);
    expect(() => {
      (a as { host: string }).host = 'b';
    }).toThrow(TypeError);
    expect(() => {
      delete (a as { cores?: number }).cores;
    }).toThrow(TypeError);
    expect(() => Object.defineProperty(a, 'host', { value: 'c' })).toThrow(TypeError);
    expect(a.host).toBe('a');
    expect(a.region).toBe('eu');
    // the class as users see it
    expect(a).toBeInstanceOf(Cpu);
    expect(a.constructor).toBe(Cpu);
    expect(Cpu.name).toBe('Cpu');
    expect(Cpu.describe()).toBe('cpu model');
    expect(inspect(a)).toMatch(/^Cpu \{/);
    expect(Object.keys(a)).toEqual(['host', 'region', 'usage', 'cores', 'time']);
    expect(Cpu.pendingLines()).toEqual(['cpu,host=a,region=eu cores=4i,usage=0.5 1']);
    expect(Cpu.pending()).toEqual([
      { measurement: 'cpu', tags: { host: 'a', region: 'eu' }, fields: { cores: 4n, usage: 0.5 }, time: 1n },
    ]);
    expect(Cpu.reset()).toBe(1);
    // errors name the class as written
    const e = caught(() => new Cpu({ host: 'a', usage: 'x' as never }));
    expect([e.where, e.property]).toEqual(['Cpu', 'usage']);
    expect(Cpu.pendingLines()).toEqual([]);
  });

  // Standard (TC39) decorators cannot decorate `declare` fields (TS1206): legacy only.
  it.skipIf(STANDARD)('`declare` fields and class fields build the same instances and lines', () => {
    const { registry } = isolated();
    @Measurement({ name: 'm', registry })
    class Declared extends SeriesModel<Declared> {
      @Tag() declare host: string;
      @Field('float') declare v: number;
      @Timestamp({ type: 'bigint' }) declare time?: bigint;
    }
    @Measurement({ name: 'm', registry })
    class Fields extends SeriesModel<Fields> {
      @Tag() host!: string;
      @Field('float') v!: number;
      @Timestamp({ type: 'bigint' }) time?: bigint;
    }
    const d = new Declared({ host: 'h', v: 1.5, time: 7n });
    const f = new Fields({ host: 'h', v: 1.5, time: 7n });
    expect(Object.isFrozen(d) && Object.isFrozen(f)).toBe(true);
    expect({ ...d }).toEqual({ ...f });
    expect(Declared.pendingLines()).toEqual(Fields.pendingLines());
  });

  it('a decorated subclass adds and overrides properties and is a model of its own', () => {
    const { registry } = isolated();
    @Measurement({ name: 'base', registry })
    class Base extends SeriesModel<Base> {
      @Tag() host!: string;
      @Field('float') value!: number;
      @Timestamp({ type: 'bigint' }) time?: bigint;
    }
    @Measurement({ name: 'child', registry })
    class Child extends Base {
      @Tag() region = 'eu';
      @Field('integer') override value = 0; // re-typed (with a default: TS2612 wants an initialiser)
    }
    const c = new Child({ host: 'h', value: 3, time: 5n } as never);
    expect(Object.isFrozen(c)).toBe(true);
    expect(c).toBeInstanceOf(Child);
    expect(c).toBeInstanceOf(Base);
    expect(c.region).toBe('eu');
    expect(Child.pendingLines()).toEqual(['child,host=h,region=eu value=3i 5']);
    expect(Base.pendingLines()).toEqual([]);
    new Base({ host: 'h', value: 0.5, time: 6n });
    expect(Base.pendingLines()).toEqual(['base,host=h value=0.5 6']);
    expect(getModelMetadata(Child).fields).toEqual([
      { property: 'value', key: 'value', type: 'integer', integerAs: 'number' },
    ]);
  });

  it('an undecorated subclass of a model is refused at first use, naming it; nothing is buffered', () => {
    const { registry } = isolated();
    @Measurement({ name: 'base', registry })
    class Base extends SeriesModel<Base> {
      @Tag() host!: string;
      @Field('float') value!: number;
    }
    class Loose extends Base {
      @Field('float') extra?: number;
    }
    const e = caught(() => new Loose({ host: 'h', value: 1 }));
    expect(e.where).toBe('Loose');
    expect(e.message).toMatch(/^Loose: extends the model Base but is not decorated with @Measurement/);
    expect(caught(() => Loose.pendingLines())).toBe(e);
    expect(caught(() => getModelMetadata(Loose))).toBe(e);
    expect(Base.pendingLines()).toEqual([]);
    expect(registry.pendingCount).toBe(0);
    // a class that extends SeriesModel without @Measurement
    class Bare extends SeriesModel<Bare> {
      @Field('float') v!: number;
    }
    expect(caught(() => new Bare({ v: 1 })).message).toMatch(/^Bare: is not a measurement/);
  });

  it('a missing, undefined or null tag is refused naming class and tag, unless it has a default or is optional', () => {
    const { registry } = isolated();
    @Measurement({ name: 'req', registry })
    class Req extends SeriesModel<Req, 'dc'> {
      @Tag() host!: string;
      @Tag() dc = 'fra';
      @Tag({ optional: true }) rack?: string;
      @Field('float') v!: number;
      @Timestamp({ type: 'bigint' }) time?: bigint;
    }
    for (const values of [{ v: 1 }, { host: undefined, v: 1 }, { host: null, v: 1 }]) {
      const e = caught(() => new Req(values as never));
      expect([e.where, e.property]).toEqual(['Req', 'host']);
      expect(e.message).toMatch(/required tag/);
    }
    expect(Req.pendingLines()).toEqual([]);
    // the constructor's type agrees: a required tag is required, defaulted and optional ones are not
    // @ts-expect-error host is required
    expect(caught(() => new Req({ v: 1 })).property).toBe('host');
    // default and optional tags
    new Req({ host: 'a', v: 1, time: 1n });
    // null counts as not given: the default stays
    new Req({ host: 'a', dc: null as never, rack: null as never, v: 1, time: 2n });
    new Req({ host: 'a', dc: 'ams', rack: 'r1', v: 1, time: 3n });
    expect(Req.pendingLines()).toEqual([
      'req,dc=fra,host=a v=1 1',
      'req,dc=fra,host=a v=1 2',
      'req,dc=ams,host=a,rack=r1 v=1 3',
    ]);
    expect(getModelMetadata(Req).tags.map((t) => [t.property, t.optional])).toEqual([
      ['host', false],
      ['dc', false],
      ['rack', true],
    ]);
    // an unknown property is still refused; fields stay optional one by one, one is required
    expect(caught(() => new Req({ host: 'a', v: 1, hots: 'x' } as never)).property).toBe('hots');
    expect(caught(() => new Req({ host: 'a' } as never)).message).toMatch(/no field with a value/);
  });

  it("influxdb-python's testSeriesWithoutAllTags: a point without all its tags is an error", () => {
    const { registry } = isolated();
    // tests/helper_test.py: MySeriesHelper with tags ['server_name', 'other_tag']
    @Measurement({ name: 'events.stats.{serverName}', registry })
    class MySeriesHelper extends SeriesModel<MySeriesHelper> {
      @Tag({ name: 'server_name' }) serverName!: string;
      @Tag({ name: 'other_tag' }) otherTag!: string;
      @Field({ name: 'some_stat', type: 'integer' }) someStat!: number;
    }
    const e = caught(() => new MySeriesHelper({ serverName: 'us.east-1', someStat: 159 } as never));
    expect([e.where, e.property]).toEqual(['MySeriesHelper', 'otherTag']);
    expect(MySeriesHelper.pending()).toEqual([]);
  });

  it('defineMeasurement: tags are required, optionalTags optional', () => {
    const registry = new SeriesRegistry({ sink: new MemorySink(), autocommit: false });
    const Cpu = defineMeasurement({
      name: 'cpu',
      tags: ['host'],
      optionalTags: ['rack'],
      fields: { usage: 'float' },
      timestamp: { property: 'time', type: 'bigint' },
      registry,
    });
    const p = new Cpu({ host: 'a', usage: 0.5, time: 1n });
    expect(Object.isFrozen(p)).toBe(true);
    expect(Cpu.name).toBe('Cpu');
    // @ts-expect-error host is required
    expect(caught(() => new Cpu({ usage: 0.5 })).property).toBe('host');
    new Cpu({ host: 'b', rack: 'r', usage: 1, time: 2n });
    expect(Cpu.pendingLines()).toEqual(['cpu,host=a usage=0.5 1', 'cpu,host=b,rack=r usage=1 2']);
    expect(makeLines(Cpu.pending(), 'n')).toBe('cpu,host=a usage=0.5 1\ncpu,host=b,rack=r usage=1 2\n');
  });

  it('bulkSize with autocommit off warns once, with a code', async () => {
    const warnings: Error[] = [];
    const listen = (w: Error) => {
      if ((w as { code?: string }).code === 'INFLUX_MODELS_BULKSIZE_WITHOUT_AUTOCOMMIT') warnings.push(w);
    };
    process.on('warning', listen);
    try {
      const registry = new SeriesRegistry({ sink: new MemorySink() });
      @Measurement({ name: 'quiet', bulkSize: 5, autocommit: false, registry })
      class Quiet extends SeriesModel<Quiet> {
        @Field('float') v!: number;
      }
      for (let i = 0; i < 12; i++) new Quiet({ v: i });
      expect(Quiet.pendingLines()).toHaveLength(12); // bulkSize had no effect
      const other = new SeriesRegistry({ sink: new MemorySink(), autocommit: false, bulkSize: 10 });
      other.configure({ bulkSize: 20 });
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on next tick
      expect(warnings.map((w) => w.message)).toEqual([
        expect.stringMatching(/Quiet \(@Measurement\) sets bulkSize with autocommit off/),
        expect.stringMatching(/the series registry sets bulkSize with autocommit off/),
      ]);
    } finally {
      process.off('warning', listen);
    }
  });

  it.runIf(STANDARD)(
    'TC39: decorators on `declare` fields (legacy-only syntax) are named in the error',
    () => {
      const { registry } = isolated();
      @Measurement({ name: 'legacyonly', registry })
      class LegacyOnly extends SeriesModel<LegacyOnly> {
        // biome-ignore lint/suspicious/noTsIgnore: TS1206 only under standard decorators (legacy typecheck has none)
        // @ts-ignore TS1206 under standard decorators: the compiler drops this decorator
        @Field('float') declare v: number;
      }
      expect(caught(() => new LegacyOnly({ v: 1 })).message).toMatch(
        /declares no @Field.*decorators on `declare` fields are not applied.*experimentalDecorators/,
      );
    },
  );

  it('a decorator call neither standard makes says what to check', () => {
    expect(() => (Tag() as (a: unknown, b: unknown) => void)(undefined, undefined)).toThrow(
      /neither decorator standard passes.*experimentalDecorators/s,
    );
    expect(() => (Field('float') as (a: unknown, b: unknown) => void)({}, 0)).toThrow(/parameter/);
  });
});

describe('Repository.write bypasses the buffer', () => {
  const database = uniqueDatabase('lifecycle');
  const client = new InfluxDBClient({ ...serverAddress(), database });
  afterAll(async () => {
    await client.dropDatabase(database);
    await client.close();
  });

  it('an instance written directly is stored once, not also autocommitted', async () => {
    await client.createDatabase(database);
    const received: CommitBatch[] = [];
    const registry = new SeriesRegistry({
      sink: {
        commit(batch) {
          received.push(batch);
          return client.commit(batch);
        },
      },
      bulkSize: 3,
      flushInterval: 0,
    });
    @Measurement({ name: 'direct', registry })
    class Direct extends SeriesModel<Direct> {
      @Tag() host!: string;
      @Field('float') v!: number;
    }
    const a = new Direct({ host: 'a', v: 1 });
    new Direct({ host: 'b', v: 2 });
    expect(Direct.pendingLines()).toHaveLength(2);
    const line = Direct.pendingLines()[0];
    await createRepository(client, Direct).write([a]);
    expect(Direct.pendingLines()).toEqual([Direct.pendingLines()[0]]);
    expect(Direct.pendingLines()[0]).toMatch(/^direct,host=b v=2 \d+$/);
    // the third construction reaches bulkSize only counting what is still buffered: b and c
    new Direct({ host: 'c', v: 3 });
    expect(received).toHaveLength(0);
    await registry.flush();
    expect(received.map((r) => r.lineCount)).toEqual([2]);
    expect(received[0]?.body).not.toContain('host=a');
    const rs = await rawQuery('SELECT count(v) FROM direct', database);
    expect(rs.results[0].series[0].values[0][1]).toBe(3);
    // stored with the buffered line's time (the model has no @Timestamp: the line holds the only copy)
    const stored = await client.query("SELECT v FROM direct WHERE host = 'a'", { epoch: 'ns' });
    expect(String([...stored.getPoints()][0]?.time)).toBe(line?.split(' ')[2]);
    await registry.close();
  });
});
