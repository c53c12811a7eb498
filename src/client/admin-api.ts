import { InfluxConfigError } from '../errors.js';
import { compileStatement, rawSelectText } from '../influxql/compiler.js';
import {
  checkLiteral,
  checkName,
  checkPassword,
  checkPrivilege,
  checkReplication,
  checkStorageName,
  configFail,
  describeValue,
  durationLiteral,
  type Privilege,
} from '../influxql/literals.js';
import { measurementNode, tagEquals } from '../influxql/nodes.js';
import type { ConditionNode } from '../influxql/select-ast.js';
import type { CreateContinuousQueryNode, StatementNode } from '../influxql/statement-ast.js';
import type { RawSeries, ResultSet } from '../results/result-set.js';
import type { QueryOptions } from './client-options.js';

/** Continuous-query resampling: `RESAMPLE EVERY <every> FOR <for>`. */
export interface ResampleOptions {
  /** How often the query runs, e.g. '10s' (defaults to the GROUP BY time interval). */
  every?: string;
  /** How far back each run looks, e.g. '2m' (defaults to the GROUP BY time interval). */
  for?: string;
}

/**
 * A row of `SHOW RETENTION POLICIES`, with the server's column names. Only the columns the server
 * sent are present (InfluxDB 1.x sends all of them; v1-compatible APIs of other servers may send
 * fewer): a missing or null column is left out, never invented.
 */
export interface RetentionPolicyInfo {
  name: string;
  /** e.g. '168h0m0s'; '0s' means infinite. */
  duration?: string;
  shardGroupDuration?: string;
  replicaN?: number;
  default?: boolean;
}

/** A row of `SHOW USERS`. */
export interface UserInfo {
  user: string;
  admin: boolean;
}

/** A row of `SHOW GRANTS FOR "user"`, e.g. `{ database: 'db', privilege: 'READ' }`. */
export interface PrivilegeInfo {
  database: string;
  /** 'READ', 'WRITE', 'ALL PRIVILEGES' or 'NO PRIVILEGES', as the server spells it. */
  privilege: string;
}

/** A tag key of a measurement (`SHOW TAG KEYS`). */
export interface TagKeyInfo {
  measurement: string;
  tagKey: string;
}

/** A field key of a measurement and its type (`SHOW FIELD KEYS`). */
export interface FieldKeyInfo {
  measurement: string;
  fieldKey: string;
  /** 'float', 'integer', 'string' or 'boolean'. */
  fieldType: string;
}

/** A continuous query (`SHOW CONTINUOUS QUERIES`): its name and full `CREATE` statement. */
export interface ContinuousQueryInfo {
  name: string;
  query: string;
}

/** Tag values of a series filter; matched with `=` on string values. */
export type SeriesTags = Readonly<Record<string, string | number | boolean | bigint>>;

/** Options of {@link InfluxAdminApi.listSeries} and {@link InfluxAdminApi.deleteSeries}. */
export interface SeriesFilter {
  /** Database; the client's current database when omitted. */
  database?: string;
  /** Only the series of this measurement. */
  measurement?: string;
  /** Only the series with all these tag values. */
  tags?: SeriesTags;
}

/** Options of {@link InfluxAdminApi.createRetentionPolicy}. */
export interface CreateRetentionPolicyOptions {
  /** Database; the client's current database when omitted. */
  database?: string;
  /** Make it the database's default policy. Default false. */
  default?: boolean;
  /** Shard group duration, e.g. '1h'; '0s' (the default) lets the server choose. */
  shardDuration?: string;
}

/** Options of {@link InfluxAdminApi.alterRetentionPolicy}; give at least one change. */
export interface AlterRetentionPolicyOptions {
  /** Database; the client's current database when omitted. */
  database?: string;
  /** New duration, e.g. '4d' or 'INF'. */
  duration?: string;
  /** New replication factor (1 on a single server). */
  replication?: number;
  /** Make it the default policy (`true`; `false` is not an InfluxQL statement and is refused). */
  default?: boolean;
  /** New shard group duration, e.g. '2h'. */
  shardDuration?: string;
}

/** Options of {@link InfluxAdminApi.createContinuousQuery}. */
export interface CreateContinuousQueryOptions {
  /** Database; the client's current database when omitted. */
  database?: string;
  /** `RESAMPLE EVERY … FOR …`: `{ every: '10s', for: '2m' }` or the seed's string `'EVERY 10s FOR 2m'`. */
  resample?: ResampleOptions | string;
  /** influxdb-python's name for `resample` (a string such as `'EVERY 10s FOR 2m'`). */
  resampleOpts?: string;
  /** Shorthand for `resample: { every }`: how often the query runs, e.g. '10s'. */
  every?: string;
  /** Shorthand for `resample: { for }`: how far back each run looks, e.g. '2m'. */
  for?: string;
}

/** Options of the `list…` methods that read one database. */
export interface DatabaseOption {
  /** Database; the client's current database when omitted. */
  database?: string;
}

/** Options of {@link InfluxAdminApi.listTagKeys} and {@link InfluxAdminApi.listFieldKeys}. */
export interface KeysOptions extends DatabaseOption {
  /** Only the keys of this measurement. */
  measurement?: string;
}

/** Options of {@link InfluxAdminApi.listFieldKeys}. */
export interface FieldKeysOptions extends KeysOptions {
  /**
   * Read the shards of this retention policy (`FROM "rp"."m"`, or `"rp"./.*\/` for every
   * measurement). InfluxDB 1.x answers `SHOW FIELD KEYS` from the default policy's shards only.
   */
  retentionPolicy?: string;
}

/** Series of a statement's result (`ResultSet.raw.series`). */
function seriesOf(rs: ResultSet): readonly RawSeries[] {
  const series = rs.raw?.series;
  return Array.isArray(series) ? series : [];
}

/** Rows of every series as objects keyed by column, plus the series name. */
function rowsOf(rs: ResultSet): Array<{ series: string | undefined; row: Record<string, unknown> }> {
  const out: Array<{ series: string | undefined; row: Record<string, unknown> }> = [];
  for (const s of seriesOf(rs)) {
    const columns = s.columns ?? [];
    for (const values of s.values ?? []) {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i];
      out.push({ series: s.name, row });
    }
  }
  return out;
}

/** The tag filter of a series statement: `"key" = 'value'` for each tag (values as strings). */
function whereTags(tags: SeriesTags | undefined, what: string): ConditionNode[] {
  if (tags === undefined) return [];
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw new InfluxConfigError(`${what}: must be an object of tag values, got ${describeValue(tags)}`);
  }
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    checkName(key, configFail(`${what} key`));
    if (!['string', 'number', 'boolean', 'bigint'].includes(typeof value)) {
      throw new InfluxConfigError(
        `${what}.${key}: must be a string, number, boolean or bigint, got ${describeValue(value)}`,
      );
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new InfluxConfigError(`${what}.${key}: ${value} is not a tag value`);
    }
    strings[key] = checkLiteral(String(value), configFail(`${what}.${key}`));
  }
  return tagEquals(strings);
}

/** `checkName` for a method argument: `InfluxConfigError('method(arg): …')`. */
function nameArg(value: unknown, what: string): string {
  return checkName(value, configFail(what));
}

/** `checkStorageName` for a method argument (databases and retention policies). */
function storageArg(value: unknown, what: string): string {
  return checkStorageName(value, configFail(what));
}

/** A duration argument; `INF` allowed where `infinite`. */
function durationArg(value: unknown, what: string, infinite = false): string {
  return durationLiteral(value, configFail(what), { infinite });
}

/**
 * The `RESAMPLE` part of a continuous query from `{ every, for }` or from influxdb-python's
 * `resample_opts` string (`'EVERY 10s FOR 2m'`, `'EVERY 10s'`, `'FOR 2m'`), both checked strictly.
 * Undefined when there is nothing to resample.
 */
export function resampleNode(
  value: ResampleOptions | string | undefined,
  what: string,
): CreateContinuousQueryNode['resample'] {
  if (value === undefined) return undefined;
  const fail = configFail(what);
  let every: unknown;
  let forPart: unknown;
  if (typeof value === 'string') {
    const m = /^\s*(?:EVERY\s+(\S+))?\s*(?:FOR\s+(\S+))?\s*$/i.exec(value);
    if (!m || (m[1] === undefined && m[2] === undefined)) {
      return fail(
        `${describeValue(value)} is not 'EVERY <duration> FOR <duration>' (either part may be left out)`,
      );
    }
    every = m[1];
    forPart = m[2];
  } else if (typeof value === 'object' && value !== null) {
    every = value.every;
    forPart = value.for;
    if (every === undefined && forPart === undefined) return fail('give `every`, `for` or both');
  } else {
    return fail(`must be { every, for } or a string such as 'EVERY 10s FOR 2m', got ${describeValue(value)}`);
  }
  return {
    every: every === undefined ? undefined : durationArg(every, `${what}.every`),
    for: forPart === undefined ? undefined : durationArg(forPart, `${what}.for`),
  };
}

function ownObject<T extends object>(value: T | undefined, what: string): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InfluxConfigError(`${what}: options must be an object, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * The database, retention-policy, user, privilege and continuous-query helpers of influxdb-python,
 * built on `query`. `InfluxDBClient` extends this class.
 *
 * Identifiers (databases, measurements, policies, users, tag keys) are always quoted with
 * `quoteIdent` and strings (passwords, tag values) with `quoteLiteral`, so any name works and
 * nothing can be injected; the parts InfluxQL does not let us quote (durations, replication
 * factors, privileges, `RESAMPLE` options) are checked against strict patterns. A bad argument
 * throws {@link InfluxConfigError} naming the method and the argument before anything is sent.
 * Statements that change state are sent with POST (influxdb-python sent `SET PASSWORD` and the
 * continuous-query statements with GET).
 *
 * ```ts
 * await client.createDatabase('metrics');          // CREATE DATABASE "metrics"
 * await client.createRetentionPolicy('week', '7d', 1, { database: 'metrics', default: true });
 * // CREATE RETENTION POLICY "week" ON "metrics" DURATION 7d REPLICATION 1 SHARD DURATION 0s DEFAULT
 * await client.listDatabases();                    // [{ name: '_internal' }, { name: 'metrics' }]
 * ```
 */
export abstract class InfluxAdminApi {
  /**
   * Runs one InfluxQL statement (implemented by InfluxDBClient).
   *
   * ```ts
   * const rs = await client.query('SHOW DATABASES');
   * [...rs.getPoints()]; // [{ name: '_internal' }, { name: 'metrics' }]
   * ```
   */
  abstract query(q: string, options?: QueryOptions): Promise<ResultSet>;
  /** The client's current default database (see switchDatabase). */
  protected abstract currentDatabase(): string | undefined;

  /** The database to use: the argument, else the client's current one, else a typed error. */
  #databaseFor(database: unknown, method: string): string {
    if (database !== undefined) return storageArg(database, `${method}(database)`);
    const current = this.currentDatabase();
    if (current === undefined || current === '') {
      throw new InfluxConfigError(
        `${method}: no database given and the client has no default database; pass { database } or call switchDatabase()`,
      );
    }
    return current;
  }

  /** Compiles a statement node (values inline: admin statements carry no bound parameters). */
  #send(node: StatementNode, method: 'GET' | 'POST', database?: string): Promise<ResultSet> {
    const { query } = compileStatement(node, { inline: true });
    return this.query(query, database === undefined ? { method } : { method, database });
  }

  #post(node: StatementNode, database?: string): Promise<ResultSet> {
    return this.#send(node, 'POST', database);
  }

  #get(node: StatementNode, database?: string): Promise<ResultSet> {
    return this.#send(node, 'GET', database);
  }

  // ---- databases and measurements -------------------------------------------------------------

  /**
   * Creates a database (no error if it exists).
   *
   * ```ts
   * await client.createDatabase('new_db'); // POST  CREATE DATABASE "new_db"
   * ```
   */
  async createDatabase(name: string): Promise<void> {
    await this.#post({ kind: 'createDatabase', name: storageArg(name, 'createDatabase(name)') });
  }

  /**
   * Drops a database and all its data (no error if it does not exist).
   *
   * ```ts
   * await client.dropDatabase('old_db'); // POST  DROP DATABASE "old_db"
   * ```
   */
  async dropDatabase(name: string): Promise<void> {
    await this.#post({ kind: 'dropDatabase', name: storageArg(name, 'dropDatabase(name)') });
  }

  /**
   * Lists the databases, as influxdb-python's `get_list_database`.
   *
   * ```ts
   * await client.listDatabases(); // SHOW DATABASES -> [{ name: '_internal' }, { name: 'db' }]
   * ```
   */
  async listDatabases(): Promise<Array<{ name: string }>> {
    const rs = await this.#get({ kind: 'showDatabases' });
    return rowsOf(rs).map(({ row }) => ({ name: String(row.name) }));
  }

  /**
   * Lists the measurements of a database (the client's current one by default).
   *
   * ```ts
   * await client.listMeasurements('db'); // SHOW MEASUREMENTS (db=db) -> [{ name: 'cpu' }]
   * ```
   */
  async listMeasurements(database?: string): Promise<Array<{ name: string }>> {
    const db = this.#databaseFor(database, 'listMeasurements');
    const rs = await this.#get(
      { kind: 'showMeasurements', database: undefined, name: undefined, limit: undefined, offset: undefined },
      db,
    );
    return rowsOf(rs).map(({ row }) => ({ name: String(row.name) }));
  }

  /**
   * Drops a measurement and all its series from a database (the current one by default).
   *
   * ```ts
   * await client.dropMeasurement('cpu'); // POST  DROP MEASUREMENT "cpu"
   * ```
   */
  async dropMeasurement(measurement: string, database?: string): Promise<void> {
    const m = nameArg(measurement, 'dropMeasurement(measurement)');
    const db = this.#databaseFor(database, 'dropMeasurement');
    await this.#post({ kind: 'dropMeasurement', name: m }, db);
  }

  /**
   * Lists series keys (`measurement,tag=value,...`), optionally of one measurement and with
   * given tag values, as influxdb-python's `get_list_series`.
   *
   * ```ts
   * await client.listSeries({ measurement: 'cpu', tags: { host: 'a' } });
   * // SHOW SERIES FROM "cpu" WHERE "host"='a'  -> ['cpu,host=a,region=eu']
   * ```
   */
  async listSeries(filter: SeriesFilter = {}): Promise<string[]> {
    const f = ownObject(filter, 'listSeries');
    const db = this.#databaseFor(f.database, 'listSeries');
    const from =
      f.measurement === undefined
        ? undefined
        : measurementNode(nameArg(f.measurement, 'listSeries(measurement)'));
    const where = whereTags(f.tags, 'listSeries(tags)');
    const rs = await this.#get({ kind: 'showSeries', database: undefined, from, where }, db);
    return rowsOf(rs).map(({ row }) => String(row.key));
  }

  /**
   * Deletes series (all their points) by measurement and/or tag values. At least one of
   * `measurement` and `tags` is required: a bare `DROP SERIES` is not a statement.
   *
   * ```ts
   * await client.deleteSeries({ measurement: 'cpu', tags: { host: 'b', r: "it's" } });
   * // POST  DROP SERIES FROM "cpu" WHERE "host"='b' AND "r"='it\'s'
   * ```
   */
  async deleteSeries(filter: SeriesFilter): Promise<void> {
    const f = ownObject(filter, 'deleteSeries');
    const where = whereTags(f.tags, 'deleteSeries(tags)');
    if (f.measurement === undefined && where.length === 0) {
      throw new InfluxConfigError(
        'deleteSeries: give a measurement, tags or both (refusing to drop every series)',
      );
    }
    const db = this.#databaseFor(f.database, 'deleteSeries');
    const from =
      f.measurement === undefined
        ? undefined
        : measurementNode(nameArg(f.measurement, 'deleteSeries(measurement)'));
    await this.#post({ kind: 'dropSeries', from, where }, db);
  }

  /**
   * Lists the tag keys of every measurement, or of one.
   *
   * ```ts
   * await client.listTagKeys({ measurement: 'cpu' });
   * // SHOW TAG KEYS FROM "cpu" -> [{ measurement: 'cpu', tagKey: 'host' }]
   * ```
   */
  async listTagKeys(options: KeysOptions = {}): Promise<TagKeyInfo[]> {
    const o = ownObject(options, 'listTagKeys');
    const db = this.#databaseFor(o.database, 'listTagKeys');
    const from =
      o.measurement === undefined
        ? undefined
        : measurementNode(nameArg(o.measurement, 'listTagKeys(measurement)'));
    const rs = await this.#get({ kind: 'showTagKeys', database: undefined, from, where: [] }, db);
    return rowsOf(rs).map(({ series, row }) => ({ measurement: String(series), tagKey: String(row.tagKey) }));
  }

  /**
   * Lists the field keys and their types of every measurement, or of one (not in influxdb-python).
   * A key written with different types into different shards is listed once per type.
   *
   * ```ts
   * await client.listFieldKeys({ measurement: 'cpu' });
   * // SHOW FIELD KEYS FROM "cpu" -> [{ measurement: 'cpu', fieldKey: 'usage', fieldType: 'float' }]
   * await client.listFieldKeys({ measurement: 'cpu', retentionPolicy: 'week' }); // SHOW FIELD KEYS FROM "week"."cpu"
   * ```
   */
  async listFieldKeys(options: FieldKeysOptions = {}): Promise<FieldKeyInfo[]> {
    const o = ownObject(options, 'listFieldKeys');
    const db = this.#databaseFor(o.database, 'listFieldKeys');
    const m = o.measurement === undefined ? undefined : nameArg(o.measurement, 'listFieldKeys(measurement)');
    const retentionPolicy =
      o.retentionPolicy === undefined
        ? undefined
        : storageArg(o.retentionPolicy, 'listFieldKeys(retentionPolicy)');
    // Every measurement of a policy is `"rp"./.*/` (a policy alone is not a source).
    const from =
      retentionPolicy !== undefined
        ? measurementNode(m ?? { regex: '.*' }, { retentionPolicy })
        : m === undefined
          ? undefined
          : measurementNode(m);
    const rs = await this.#get({ kind: 'showFieldKeys', database: undefined, from, where: [] }, db);
    return rowsOf(rs).map(({ series, row }) => ({
      measurement: String(series),
      fieldKey: String(row.fieldKey),
      fieldType: String(row.fieldType),
    }));
  }

  // ---- retention policies ------------------------------------------------------------------------

  /**
   * Creates a retention policy. `duration` and `shardDuration` are InfluxQL durations ('1d',
   * '1h30m'; `duration` may be 'INF'), `replication` an integer from 1.
   *
   * ```ts
   * await client.createRetentionPolicy('somename', '1d', 4, { database: 'db', default: true });
   * // POST  CREATE RETENTION POLICY "somename" ON "db" DURATION 1d REPLICATION 4 SHARD DURATION 0s DEFAULT
   * ```
   */
  async createRetentionPolicy(
    name: string,
    duration: string,
    replication: number,
    options: CreateRetentionPolicyOptions = {},
  ): Promise<void> {
    const o = ownObject(options, 'createRetentionPolicy');
    const rp = storageArg(name, 'createRetentionPolicy(name)');
    const d = durationArg(duration, 'createRetentionPolicy(duration)', true);
    const r = checkReplication(replication, configFail('createRetentionPolicy(replication)'));
    const shard = durationArg(o.shardDuration ?? '0s', 'createRetentionPolicy(shardDuration)');
    checkBoolean(o.default, 'createRetentionPolicy(default)');
    const db = this.#databaseFor(o.database, 'createRetentionPolicy');
    await this.#post({
      kind: 'createRetentionPolicy',
      name: rp,
      database: db,
      duration: d,
      replication: r,
      shardDuration: shard,
      makeDefault: o.default === true,
    });
  }

  /**
   * Changes a retention policy; give at least one of `duration`, `shardDuration`, `replication`,
   * `default: true`.
   *
   * ```ts
   * await client.alterRetentionPolicy('somename', { database: 'db', duration: '4d', shardDuration: '2h', replication: 4, default: true });
   * // POST  ALTER RETENTION POLICY "somename" ON "db" DURATION 4d SHARD DURATION 2h REPLICATION 4 DEFAULT
   * ```
   */
  async alterRetentionPolicy(name: string, options: AlterRetentionPolicyOptions): Promise<void> {
    const o = ownObject(options, 'alterRetentionPolicy');
    const rp = storageArg(name, 'alterRetentionPolicy(name)');
    const duration =
      o.duration === undefined ? undefined : durationArg(o.duration, 'alterRetentionPolicy(duration)', true);
    const shardDuration =
      o.shardDuration === undefined
        ? undefined
        : durationArg(o.shardDuration, 'alterRetentionPolicy(shardDuration)');
    const replication =
      o.replication === undefined
        ? undefined
        : checkReplication(o.replication, configFail('alterRetentionPolicy(replication)'));
    if (o.default !== undefined && o.default !== true) {
      throw new InfluxConfigError(
        'alterRetentionPolicy(default): only `true` can be given (make another policy the default instead)',
      );
    }
    if (duration === undefined && shardDuration === undefined && replication === undefined && !o.default) {
      throw new InfluxConfigError(
        'alterRetentionPolicy: nothing to change; give duration, shardDuration, replication or default: true',
      );
    }
    const db = this.#databaseFor(o.database, 'alterRetentionPolicy');
    await this.#post({
      kind: 'alterRetentionPolicy',
      name: rp,
      database: db,
      duration,
      shardDuration,
      replication,
      makeDefault: o.default === true,
    });
  }

  /**
   * Drops a retention policy and its data.
   *
   * ```ts
   * await client.dropRetentionPolicy('somename', 'db'); // POST  DROP RETENTION POLICY "somename" ON "db"
   * ```
   */
  async dropRetentionPolicy(name: string, database?: string): Promise<void> {
    const rp = storageArg(name, 'dropRetentionPolicy(name)');
    const db = this.#databaseFor(database, 'dropRetentionPolicy');
    await this.#post({ kind: 'dropRetentionPolicy', name: rp, database: db });
  }

  /**
   * Lists the retention policies of a database (the current one by default).
   *
   * ```ts
   * await client.listRetentionPolicies('db');
   * // SHOW RETENTION POLICIES ON "db"
   * // -> [{ name: 'autogen', duration: '0s', shardGroupDuration: '168h0m0s', replicaN: 1, default: true }]
   * ```
   */
  async listRetentionPolicies(database?: string): Promise<RetentionPolicyInfo[]> {
    const db = this.#databaseFor(database, 'listRetentionPolicies');
    const rs = await this.#get({ kind: 'showRetentionPolicies', database: db });
    const sent = (v: unknown): boolean => v !== undefined && v !== null;
    return rowsOf(rs).map(({ row }) => {
      const info: RetentionPolicyInfo = { name: String(row.name) };
      if (sent(row.duration)) info.duration = String(row.duration);
      if (sent(row.shardGroupDuration)) info.shardGroupDuration = String(row.shardGroupDuration);
      if (sent(row.replicaN)) info.replicaN = Number(row.replicaN);
      if (sent(row.default)) info.default = row.default === true;
      return info;
    });
  }

  // ---- users and privileges ----------------------------------------------------------------------

  /**
   * Creates a user; with `admin`, one with all privileges. The password is sent as a quoted
   * literal in a POST body and never appears in an error message.
   *
   * ```ts
   * await client.createUser('bob', "p'w", true); // POST  CREATE USER "bob" WITH PASSWORD 'p\'w' WITH ALL PRIVILEGES
   * ```
   */
  async createUser(name: string, password: string, admin = false): Promise<void> {
    const user = nameArg(name, 'createUser(name)');
    const pw = checkPassword(password, configFail('createUser(password)'));
    checkBoolean(admin, 'createUser(admin)');
    await this.#post({ kind: 'createUser', name: user, password: pw, admin });
  }

  /**
   * Drops a user.
   *
   * ```ts
   * await client.dropUser('bob'); // POST  DROP USER "bob"
   * ```
   */
  async dropUser(name: string): Promise<void> {
    await this.#post({ kind: 'dropUser', user: nameArg(name, 'dropUser(name)') });
  }

  /**
   * Changes a user's password (sent by POST, unlike influxdb-python's GET, so it stays out of
   * URLs and access logs).
   *
   * ```ts
   * await client.setUserPassword('bob', 'pw'); // POST  SET PASSWORD FOR "bob" = 'pw'
   * ```
   */
  async setUserPassword(name: string, password: string): Promise<void> {
    const u = nameArg(name, 'setUserPassword(name)');
    const pw = checkPassword(password, configFail('setUserPassword(password)'));
    await this.#post({ kind: 'setPassword', user: u, password: pw });
  }

  /**
   * Lists the users.
   *
   * ```ts
   * await client.listUsers(); // SHOW USERS -> [{ user: 'admin', admin: true }]
   * ```
   */
  async listUsers(): Promise<UserInfo[]> {
    const rs = await this.#get({ kind: 'showUsers' });
    return rowsOf(rs).map(({ row }) => ({ user: String(row.user), admin: row.admin === true }));
  }

  /**
   * Makes a user an admin.
   *
   * ```ts
   * await client.grantAdminPrivileges('bob'); // POST  GRANT ALL PRIVILEGES TO "bob"
   * ```
   */
  async grantAdminPrivileges(user: string): Promise<void> {
    await this.#post({ kind: 'grantAdmin', user: nameArg(user, 'grantAdminPrivileges(user)') });
  }

  /**
   * Takes a user's admin rights away.
   *
   * ```ts
   * await client.revokeAdminPrivileges('bob'); // POST  REVOKE ALL PRIVILEGES FROM "bob"
   * ```
   */
  async revokeAdminPrivileges(user: string): Promise<void> {
    await this.#post({ kind: 'revokeAdmin', user: nameArg(user, 'revokeAdminPrivileges(user)') });
  }

  /**
   * Sets a user's privilege on a database to `read`, `write` or `all`. InfluxDB replaces the
   * user's privilege on that database (granting `write` to a reader leaves a writer that cannot
   * read); grant `all` for both.
   *
   * ```ts
   * await client.grantPrivilege('read', 'testdb', 'bob'); // POST  GRANT read ON "testdb" TO "bob"
   * ```
   */
  async grantPrivilege(privilege: Privilege, database: string, user: string): Promise<void> {
    const p = checkPrivilege(privilege, configFail('grantPrivilege(privilege)'));
    const db = storageArg(database, 'grantPrivilege(database)');
    const u = nameArg(user, 'grantPrivilege(user)');
    await this.#post({ kind: 'grant', privilege: p, database: db, user: u });
  }

  /**
   * Revokes `read`, `write` or `all` on a database from a user. InfluxDB clears only the
   * privilege named: revoking `read` from `all` leaves `write`.
   *
   * ```ts
   * await client.revokePrivilege('read', 'testdb', 'bob'); // POST  REVOKE read ON "testdb" FROM "bob"
   * ```
   */
  async revokePrivilege(privilege: Privilege, database: string, user: string): Promise<void> {
    const p = checkPrivilege(privilege, configFail('revokePrivilege(privilege)'));
    const db = storageArg(database, 'revokePrivilege(database)');
    const u = nameArg(user, 'revokePrivilege(user)');
    await this.#post({ kind: 'revoke', privilege: p, database: db, user: u });
  }

  /**
   * Lists a user's database privileges.
   *
   * ```ts
   * await client.listPrivileges('bob'); // SHOW GRANTS FOR "bob" -> [{ database: 'testdb', privilege: 'READ' }]
   * ```
   */
  async listPrivileges(user: string): Promise<PrivilegeInfo[]> {
    const rs = await this.#get({ kind: 'showGrants', user: nameArg(user, 'listPrivileges(user)') });
    return rowsOf(rs).map(({ row }) => ({
      database: String(row.database),
      privilege: String(row.privilege),
    }));
  }

  // ---- continuous queries --------------------------------------------------------------------

  /**
   * Creates a continuous query. `select` is one InfluxQL `SELECT … INTO … GROUP BY time(…)`
   * statement (checked to be a single SELECT: a `;` outside quotes is refused); `resample` adds
   * `RESAMPLE EVERY … FOR …` with checked durations.
   *
   * ```ts
   * await client.createContinuousQuery(
   *   'cq_name',
   *   'SELECT count("value") INTO "6_months"."events" FROM "events" GROUP BY time(10m)',
   *   { database: 'db_name', resample: { every: '10s', for: '2m' } },
   * );
   * // POST  CREATE CONTINUOUS QUERY "cq_name" ON "db_name" RESAMPLE EVERY 10s FOR 2m BEGIN SELECT count("value") INTO "6_months"."events" FROM "events" GROUP BY time(10m) END
   * ```
   */
  async createContinuousQuery(
    name: string,
    select: string,
    options: CreateContinuousQueryOptions = {},
  ): Promise<void> {
    const o = ownObject(options, 'createContinuousQuery');
    const cq = nameArg(name, 'createContinuousQuery(name)');
    const query = { kind: 'rawSelect', text: select } as const;
    rawSelectText(query, configFail('createContinuousQuery(select)'));
    const given = (['resample', 'resampleOpts', 'every/for'] as const).filter((k) =>
      k === 'every/for' ? o.every !== undefined || o.for !== undefined : o[k] !== undefined,
    );
    if (given.length > 1) {
      throw new InfluxConfigError(
        `createContinuousQuery: give only one of ${given.map((k) => `\`${k}\``).join(', ')}`,
      );
    }
    const resample =
      given[0] === 'every/for'
        ? resampleNode({ every: o.every, for: o.for }, 'createContinuousQuery(options)')
        : resampleNode(o.resample ?? o.resampleOpts, `createContinuousQuery(${given[0] ?? 'resample'})`);
    const db = this.#databaseFor(o.database, 'createContinuousQuery');
    await this.#post({ kind: 'createContinuousQuery', name: cq, database: db, resample, query });
  }

  /**
   * Drops a continuous query.
   *
   * ```ts
   * await client.dropContinuousQuery('cq_name', 'db_name'); // POST  DROP CONTINUOUS QUERY "cq_name" ON "db_name"
   * ```
   */
  async dropContinuousQuery(name: string, database?: string): Promise<void> {
    const cq = nameArg(name, 'dropContinuousQuery(name)');
    const db = this.#databaseFor(database, 'dropContinuousQuery');
    await this.#post({ kind: 'dropContinuousQuery', name: cq, database: db });
  }

  /**
   * Lists the continuous queries of every database, in influxdb-python's shape: one object per
   * database, mapping its name to its queries.
   *
   * ```ts
   * await client.listContinuousQueries();
   * // SHOW CONTINUOUS QUERIES
   * // -> [{ _internal: [] }, { db: [{ name: 'cq', query: 'CREATE CONTINUOUS QUERY cq ON db BEGIN … END' }] }]
   * ```
   */
  async listContinuousQueries(): Promise<Array<Record<string, ContinuousQueryInfo[]>>> {
    const rs = await this.#get({ kind: 'showContinuousQueries' });
    return seriesOf(rs).map((s) => {
      const columns = s.columns ?? [];
      const nameAt = columns.indexOf('name');
      const queryAt = columns.indexOf('query');
      const queries = (s.values ?? []).map((v) => ({ name: String(v[nameAt]), query: String(v[queryAt]) }));
      return { [String(s.name)]: queries };
    });
  }
}

function checkBoolean(value: unknown, what: string): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InfluxConfigError(`${what}: must be true or false, got ${describeValue(value)}`);
  }
}
