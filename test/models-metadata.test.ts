import { describe, expect, expectTypeOf, it } from 'vitest';
import { Measurement as MeasurementTwin } from '../decorators/measurement-decorator.js';
import {
  defineMeasurement,
  Field,
  getModelMetadata,
  Measurement,
  type ModelInit,
  SeriesModel,
  SeriesRegistry,
  Tag,
  Timestamp,
} from '../src/index.js';
import { MemorySink } from '../src/testing/index.js';
import { validationError } from './helpers/validation-error.js';

const registry = new SeriesRegistry({ sink: new MemorySink(), autocommit: false });

const mistake = validationError;

describe('model metadata', () => {
  it('compiles decorators into frozen metadata, keyed by the class (not its name)', () => {
    const make = (name: string) => {
      @Measurement({ name, database: 'db1', retentionPolicy: 'rp1', precision: 'ms', registry })
      class Same extends SeriesModel<Same> {
        @Tag({ name: 'host name' }) host!: string;
        @Field() usage!: number;
        @Field({ type: 'integer' }) cores!: number;
        @Field() ok!: boolean;
        @Field() note!: string;
        @Timestamp() time?: Date;
      }
      return Same;
    };
    const A = make('a');
    const B = make('b');
    const ma = getModelMetadata(A);
    expect(getModelMetadata(A)).toBe(ma);
    expect(getModelMetadata(B).measurement).toBe('b');
    expect(ma).toMatchObject({
      className: 'Same',
      measurement: 'a',
      database: 'db1',
      retentionPolicy: 'rp1',
      precision: 'ms',
      templateProperties: [],
      timestamp: { property: 'time', type: 'date' },
    });
    expect(ma.tags).toEqual([{ property: 'host', key: 'host name', optional: false }]);
    // design:type (emitted by the Oxc/tsc decorator transform) fills the unambiguous types
    expect(ma.fields.map((f) => [f.property, f.type, f.integerAs])).toEqual([
      ['usage', 'float', 'number'],
      ['cores', 'integer', 'number'],
      ['ok', 'boolean', 'number'],
      ['note', 'string', 'number'],
    ]);
    expect(Object.isFrozen(ma)).toBe(true);
    expect(ma.fieldsByProperty.get('cores')?.type).toBe('integer');
  });

  it('resolves inheritance: a subclass adds and overrides properties', () => {
    @Measurement({ name: 'base', registry })
    class Base extends SeriesModel<Base> {
      @Tag() host!: string;
      @Field() value!: number;
    }
    @Measurement({ name: 'child', registry })
    class Child extends Base {
      @Tag() region!: string;
      @Field({ type: 'integer' }) declare value: number;
      // a subclass that adds properties re-types the constructor
      constructor(values: ModelInit<Child>) {
        super(values);
      }
    }
    const m = getModelMetadata(Child);
    expect(m.measurement).toBe('child');
    expect(m.tags.map((t) => t.property)).toEqual(['host', 'region']);
    expect(m.fields).toEqual([{ property: 'value', key: 'value', type: 'integer', integerAs: 'number' }]);
    expect(getModelMetadata(Base).fields[0]?.type).toBe('float');
    const c = new Child({ host: 'h', region: 'r', value: 3 });
    expect(c).toBeInstanceOf(Base);
    expect(Child.pendingLines()[0]).toMatch(/^child,host=h,region=r value=3i \d+$/);
    expect(Base.pendingLines()).toEqual([]);
  });

  it('reports every model mistake at first use, naming class and property, and again later', () => {
    class NotDecorated extends SeriesModel<NotDecorated> {
      @Field() v!: number;
    }
    let e = mistake(() => new NotDecorated({ v: 1 }));
    expect(e.message).toMatch(/^NotDecorated: is not a measurement/);
    expect(mistake(() => new NotDecorated({ v: 1 }))).toBe(e);

    @Measurement({ name: 'nofields', registry })
    class NoFields extends SeriesModel<NoFields> {
      @Tag() host!: string;
    }
    e = mistake(() => getModelMetadata(NoFields));
    expect(e.message).toMatch(/NoFields: declares no @Field/);

    @Measurement({ name: 'both', registry })
    class Both extends SeriesModel<Both> {
      @Tag() @Field() host!: string;
    }
    e = mistake(() => getModelMetadata(Both));
    expect([e.where, e.property]).toEqual(['Both', 'host']);
    expect(e.message).toMatch(/both as field and as tag|both as tag and as field/);

    @Measurement({ name: 'samekey', registry })
    class SameKey extends SeriesModel<SameKey> {
      @Tag({ name: 'k' }) a!: string;
      @Field({ name: 'k' }) b!: number;
    }
    e = mistake(() => getModelMetadata(SameKey));
    expect(e.message).toMatch(/key "k" is both a tag \(a\) and a field/);

    @Measurement({ name: 'twots', registry })
    class TwoTs extends SeriesModel<TwoTs> {
      @Field() v!: number;
      @Timestamp() t1?: Date;
      @Timestamp() t2?: Date;
    }
    e = mistake(() => getModelMetadata(TwoTs));
    expect([e.property, e.message]).toEqual(['t2', expect.stringMatching(/second @Timestamp/)]);

    @Measurement({ name: 'unknowntype', registry })
    class UnknownType extends SeriesModel<UnknownType> {
      @Field() v!: number | string;
    }
    e = mistake(() => getModelMetadata(UnknownType));
    expect([e.property, e.message]).toEqual([
      'v',
      expect.stringMatching(
        /field type is not declared and its declared TypeScript type \(Object\) does not say one/,
      ),
    ]);

    @Measurement({ name: 'badtype', registry })
    class BadType extends SeriesModel<BadType> {
      @Field({ type: 'double' as 'float' }) v!: number;
    }
    expect(mistake(() => getModelMetadata(BadType)).message).toMatch(/"double" is unknown/);

    @Measurement({ name: 'tmpl.{nope}', registry })
    class BadTemplate extends SeriesModel<BadTemplate> {
      @Field() v!: number;
    }
    e = mistake(() => getModelMetadata(BadTemplate));
    expect([e.property, e.message]).toEqual(['nope', expect.stringMatching(/not a tag or field/)]);

    @Measurement({ name: 'timekey', registry })
    class TimeKey extends SeriesModel<TimeKey> {
      @Field() time!: number;
    }
    expect(mistake(() => getModelMetadata(TimeKey)).message).toMatch(/'time' is reserved/);

    @Measurement({ name: 'badopt', bulkSize: 0, registry })
    class BadOption extends SeriesModel<BadOption> {
      @Field() v!: number;
    }
    expect(mistake(() => getModelMetadata(BadOption)).message).toMatch(/bulkSize must be a positive integer/);

    @Measurement({ name: 'badprec', precision: 'x' as 'n', registry })
    class BadPrecision extends SeriesModel<BadPrecision> {
      @Field() v!: number;
    }
    expect(mistake(() => getModelMetadata(BadPrecision)).message).toMatch(/not a time precision/);

    @Measurement({ name: 'bad\nname', registry })
    class BadName extends SeriesModel<BadName> {
      @Field() v!: number;
    }
    expect(mistake(() => getModelMetadata(BadName)).message).toMatch(/newline/);
  });

  it('works without design:type metadata when types are explicit (decorators applied by hand)', () => {
    class Manual extends SeriesModel<Manual> {
      declare host: string;
      declare v: number;
    }
    // No compiler involvement: no design:type, just the recorded arguments.
    Tag()(Manual.prototype, 'host');
    Field({ type: 'float' })(Manual.prototype, 'v');
    // the class decorator returns the model class (same name); applied by hand, use what it returns
    const ManualModel = MeasurementTwin({ name: 'manual', registry })(Manual);
    expect(ManualModel.name).toBe('Manual');
    new ManualModel({ host: 'x', v: 2 });
    expect(ManualModel.pendingLines()[0]).toMatch(/^manual,host=x v=2 \d+$/);
    expect(mistake(() => new Manual({ host: 'x', v: 2 })).message).toMatch(
      /^Manual: is the class as written; @Measurement returned the model class to use/,
    );
    class Untyped extends SeriesModel<Untyped> {
      declare v: number;
    }
    Field()(Untyped.prototype, 'v');
    const UntypedModel = MeasurementTwin({ name: 'untyped', registry })(Untyped);
    const e = mistake(() => getModelMetadata(UntypedModel));
    expect([e.where, e.property]).toEqual(['Untyped', 'v']);
    // names the four types and both remedies, and suggests no type
    expect(e.message).toMatch(/'float', 'integer', 'string' or 'boolean'/);
    expect(e.message).toMatch(/@Field\(\{ type: 'integer' \}\) or @Field\('string'\)/);
    expect(e.message).toMatch(/"emitDecoratorMetadata": true/);
  });

  it('defineMeasurement feeds the same metadata with inferred types', () => {
    const CpuLoad = defineMeasurement({
      name: 'cpu_load',
      tags: ['host', 'region'],
      fields: {
        usage: 'float',
        cores: 'integer',
        healthy: 'boolean',
        bytes: { type: 'integer', integerAs: 'bigint' },
      },
      timestamp: { property: 'time', type: 'bigint' },
      registry,
    });
    type CpuLoad = InstanceType<typeof CpuLoad>;
    expectTypeOf<CpuLoad['usage']>().toEqualTypeOf<number>();
    expectTypeOf<CpuLoad['bytes']>().toEqualTypeOf<bigint>();
    expectTypeOf<CpuLoad['time']>().toEqualTypeOf<bigint>();
    expectTypeOf<CpuLoad['host']>().toEqualTypeOf<string>();
    const p = new CpuLoad({
      host: 'a',
      region: 'eu',
      usage: 0.5,
      cores: 4,
      healthy: true,
      bytes: 1n,
      time: 10n,
    });
    expect(p.host).toBe('a');
    expect(Object.isFrozen(p)).toBe(true);
    expect(CpuLoad.name).toBe('CpuLoad');
    expect(CpuLoad.pendingLines()).toEqual([
      'cpu_load,host=a,region=eu bytes=1i,cores=4i,healthy=true,usage=0.5 10',
    ]);
    const meta = getModelMetadata(CpuLoad);
    expect(meta.fields.map((f) => f.type)).toEqual(['float', 'integer', 'boolean', 'integer']);
    expect(meta.timestamp).toEqual({ property: 'time', type: 'bigint' });
    // @ts-expect-error: unknown property
    expect(() => new CpuLoad({ host: 'a', usage: 1, nope: 1 })).toThrow(
      /nope: is not a tag, field or timestamp/,
    );
  });
});
