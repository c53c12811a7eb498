import type { InfluxAdminApi, RetentionPolicyInfo } from '../client/admin-api.js';
import type { InfluxDBClient } from '../client/influxdb-client.js';
import { InfluxConfigError } from '../errors.js';
import { continuousQueryForm } from './cq-compare.js';
import { durationNanos } from './durations.js';
import type { DeclaredContinuousQuery, InfluxSchema } from './schema-definition.js';
import { recordStatement } from './schema-definition.js';

/** One step of a {@link SchemaPlan}. `statement` is the exact InfluxQL it sends. */
export type SchemaChange =
  | { readonly kind: 'create-database'; readonly name: string; readonly statement: string }
  | { readonly kind: 'create-retention-policy'; readonly name: string; readonly statement: string }
  | {
      readonly kind: 'alter-retention-policy';
      readonly name: string;
      /** What differs, e.g. `['duration 168h0m0s → 30d', 'default']`. */
      readonly differences: readonly string[];
      readonly statement: string;
    }
  | { readonly kind: 'drop-retention-policy'; readonly name: string; readonly statement: string }
  | {
      readonly kind: 'drop-continuous-query';
      readonly name: string;
      /** `'changed'`: dropped to be created again (the next step); `'undeclared'`: pruned. */
      readonly reason: 'changed' | 'undeclared';
      readonly statement: string;
    }
  | {
      readonly kind: 'create-continuous-query';
      readonly name: string;
      /** True when it replaces a changed query of the same name (dropped just before). */
      readonly replaces: boolean;
      readonly statement: string;
    };

/** What `applySchema` did (or, with `dryRun`, would do). */
export interface SchemaPlan {
  readonly database: string;
  /** In the order they run; empty when the server already matches the schema. */
  readonly changes: readonly SchemaChange[];
  /** False for a dry run. */
  readonly applied: boolean;
  /** The plan as printed: one line per statement, `+` create, `~` alter, `-` drop. */
  readonly text: string;
}

/** Options of {@link applySchema}. */
export interface ApplySchemaOptions {
  /** Only compute and print the plan; send nothing. Default false. */
  dryRun?: boolean;
  /**
   * Also drop the retention policies and continuous queries of the database that the schema does
   * not declare (a policy's data goes with it). Default false: nothing undeclared is touched.
   */
  prune?: boolean;
  /** Where the plan is printed (one call with the whole text); `false` prints nothing. Default `console.log`. */
  log?: ((text: string) => void) | false;
}

interface Step {
  change: SchemaChange;
  run(api: InfluxAdminApi): Promise<void>;
}

async function step(
  make: (statement: string) => SchemaChange,
  run: (api: InfluxAdminApi) => Promise<void>,
): Promise<Step> {
  return { change: make(await recordStatement(run)), run };
}

/** The retention policies a database has right after `CREATE DATABASE` (the server's autogen policy). */
const NEW_DATABASE_POLICIES: readonly RetentionPolicyInfo[] = [
  { name: 'autogen', duration: '0s', shardGroupDuration: '168h0m0s', replicaN: 1, default: true },
];

function createContinuousQuery(cq: DeclaredContinuousQuery, database: string) {
  return (api: InfluxAdminApi) =>
    api.createContinuousQuery(cq.name, cq.select, {
      database,
      ...(cq.resample !== undefined ? { resample: { ...cq.resample } } : {}),
    });
}

const SIGN: Record<SchemaChange['kind'], string> = {
  'create-database': '+',
  'create-retention-policy': '+',
  'alter-retention-policy': '~',
  'drop-retention-policy': '-',
  'drop-continuous-query': '-',
  'create-continuous-query': '+',
};

/**
 * The plan as text: a title line, then one line per statement (`+` create, `~` alter, `-` drop),
 * with why for alters and drops.
 *
 * ```ts
 * formatSchemaPlan(plan);
 * // Schema of database "metrics": 2 changes (applied)
 * //   ~ ALTER RETENTION POLICY "week" ON "metrics" DURATION 14d   -- duration 168h0m0s → 14d
 * //   - DROP CONTINUOUS QUERY "cpu_1h" ON "metrics"   -- changed: created again below
 * ```
 */
export function formatSchemaPlan(plan: Omit<SchemaPlan, 'text'>): string {
  const n = plan.changes.length;
  if (n === 0) return `Schema of database ${JSON.stringify(plan.database)}: up to date, nothing to do`;
  const lines = [
    `Schema of database ${JSON.stringify(plan.database)}: ${n} change${n === 1 ? '' : 's'} (${plan.applied ? 'applied' : 'dry run, nothing sent'})`,
  ];
  for (const c of plan.changes) {
    let why = '';
    if (c.kind === 'alter-retention-policy') why = c.differences.join(', ');
    else if (c.kind === 'drop-continuous-query')
      why = c.reason === 'changed' ? 'changed: created again below' : 'not declared (prune)';
    else if (c.kind === 'drop-retention-policy') why = 'not declared (prune); its data is dropped';
    else if (c.kind === 'create-continuous-query' && c.replaces) why = 'replaces the dropped query';
    lines.push(`  ${SIGN[c.kind]} ${c.statement}${why === '' ? '' : `   -- ${why}`}`);
  }
  return lines.join('\n');
}

/**
 * Makes the server match a schema from {@link defineSchema}: reads the databases, the database's
 * retention policies and continuous queries, and sends only the statements needed, in this order:
 * `CREATE DATABASE` when missing; `CREATE`/`ALTER RETENTION POLICY` for missing or different
 * policies (duration, replication, shard duration when declared, default); a continuous query whose
 * text differs is dropped and created again (InfluxQL cannot alter one), a missing one created.
 * Nothing is dropped otherwise, unless `prune: true` (then undeclared continuous queries and
 * retention policies of that database go). Statements are built by the client's admin helpers.
 * Applying the same schema again gives an empty plan. Returns the plan and prints it (`log`).
 *
 * ```ts
 * const plan = await applySchema(client, schema, { dryRun: true });
 * plan.changes.map((c) => c.statement);
 * // ['CREATE DATABASE "metrics"',
 * //  'CREATE RETENTION POLICY "week" ON "metrics" DURATION 7d REPLICATION 1 SHARD DURATION 1d DEFAULT', …]
 * ```
 */
export async function applySchema(
  client: InfluxDBClient,
  schema: InfluxSchema,
  options: ApplySchemaOptions = {},
): Promise<SchemaPlan> {
  if (schema === null || typeof schema !== 'object' || schema.kind !== 'influx-models.schema') {
    throw new InfluxConfigError('applySchema(schema): pass the value defineSchema({...}) returned');
  }
  if (options === null || typeof options !== 'object') {
    throw new InfluxConfigError('applySchema(options): must be an object such as { dryRun: true }');
  }
  const log = options.log === undefined ? console.log : options.log;
  if (log !== false && typeof log !== 'function') {
    throw new InfluxConfigError('applySchema(options.log): must be a function or false');
  }
  const db = schema.database;
  const steps: Step[] = [];

  const exists = (await client.listDatabases()).some((d) => d.name === db);
  if (!exists) {
    steps.push(
      await step(
        (statement) => ({ kind: 'create-database', name: db, statement }),
        (api) => api.createDatabase(db),
      ),
    );
  }
  const current = exists ? await client.listRetentionPolicies(db) : [...NEW_DATABASE_POLICIES];
  const byName = new Map(current.map((rp) => [rp.name, rp]));
  for (const rp of schema.retentionPolicies) {
    const have = byName.get(rp.name);
    if (have === undefined) {
      steps.push(
        await step(
          (statement) => ({ kind: 'create-retention-policy', name: rp.name, statement }),
          (api) =>
            api.createRetentionPolicy(rp.name, rp.duration, rp.replication, {
              database: db,
              default: rp.default,
              ...(rp.shardDuration !== undefined ? { shardDuration: rp.shardDuration } : {}),
            }),
        ),
      );
      continue;
    }
    const differences: string[] = [];
    const alter: { duration?: string; replication?: number; shardDuration?: string; default?: true } = {};
    // A column the server did not send (optional in RetentionPolicyInfo) counts as different.
    if (have.duration === undefined || durationNanos(rp.duration) !== durationNanos(have.duration)) {
      differences.push(`duration ${have.duration} → ${rp.duration}`);
      alter.duration = rp.duration;
    }
    if (rp.replication !== have.replicaN) {
      differences.push(`replication ${have.replicaN} → ${rp.replication}`);
      alter.replication = rp.replication;
    }
    if (
      rp.shardDuration !== undefined &&
      durationNanos(rp.shardDuration) !== 0n &&
      (have.shardGroupDuration === undefined ||
        durationNanos(rp.shardDuration) !== durationNanos(have.shardGroupDuration))
    ) {
      differences.push(`shard duration ${have.shardGroupDuration} → ${rp.shardDuration}`);
      alter.shardDuration = rp.shardDuration;
    }
    if (rp.default && !have.default) {
      differences.push('becomes the default policy');
      alter.default = true;
    }
    if (differences.length > 0) {
      steps.push(
        await step(
          (statement) => ({ kind: 'alter-retention-policy', name: rp.name, differences, statement }),
          (api) => api.alterRetentionPolicy(rp.name, { database: db, ...alter }),
        ),
      );
    }
  }
  const declaredDefault = schema.retentionPolicies.find((rp) => rp.default)?.name;
  const defaultRp = declaredDefault ?? current.find((rp) => rp.default)?.name ?? 'autogen';

  const serverCqs = new Map<string, string>();
  if (exists) {
    for (const entry of await client.listContinuousQueries()) {
      for (const cq of entry[db] ?? []) serverCqs.set(cq.name, cq.query);
    }
  }
  const dropCq = (name: string, reason: 'changed' | 'undeclared') =>
    step(
      (statement) => ({ kind: 'drop-continuous-query', name, reason, statement }),
      (api) => api.dropContinuousQuery(name, db),
    );
  for (const cq of schema.continuousQueries) {
    const create = createContinuousQuery(cq, db);
    const wanted = await recordStatement(create);
    const have = serverCqs.get(cq.name);
    if (
      have !== undefined &&
      continuousQueryForm(have, db, defaultRp) === continuousQueryForm(wanted, db, defaultRp)
    ) {
      continue;
    }
    if (have !== undefined) steps.push(await dropCq(cq.name, 'changed'));
    steps.push({
      change: {
        kind: 'create-continuous-query',
        name: cq.name,
        replaces: have !== undefined,
        statement: wanted,
      },
      run: create,
    });
  }
  if (options.prune === true) {
    const declaredCqs = new Set(schema.continuousQueries.map((c) => c.name));
    for (const name of serverCqs.keys())
      if (!declaredCqs.has(name)) steps.push(await dropCq(name, 'undeclared'));
    const declaredRps = new Set(schema.retentionPolicies.map((r) => r.name));
    for (const rp of current) {
      if (declaredRps.has(rp.name)) continue;
      steps.push(
        await step(
          (statement) => ({ kind: 'drop-retention-policy', name: rp.name, statement }),
          (api) => api.dropRetentionPolicy(rp.name, db),
        ),
      );
    }
  }

  const dryRun = options.dryRun === true;
  if (!dryRun) for (const s of steps) await s.run(client);
  const plan = { database: db, changes: steps.map((s) => s.change), applied: !dryRun };
  const text = formatSchemaPlan(plan);
  if (log !== false) log(text);
  return { ...plan, text };
}
