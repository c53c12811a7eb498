import { InfluxAdminApi } from '../client/admin-api.js';
import { InfluxConfigError } from '../errors.js';
import { rawSelectText } from '../influxql/compiler.js';
import {
  checkName,
  checkReplication,
  checkStorageName,
  configFail,
  describeValue,
  durationLiteral,
} from '../influxql/literals.js';
import { getModelMetadata } from '../models/metadata-builder.js';
import type { ModelClass } from '../models/model-metadata.js';
import { QueryBuilder } from '../query/query-builder.js';
import { ResultSet } from '../results/result-set.js';

/** A retention policy declared in a schema. */
export interface RetentionPolicySpec {
  /** How long data is kept: an InfluxQL duration such as `'30d'`, or `'INF'`. */
  readonly duration: string;
  /** Copies of each point (1 on a single server). Default 1. */
  readonly replication?: number;
  /** Shard group duration, e.g. `'1d'`. Left to the server when omitted (and then never compared). */
  readonly shardDuration?: string;
  /** Make it the database's default policy. At most one policy of a schema may say so. */
  readonly default?: boolean;
}

/** `RESAMPLE EVERY … FOR …` of a continuous query. */
export interface ResampleSpec {
  /** How often the query runs, e.g. `'1m'` (default: the `GROUP BY time` interval). */
  readonly every?: string;
  /** How far back each run looks, e.g. `'10m'` (default: the `GROUP BY time` interval). */
  readonly for?: string;
}

/** Any query builder (its model, selection and grouping do not matter here). */
// biome-ignore lint/suspicious/noExplicitAny: any model and any selection
export type AnyQueryBuilder = QueryBuilder<any, any, any, any>;

/** A continuous query declared in a schema. */
export interface ContinuousQuerySpec {
  /**
   * The query: a builder with `into(...)` and `groupBy(time(...))` (see {@link continuousQuery}),
   * or one `SELECT … INTO … GROUP BY time(…)` statement as text.
   */
  readonly query: AnyQueryBuilder | string;
  readonly resample?: ResampleSpec;
}

/** What {@link defineSchema} takes. */
export interface SchemaDefinition {
  /** The database (created when missing). */
  readonly database: string;
  /** Retention policies by name. */
  readonly retentionPolicies?: Readonly<Record<string, RetentionPolicySpec>>;
  /** Continuous queries by name. */
  readonly continuousQueries?: Readonly<Record<string, ContinuousQuerySpec>>;
}

/** A checked retention policy of an {@link InfluxSchema}. */
export interface DeclaredRetentionPolicy {
  readonly name: string;
  readonly duration: string;
  readonly replication: number;
  readonly shardDuration: string | undefined;
  readonly default: boolean;
}

/** A checked continuous query of an {@link InfluxSchema}. */
export interface DeclaredContinuousQuery {
  readonly name: string;
  /** The SELECT statement (values inlined: the server stores the text). */
  readonly select: string;
  readonly resample: ResampleSpec | undefined;
}

/** A checked, frozen schema: what {@link defineSchema} returns and `applySchema` applies. */
export interface InfluxSchema {
  readonly kind: 'influx-models.schema';
  readonly database: string;
  readonly retentionPolicies: readonly DeclaredRetentionPolicy[];
  readonly continuousQueries: readonly DeclaredContinuousQuery[];
}

/**
 * The admin helpers with a `query` that records the statement instead of sending it: the plan
 * shows the exact text the helper sends, built by the helper itself.
 */
export class StatementRecorder extends InfluxAdminApi {
  readonly statements: string[] = [];

  /** Records `q`; answers with an empty result. */
  async query(q: string): Promise<ResultSet> {
    this.statements.push(q);
    return new ResultSet({ statement_id: 0 });
  }

  protected currentDatabase(): string | undefined {
    return undefined;
  }
}

/** The statement `action` sends through the admin helpers (recorded, not sent). */
export async function recordStatement(action: (api: InfluxAdminApi) => Promise<void>): Promise<string> {
  const recorder = new StatementRecorder();
  await action(recorder);
  return recorder.statements.join('; ');
}

/**
 * A continuous-query spec from a model's query builder, typed by the model.
 *
 * ```ts
 * continuousQuery(Cpu, (q) => q.select(mean('usage').as('usage')).into({ retentionPolicy: 'year', measurement: 'cpu_1h' })
 *   .groupBy(time('1h'), '*'), { resample: { every: '10m', for: '2h' } });
 * ```
 */
export function continuousQuery<T extends object>(
  model: ModelClass<T>,
  build: (query: QueryBuilder<T>) => AnyQueryBuilder,
  options: { resample?: ResampleSpec } = {},
): ContinuousQuerySpec {
  const query = build(QueryBuilder.create(getModelMetadata(model)));
  if (!(query instanceof QueryBuilder)) {
    throw new InfluxConfigError(
      'continuousQuery(build): the function must return the query builder it was given',
    );
  }
  return { query, ...(options.resample !== undefined ? { resample: options.resample } : {}) };
}

function plainObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InfluxConfigError(`${what}: must be an object, got ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

const RP_KEYS = new Set(['duration', 'replication', 'shardDuration', 'default']);
const CQ_KEYS = new Set(['query', 'resample']);

function checkKeys(value: Record<string, unknown>, allowed: Set<string>, what: string): void {
  for (const k of Object.keys(value)) {
    if (!allowed.has(k)) {
      throw new InfluxConfigError(
        `${what}: unknown option ${JSON.stringify(k)} (known: ${[...allowed].join(', ')})`,
      );
    }
  }
}

/**
 * Declares a database, its retention policies and continuous queries in code, checked at once
 * (bad durations, two default policies, a continuous query without `INTO` or `GROUP BY time`
 * throw {@link InfluxConfigError} naming the entry). `applySchema(client, schema)` then makes the
 * server match it, issuing only the statements needed.
 *
 * ```ts
 * export const schema = defineSchema({
 *   database: 'metrics',
 *   retentionPolicies: {
 *     week: { duration: '7d', shardDuration: '1d', default: true },
 *     year: { duration: '52w' },
 *   },
 *   continuousQueries: {
 *     cpu_1h: continuousQuery(Cpu, (q) =>
 *       q.select(mean('usage').as('usage')).into({ retentionPolicy: 'year', measurement: 'cpu_1h' }).groupBy(time('1h'), '*'),
 *       { resample: { every: '10m', for: '2h' } }),
 *   },
 * });
 * // cpu_1h: CREATE CONTINUOUS QUERY "cpu_1h" ON "metrics" RESAMPLE EVERY 10m FOR 2h BEGIN
 * //   SELECT mean("usage"::field) AS "usage" INTO "year"."cpu_1h" FROM "cpu" GROUP BY time(1h), * END
 * ```
 */
export function defineSchema(definition: SchemaDefinition): InfluxSchema {
  const d = plainObject(definition, 'defineSchema');
  checkKeys(d, new Set(['database', 'retentionPolicies', 'continuousQueries']), 'defineSchema');
  const database = checkStorageName(d.database, configFail('defineSchema(database)'));
  const rps: DeclaredRetentionPolicy[] = [];
  const rpEntries = Object.entries(plainObject(d.retentionPolicies ?? {}, 'defineSchema(retentionPolicies)'));
  for (const [name, raw] of rpEntries) {
    const what = `defineSchema(retentionPolicies.${name})`;
    checkStorageName(name, configFail(`${what} name`));
    const spec = plainObject(raw, what);
    checkKeys(spec, RP_KEYS, what);
    const duration = durationLiteral(spec.duration, configFail(`${what}.duration`), { infinite: true });
    const replication = spec.replication ?? 1;
    checkReplication(replication, configFail(`${what}.replication`));
    const shardDuration =
      spec.shardDuration === undefined
        ? undefined
        : durationLiteral(spec.shardDuration, configFail(`${what}.shardDuration`));
    if (spec.default !== undefined && typeof spec.default !== 'boolean') {
      throw new InfluxConfigError(
        `${what}.default: must be true or false, got ${describeValue(spec.default)}`,
      );
    }
    rps.push(
      Object.freeze({
        name,
        duration,
        replication: replication as number,
        shardDuration,
        default: spec.default === true,
      }),
    );
  }
  const defaults = rps.filter((r) => r.default);
  if (defaults.length > 1) {
    throw new InfluxConfigError(
      `defineSchema(retentionPolicies): only one policy can be the default, got ${defaults.map((r) => JSON.stringify(r.name)).join(' and ')}`,
    );
  }
  const cqs: DeclaredContinuousQuery[] = [];
  const cqEntries = Object.entries(plainObject(d.continuousQueries ?? {}, 'defineSchema(continuousQueries)'));
  for (const [name, raw] of cqEntries) {
    const what = `defineSchema(continuousQueries.${name})`;
    checkName(name, configFail(`${what} name`));
    const spec = plainObject(raw, what);
    checkKeys(spec, CQ_KEYS, what);
    const resample =
      spec.resample === undefined
        ? undefined
        : (plainObject(spec.resample, `${what}.resample`) as ResampleSpec);
    let select: string;
    if (spec.query instanceof QueryBuilder) {
      const builder = spec.query as AnyQueryBuilder;
      // Checks INTO, GROUP BY time(...) and the RESAMPLE durations.
      builder.toContinuousQuery(name, {
        database,
        ...(resample?.every !== undefined ? { resampleEvery: resample.every } : {}),
        ...(resample?.for !== undefined ? { resampleFor: resample.for } : {}),
      });
      select = builder.toInfluxQL({ inline: true }).query;
    } else if (typeof spec.query === 'string') {
      select = rawSelectText({ kind: 'rawSelect', text: spec.query }, configFail(`${what}.query`));
      if (!/\bINTO\b/i.test(select) || !/\bGROUP\s+BY\s+time\s*\(/i.test(select)) {
        throw new InfluxConfigError(`${what}.query: a continuous query needs INTO and GROUP BY time(...)`);
      }
    } else {
      throw new InfluxConfigError(
        `${what}.query: must be a query builder (see continuousQuery()) or a SELECT statement, got ${describeValue(spec.query)}`,
      );
    }
    cqs.push({ name, select, resample });
  }
  return Object.freeze({
    kind: 'influx-models.schema',
    database,
    retentionPolicies: Object.freeze(rps),
    continuousQueries: Object.freeze(cqs.map((c) => Object.freeze(c))),
  });
}
