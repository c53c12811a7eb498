import {
  InfluxDBClientError,
  InfluxDBPartialWriteError,
  InfluxDBServerError,
  InfluxUnsupportedQueryError,
} from '../errors.js';
import {
  compareUtf8,
  LineParseError,
  type ParsedPoint,
  parseLine,
  type StoredFieldValue,
} from '../line-protocol/line-parser.js';
import { lineEnd } from '../line-protocol/line-scanner.js';
import { floorDiv } from '../line-protocol/time.js';

/** InfluxDB's field types. */
export type FieldType = 'float' | 'integer' | 'string' | 'boolean';

/** The type of a stored value (floats are numbers, integers bigints). */
export function fieldTypeOf(v: StoredFieldValue): FieldType {
  switch (typeof v) {
    case 'number':
      return 'float';
    case 'bigint':
      return 'integer';
    case 'string':
      return 'string';
    default:
      return 'boolean';
  }
}

/** One series: measurement + sorted tags, and its points by time (fields merged per time). */
export class StoredSeries {
  readonly rows = new Map<bigint, Map<string, StoredFieldValue>>();
  #sorted: bigint[] | undefined;
  readonly tagMap: Readonly<Record<string, string>>;
  constructor(
    readonly key: string,
    readonly measurement: string,
    readonly tags: ReadonlyArray<readonly [string, string]>,
  ) {
    this.tagMap = Object.fromEntries(tags);
  }

  /** Times in ascending order (cached until the next write). */
  times(): readonly bigint[] {
    if (this.#sorted === undefined) {
      this.#sorted = [...this.rows.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
    return this.#sorted;
  }

  put(time: bigint, fields: ReadonlyMap<string, StoredFieldValue>): void {
    const row = this.rows.get(time);
    if (row === undefined) {
      this.rows.set(time, new Map(fields));
      this.#sorted = undefined;
    } else for (const [k, v] of fields) row.set(k, v);
  }

  deleteRange(min: bigint, max: bigint): void {
    for (const t of [...this.rows.keys()]) if (t >= min && t <= max) this.rows.delete(t);
    this.#sorted = undefined;
  }
}

/** A measurement of one retention policy: its series and, per shard group, its field types. */
export class StoredMeasurement {
  readonly series = new Map<string, StoredSeries>();
  /** Shard group start -> field key -> type (the server checks types per shard). */
  readonly shardFields = new Map<bigint, Map<string, FieldType>>();
  constructor(readonly name: string) {}

  /** Every field key with its type; throws when a key has different types in different shards. */
  fieldTypes(): Map<string, FieldType> {
    const out = new Map<string, FieldType>();
    for (const fields of this.shardFields.values()) {
      for (const [k, t] of fields) {
        const seen = out.get(k);
        if (seen !== undefined && seen !== t) {
          throw new InfluxUnsupportedQueryError(
            `field "${k}" of measurement "${this.name}" with type ${seen} in one shard and ${t} in another`,
          );
        }
        out.set(k, t);
      }
    }
    return out;
  }

  /** Tag keys present in the measurement's series, sorted. */
  tagKeys(): string[] {
    const keys = new Set<string>();
    for (const s of this.series.values()) for (const [k] of s.tags) keys.add(k);
    return [...keys].sort(compareUtf8);
  }

  /** Series sorted by series key. */
  sortedSeries(): StoredSeries[] {
    return [...this.series.values()].sort((a, b) => compareUtf8(a.key, b.key));
  }

  /** True when no series holds a point any more. */
  isEmpty(): boolean {
    for (const s of this.series.values()) if (s.rows.size > 0) return false;
    return true;
  }
}

/** A retention policy and its measurements. */
export class StoredRetentionPolicy {
  readonly measurements = new Map<string, StoredMeasurement>();
  constructor(
    readonly name: string,
    /** Nanoseconds; 0n = infinite. */
    public duration: bigint,
    public shardGroupDuration: bigint,
    public replication: number,
  ) {}
}

/** A database: retention policies, one of them the default. */
export class StoredDatabase {
  readonly retentionPolicies = new Map<string, StoredRetentionPolicy>();
  defaultRetentionPolicy = 'autogen';
  constructor(readonly name: string) {
    this.retentionPolicies.set('autogen', new StoredRetentionPolicy('autogen', 0n, WEEK, 1));
  }
}

const HOUR = 3_600_000_000_000n;
const DAY = 24n * HOUR;
const WEEK = 7n * DAY;
/** Go truncates times relative to year 1 (a Monday); the Unix epoch is 3 days after a Monday. */
const WEEK_SHIFT = 3n * DAY;

/** The shard group duration InfluxDB picks for a retention policy duration (0 = infinite). */
export function shardGroupDurationFor(duration: bigint): bigint {
  if (duration === 0n || duration >= 180n * DAY) return WEEK;
  if (duration >= 2n * DAY) return DAY;
  return HOUR;
}

/** The start of the shard group of `time` (shard groups of one week start on Mondays, as Go's). */
export function shardStart(time: bigint, duration: bigint): bigint {
  const shift = duration === WEEK ? WEEK_SHIFT : 0n;
  return floorDiv(time + shift, duration) * duration - shift;
}

/** Splits a body into lines the way InfluxDB does (a newline in a quoted string does not end one). */
export function splitLines(body: string): string[] {
  const out: string[] = [];
  for (let pos = 0; pos < body.length; ) {
    const end = lineEnd(body, pos);
    out.push(body.slice(pos, end));
    pos = end + 1;
  }
  return out;
}

/**
 * The data of an in-memory InfluxDB: databases, retention policies, measurements, series and
 * points, with the server's write semantics (see `MemoryInflux`).
 */
export class MemoryStore {
  readonly databases = new Map<string, StoredDatabase>();

  database(name: string): StoredDatabase {
    const db = this.databases.get(name);
    if (db === undefined) throw new InfluxDBClientError(`database not found: ${name}`);
    return db;
  }

  retentionPolicy(db: StoredDatabase, name: string | undefined): StoredRetentionPolicy {
    const rp = db.retentionPolicies.get(name ?? db.defaultRetentionPolicy);
    if (rp === undefined) throw new InfluxDBClientError(`retention policy not found: ${name}`);
    return rp;
  }

  /**
   * Stores line protocol as `POST /write` does: unknown database -> 404; unknown retention
   * policy -> 500; unparseable lines are skipped and reported (partial write, dropped=0); points
   * older than the retention policy's duration and points whose field type conflicts with the
   * shard's are dropped (partial write naming the first reason); a batch that creates one new
   * field with two types fails as a whole (`field type conflict`).
   */
  write(
    body: string,
    database: string,
    retentionPolicy: string | undefined,
    unit: bigint,
    now: bigint,
  ): void {
    const db = this.databases.get(database);
    if (db === undefined) throw new InfluxDBClientError(`database not found: "${database}"`, 404);
    const rp = db.retentionPolicies.get(retentionPolicy ?? db.defaultRetentionPolicy);
    if (rp === undefined)
      throw new InfluxDBServerError(`retention policy not found: ${retentionPolicy}`, 500);
    const points: ParsedPoint[] = [];
    const parseErrors: string[] = [];
    for (const raw of splitLines(body)) {
      const line = raw.replace(/^[ \t]+/, '');
      if (line.trim() === '' || line.startsWith('#')) continue;
      try {
        points.push(parseLine(line.replace(/[ \t\r]+$/, ''), unit));
      } catch (e) {
        if (e instanceof LineParseError) parseErrors.push(e.message);
        else throw e;
      }
    }
    if (points.length === 0 && parseErrors.length > 0) {
      throw new InfluxDBClientError(parseErrors.join('\n'), 400);
    }
    let dropped = 0;
    let reason: string | undefined;
    const accepted: Array<{ p: ParsedPoint; time: bigint; shard: bigint }> = [];
    const created = new Map<string, FieldType>();
    for (const p of points) {
      const time = p.time ?? now;
      if (rp.duration > 0n && time < now - rp.duration) {
        dropped++;
        reason ??= 'points beyond retention policy';
        continue;
      }
      const shard = shardStart(time, rp.shardGroupDuration);
      const known = rp.measurements.get(p.measurement)?.shardFields.get(shard);
      let conflict: string | undefined;
      for (const [k, v] of p.fields) {
        const t = fieldTypeOf(v);
        const had = known?.get(k);
        if (had !== undefined && had !== t) {
          conflict = `field type conflict: input field "${k}" on measurement "${p.measurement}" is type ${t}, already exists as type ${had}`;
          break;
        }
      }
      if (conflict !== undefined) {
        dropped++;
        reason ??= conflict;
        continue;
      }
      for (const [k, v] of p.fields) {
        if (known?.has(k)) continue;
        const id = `${shard}\u0000${p.measurement}\u0000${k}`;
        const t = fieldTypeOf(v);
        const had = created.get(id);
        if (had !== undefined && had !== t) throw new InfluxDBClientError('field type conflict', 400);
        created.set(id, t);
      }
      accepted.push({ p, time, shard });
    }
    for (const { p, time, shard } of accepted) {
      let m = rp.measurements.get(p.measurement);
      if (m === undefined) {
        m = new StoredMeasurement(p.measurement);
        rp.measurements.set(p.measurement, m);
      }
      let fields = m.shardFields.get(shard);
      if (fields === undefined) {
        fields = new Map();
        m.shardFields.set(shard, fields);
      }
      for (const [k, v] of p.fields) if (!fields.has(k)) fields.set(k, fieldTypeOf(v));
      const key = seriesKey(p.measurement, p.tags);
      let s = m.series.get(key);
      if (s === undefined) {
        s = new StoredSeries(key, p.measurement, p.tags);
        m.series.set(key, s);
      }
      s.put(time, p.fields);
    }
    if (parseErrors.length > 0) {
      throw new InfluxDBPartialWriteError(
        `partial write: ${parseErrors.join('\n')} dropped=0`,
        400,
        parseErrors.join('\n'),
        0,
      );
    }
    if (reason !== undefined) {
      throw new InfluxDBPartialWriteError(
        `partial write: ${reason} dropped=${dropped}`,
        400,
        reason,
        dropped,
      );
    }
  }
}

/** The series key as InfluxDB writes it: `measurement,k1=v1,k2=v2` with tags sorted (escaped). */
export function seriesKey(measurement: string, tags: ReadonlyArray<readonly [string, string]>): string {
  let key = measurement.replace(/[, ]/g, '\\$&');
  for (const [k, v] of tags) key += `,${k.replace(/[, =]/g, '\\$&')}=${v.replace(/[, =]/g, '\\$&')}`;
  return key;
}
