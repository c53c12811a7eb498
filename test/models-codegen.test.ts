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
});
