import { describe, expect, it } from 'vitest';

// Runs with legacy and with standard (TC39) decorators (vitest.config.ts).
import { withoutGeneratedCode } from '../src/generated-code.js';
import {
  Field,
  InfluxValidationError,
  Measurement,
  SeriesModel,
  SeriesRegistry,
  Tag,
  Timestamp,
} from '../src/index.js';
import { runtimeOf } from '../src/models/model-runtime.js';
import { MemorySink } from '../src/testing/index.js';

/**
 * The generated constructor tail (src/models/construct-codegen.ts) and its fallback, the generic
 * tail (used where code cannot be generated), must behave alike: the same instances, lines and
 * errors for the same inputs.
 */
function defineModel() {
  const registry = new SeriesRegistry({ sink: new MemorySink(), autocommit: false });
  @Measurement({ name: 'cpu', registry })
  class Cpu extends SeriesModel<Cpu, 'region'> {
    @Tag() host!: string;
    @Tag() region = 'eu';
    @Tag({ optional: true }) rack?: string;
    @Field('float') usage!: number;
    @Field({ type: 'integer' }) cores?: number;
    @Field('string') note?: string;
    @Timestamp({ type: 'bigint' }) time?: bigint;
  }
  return Cpu;
}

type Outcome = { ok: true; frozen: boolean; json: unknown } | { ok: false; error: string; property?: string };

const inputs: unknown[] = [
  { host: 'a', usage: 0.5, cores: 4, time: 1000n },
  { host: 'b', region: 'us', rack: 'r1', usage: 1, note: 'x "y"', time: 2000n },
  { host: 'c', region: null, usage: 2.25, time: 3000n }, // a null tag keeps the default
  { host: 'd', region: undefined, usage: -1.5, cores: undefined, time: 4000n },
  Object.assign(Object.create({ host: 'inherited' }), { usage: 3, time: 5000n }), // an inherited value
  { usage: 1, time: 6000n }, // missing required tag
  { host: null, usage: 1, time: 7000n }, // null required tag
  { host: 'e', usage: 1, bogus: 1, time: 8000n }, // unknown property
  { host: 'f', usage: 'high', time: 9000n }, // wrong field type
  { host: 'g', cores: 1.5, usage: 1, time: 10000n }, // not an integer
  { host: 'h', time: 11000n }, // no field
  { host: 'i,j k', usage: Number.NaN, time: 12000n }, // NaN float
  { host: 7, usage: 1, time: 13000n }, // a tag that is not a string
  null,
  'host=a',
];

function run(Cpu: ReturnType<typeof defineModel>): { outcomes: Outcome[]; lines: string[] } {
  const outcomes: Outcome[] = inputs.map((values) => {
    try {
      const inst = new Cpu(values as ConstructorParameters<typeof Cpu>[0]);
      return {
        ok: true,
        frozen: Object.isFrozen(inst) && inst instanceof Cpu,
        json: JSON.parse(JSON.stringify(inst, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))),
      };
    } catch (e) {
      if (!(e instanceof InfluxValidationError)) throw e;
      return { ok: false, error: e.message, property: e.property };
    }
  });
  return { outcomes, lines: Cpu.pendingLines() };
}

describe('generated constructor tail', () => {
  it('is used for an ordinary model class and gives what the generic tail gives', () => {
    const Fast = defineModel();
    const fast = run(Fast);
    expect(runtimeOf(Fast).finish.toString()).toContain('unknownKey(k)');

    const Generic = withoutGeneratedCode(defineModel);
    // the generic tail was chosen when the class was first used: it stays after the switch
    const generic = withoutGeneratedCode(() => run(Generic));
    expect(runtimeOf(Generic).finish.toString()).not.toContain('unknownKey(k)');
    expect(runtimeOf(Fast).serialize.toString()).toContain('heads.find(scope');
    expect(runtimeOf(Generic).serialize.toString()).not.toContain('heads.find(scope');
    expect(generic).toEqual(fast);

    // and what that is
    expect(fast.lines).toEqual([
      'cpu,host=a,region=eu cores=4i,usage=0.5 1000',
      'cpu,host=b,rack=r1,region=us note="x \\"y\\"",usage=1 2000',
      'cpu,host=c,region=eu usage=2.25 3000',
      'cpu,host=d,region=eu usage=-1.5 4000',
      'cpu,host=inherited,region=eu usage=3 5000',
    ]);
    expect(fast.outcomes.slice(0, 5).every((o) => o.ok && o.frozen)).toBe(true);
    expect(fast.outcomes[0]).toMatchObject({ json: { host: 'a', region: 'eu', usage: 0.5, cores: 4 } });
    const errors = fast.outcomes.slice(5).map((o) => (o.ok ? 'accepted' : `${o.property}: ${o.error}`));
    expect(errors[0]).toMatch(/^host: .*Cpu.*required tag/);
    expect(errors[1]).toMatch(/^host: .*required tag/);
    expect(errors[2]).toMatch(/^bogus: .*not a tag, field or timestamp/);
    expect(errors[3]).toMatch(/^usage: .*expected a number/);
    expect(errors[4]).toMatch(/^cores: .*not a safe integer/);
    expect(errors[5]).toMatch(/no field with a value/);
    expect(errors[6]).toMatch(/^usage: /);
    expect(errors[7]).toMatch(/^host: .*tag must be a string/);
    expect(errors[8]).toMatch(/expects an object of property values, got null/);
    expect(errors[9]).toMatch(/expects an object of property values, got string/);
  });

  it('leaves nothing in the buffer when a value is refused after the assignments', () => {
    const Cpu = defineModel();
    new Cpu({ host: 'a', usage: 1, time: 1n });
    expect(() => new Cpu({ host: 'b', usage: Number.POSITIVE_INFINITY, time: 2n })).toThrow(
      InfluxValidationError,
    );
    new Cpu({ host: 'c', usage: 3, time: 3n });
    expect(Cpu.pendingLines()).toEqual(['cpu,host=a,region=eu usage=1 1', 'cpu,host=c,region=eu usage=3 3']);
  });

  it('builds instances of one class with one property order', () => {
    const Cpu = defineModel();
    const a = new Cpu({ usage: 1, host: 'a', time: 1n });
    const b = new Cpu({ time: 2n, host: 'b', usage: 2 });
    expect(Object.keys(a)).toEqual(Object.keys(b));
  });

  it('the generated serializer writes what the generic one writes, for every field type and path', () => {
    function defineEvents() {
      const registry = new SeriesRegistry({ sink: new MemorySink(), autocommit: false });
      @Measurement({ name: 'ev_{kind}', registry })
      class Ev extends SeriesModel<Ev> {
        @Tag() kind!: string;
        @Tag({ optional: true }) zone?: string;
        @Field({ type: 'boolean' }) ok?: boolean;
        @Field({ type: 'integer', integerAs: 'bigint' }) big?: bigint;
        @Field({ type: 'integer' }) n?: number;
        @Field({ type: 'string', name: 'détail' }) detail?: string;
        @Field({ type: 'float' }) x?: number;
        @Timestamp() time!: Date;
      }
      return Ev;
    }
    const inputs: unknown[] = [
      { kind: 'a', ok: true, time: new Date(1) },
      { kind: 'a', ok: false, big: 2n ** 62n, time: new Date(2) },
      { kind: 'b c', zone: 'z=1', n: -42, detail: 'say "hi"\\', time: new Date(3) },
      { kind: 'a', x: 0, time: new Date(4) },
      { kind: 'a', x: -0, n: 0, time: new Date(5) },
      { kind: 'a', x: 1e21, big: -(2n ** 63n), time: new Date(6) },
      { kind: 'a', x: 5e-324, detail: 'é', time: new Date(7) },
      { kind: 'a', ok: 1, time: new Date(8) }, // not a boolean
      { kind: 'a', big: 2n ** 63n, time: new Date(9) }, // out of int64
      { kind: 'a', n: 2 ** 53, time: new Date(10) }, // not a safe integer
      { kind: 'a', n: '1', time: new Date(11) }, // not an integer
      { kind: 'a', x: Number.POSITIVE_INFINITY, time: new Date(12) },
      { kind: 'a', detail: 1, time: new Date(13) },
      { kind: 'a', detail: '\uD800', time: new Date(14) }, // lone surrogate
      { kind: '', ok: true, time: new Date(15) }, // empty template value
      { kind: 'a', ok: true, time: new Date(Number.NaN) },
      { kind: 'a', ok: true, time: 16 }, // not a Date
      { kind: 'a', zone: 'a\\ b', detail: 'x\ny', time: new Date(17) }, // would split the line
      { kind: 'a', zone: 'a\\ b', ok: true, time: new Date(18) }, // suspect head, one line
    ];
    const run = (Ev: ReturnType<typeof defineEvents>) => {
      const outcomes = inputs.map((values) => {
        try {
          new Ev(values as ConstructorParameters<typeof Ev>[0]);
          return 'ok';
        } catch (e) {
          if (!(e instanceof InfluxValidationError)) throw e;
          return `${e.property}: ${e.message}`;
        }
      });
      return { outcomes, lines: Ev.pendingLines() };
    };
    const Fast = defineEvents();
    const fast = run(Fast);
    expect(runtimeOf(Fast).serialize.toString()).toContain('heads.find(scope');
    const Generic = withoutGeneratedCode(defineEvents);
    const generic = withoutGeneratedCode(() => run(Generic));
    expect(runtimeOf(Generic).serialize.toString()).not.toContain('heads.find(scope');
    expect(generic).toEqual(fast);
    expect(fast.lines).toEqual([
      'ev_a,kind=a ok=true 1000000',
      'ev_a,kind=a big=4611686018427387904i,ok=false 2000000',
      'ev_b\\ c,kind=b\\ c,zone=z\\=1 détail="say \\"hi\\"\\\\",n=-42i 3000000',
      'ev_a,kind=a x=0 4000000',
      'ev_a,kind=a n=0i,x=-0 5000000',
      'ev_a,kind=a big=-9223372036854775808i,x=1e+21 6000000',
      'ev_a,kind=a détail="é",x=5e-324 7000000',
      'ev_a,kind=a,zone=a\\\\ b détail="x\ny" 17000000',
      'ev_a,kind=a,zone=a\\\\ b ok=true 18000000',
    ]);
    const refused = fast.outcomes.slice(7, 17);
    expect(refused.every((o) => o !== 'ok')).toBe(true);
    expect(refused[0]).toMatch(/^ok: .*expected a boolean, got number/);
    expect(refused[1]).toMatch(/^big: /);
    expect(refused[2]).toMatch(/^n: .*not a safe integer/);
    expect(refused[3]).toMatch(/^n: .*expected an integer/);
    expect(refused[4]).toMatch(/^x: /);
    expect(refused[5]).toMatch(/^detail: .*expected a string/);
    expect(refused[6]).toMatch(/^detail: /);
    expect(refused[7]).toMatch(/^kind: .*measurement name/);
    expect(refused[8]).toMatch(/^time: .*invalid Date/);
    expect(refused[9]).toMatch(/^time: .*expected a Date/);
  });
});
