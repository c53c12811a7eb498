/**
 * The benchmark shape as model classes, in the two ways a user declares one with decorators
 * plain declarations (`declare host: string`) and real class fields
 * (`host!: string`, the TypeScript default `useDefineForClassFields`). Both take the one
 * construction path (the class @Measurement returns finishes the instance after the initialisers).
 * Both use the default registry: each case configures it (`configureSeries`) before first use.
 */
import { defineMeasurement, Field, Measurement, SeriesModel, Tag, Timestamp } from '../../src/index.js';

/** Fields declared with `declare` (legacy decorators only: TC39 ones cannot decorate them). */
@Measurement({ name: 'cpu' })
export class CpuDeclared extends SeriesModel<CpuDeclared> {
  @Tag() declare host: string;
  @Tag() declare region: string;
  @Field({ type: 'float' }) declare usage: number;
  @Field({ type: 'integer' }) declare cores: number;
  @Field({ type: 'boolean' }) declare ok: boolean;
  @Timestamp({ type: 'bigint' }) declare time: bigint;
}

/** Real class fields (`!`), as most code declares them. */
@Measurement({ name: 'cpu' })
export class CpuFields extends SeriesModel<CpuFields> {
  @Tag() host!: string;
  @Tag() region!: string;
  @Field({ type: 'float' }) usage!: number;
  @Field({ type: 'integer' }) cores!: number;
  @Field({ type: 'boolean' }) ok!: boolean;
  @Timestamp({ type: 'bigint' }) time!: bigint;
}

/** The same model declared without decorators (`defineMeasurement`). */
export const CpuDefined = defineMeasurement({
  name: 'cpu',
  tags: ['host', 'region'],
  fields: { usage: 'float', cores: 'integer', ok: 'boolean' },
  timestamp: { property: 'time', type: 'bigint' },
});
