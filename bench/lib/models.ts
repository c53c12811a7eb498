/**
 * The benchmark shape as model classes, in the two ways a user declares one with decorators:
 * plain declarations (`declare host: string`, built in place) and real class fields
 * (`host!: string`, the TypeScript default `useDefineForClassFields`, built through a Proxy).
 * Both use the default registry: each case configures it (`configureSeries`) before first use.
 */
import { Field, Measurement, SeriesModel, type SeriesRegistry, Tag, Timestamp } from '../../src/index.js';

/** The `declare` model class, bound to `registry` (the default registry when undefined). */
export function declaredCpu(registry?: SeriesRegistry) {
  @Measurement({ name: 'cpu', ...(registry !== undefined ? { registry } : {}) })
  class CpuDeclared extends SeriesModel<CpuDeclared> {
    @Tag() declare host: string;
    @Tag() declare region: string;
    @Field({ type: 'float' }) declare usage: number;
    @Field({ type: 'integer' }) declare cores: number;
    @Field({ type: 'boolean' }) declare ok: boolean;
    @Timestamp({ type: 'bigint' }) declare time: bigint;
  }
  return CpuDeclared;
}

/** Fields declared with `declare`: the fastest way to build instances. */
export const CpuDeclared = declaredCpu();

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
