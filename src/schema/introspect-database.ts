import type { InfluxDBClient } from '../client/influxdb-client.js';
import { InfluxConfigError } from '../errors.js';
import type { ModelFieldType } from '../models/model-metadata.js';

/** A field key of a pulled measurement and every type the server reports for it. */
export interface PulledField {
  readonly key: string;
  /**
   * The types found, in the order first seen (default retention policy first). More than one
   * means the key was written with different types into different shards: a type conflict.
   */
  readonly types: readonly ModelFieldType[];
  /** Where each type was seen: retention policy → its types. */
  readonly typesByRetentionPolicy: Readonly<Record<string, readonly ModelFieldType[]>>;
}

/** One measurement as the server describes it. */
export interface PulledMeasurement {
  readonly name: string;
  /** Tag keys, sorted as the server returns them. */
  readonly tagKeys: readonly string[];
  /** Field keys, sorted by key. Empty when no shard holds a field of it any more. */
  readonly fields: readonly PulledField[];
}

/** What `introspectDatabase` read. */
export interface DatabaseIntrospection {
  readonly database: string;
  readonly measurements: readonly PulledMeasurement[];
}

/** Options of {@link introspectDatabase}. */
export interface IntrospectOptions {
  /** Only these measurements: exact names, or regular expressions. All when omitted or empty. */
  measurements?: ReadonlyArray<string | RegExp>;
  /** Called after each measurement is read (`index` from 1), e.g. for a progress line. */
  onMeasurement?: (measurement: PulledMeasurement, index: number, total: number) => void;
}

const FIELD_TYPES: readonly string[] = ['float', 'integer', 'string', 'boolean'];

/**
 * Reads the measurements of a database with their tag keys and field keys and types:
 * `SHOW MEASUREMENTS`, then per measurement `SHOW TAG KEYS FROM "m"` and, for every retention
 * policy, `SHOW FIELD KEYS FROM "rp"."m"` (InfluxDB 1.x answers `SHOW FIELD KEYS` from the shards
 * of one policy only, and lists a key once per type when shards disagree).
 *
 * ```ts
 * const found = await introspectDatabase(client, 'metrics', { measurements: ['cpu'] });
 * // { database: 'metrics', measurements: [{ name: 'cpu', tagKeys: ['host'],
 * //   fields: [{ key: 'usage', types: ['float'], typesByRetentionPolicy: { autogen: ['float'] } }] }] }
 * ```
 */
export async function introspectDatabase(
  client: InfluxDBClient,
  database: string,
  options: IntrospectOptions = {},
): Promise<DatabaseIntrospection> {
  if (typeof database !== 'string' || database === '') {
    throw new InfluxConfigError('introspectDatabase(database): give the name of a database');
  }
  const known = await client.listDatabases();
  if (!known.some((d) => d.name === database)) {
    throw new InfluxConfigError(
      `introspectDatabase: database ${JSON.stringify(database)} does not exist on the server (it has ${known.map((d) => JSON.stringify(d.name)).join(', ') || 'none'})`,
    );
  }
  const filters = options.measurements ?? [];
  const names = (await client.listMeasurements(database))
    .map((m) => m.name)
    .filter(
      (name) =>
        filters.length === 0 || filters.some((f) => (typeof f === 'string' ? f === name : f.test(name))),
    );
  const missing = filters.filter((f) => typeof f === 'string' && !names.includes(f));
  if (missing.length > 0) {
    throw new InfluxConfigError(
      `introspectDatabase: no measurement ${missing.map((m) => JSON.stringify(m)).join(', ')} in database ${JSON.stringify(database)}`,
    );
  }
  const policies = await client.listRetentionPolicies(database);
  policies.sort((a, b) => Number(b.default) - Number(a.default));
  const measurements: PulledMeasurement[] = [];
  for (const name of names) {
    const tagKeys = (await client.listTagKeys({ database, measurement: name })).map((t) => t.tagKey);
    const fields = new Map<string, { types: ModelFieldType[]; byRp: Record<string, ModelFieldType[]> }>();
    for (const rp of policies) {
      const rows = await client.listFieldKeys({ database, measurement: name, retentionPolicy: rp.name });
      for (const row of rows) {
        if (!FIELD_TYPES.includes(row.fieldType)) {
          throw new InfluxConfigError(
            `introspectDatabase: field ${JSON.stringify(row.fieldKey)} of ${JSON.stringify(name)} has type ${JSON.stringify(row.fieldType)}, which is not an InfluxDB 1.x field type`,
          );
        }
        const type = row.fieldType as ModelFieldType;
        let f = fields.get(row.fieldKey);
        if (f === undefined) {
          f = { types: [], byRp: {} };
          fields.set(row.fieldKey, f);
        }
        if (!f.types.includes(type)) f.types.push(type);
        const inRp = f.byRp[rp.name] ?? [];
        f.byRp[rp.name] = inRp;
        if (!inRp.includes(type)) inRp.push(type);
      }
    }
    const m: PulledMeasurement = {
      name,
      tagKeys,
      fields: [...fields.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, f]) => ({ key, types: f.types, typesByRetentionPolicy: f.byRp })),
    };
    measurements.push(m);
    options.onMeasurement?.(m, measurements.length, names.length);
  }
  return { database, measurements };
}
