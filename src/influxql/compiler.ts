import { InfluxValidationError } from '../errors.js';
import { escapeMeasurement } from '../line-protocol/escape.js';
import { firstIllegal, statementsOf, tokenize } from './lexer.js';
import {
  checkCount,
  checkName,
  checkPassword,
  checkPrivilege,
  checkReplication,
  checkStorageName,
  checkTimeZone,
  durationLiteral,
  type Fail,
  quoteIdent,
  quoteLiteral,
  regexLiteral,
  timeLiteral,
  validationFail,
} from './literals.js';
import type {
  ConditionNode,
  ExprNode,
  FillNode,
  IntoNode,
  MeasurementNode,
  ScalarValue,
  SelectNode,
  TimeValueNode,
} from './select-ast.js';
import { type RawSelectNode, SHOW_KEYWORDS, type StatementNode } from './statement-ast.js';

/*
 * The one InfluxQL compiler: every statement the library sends is a node of `statement-ast.ts` /
 * `select-ast.ts` turned into text here. Identifiers always go through `quoteIdent`, strings through
 * `quoteLiteral`, regexes through `regexLiteral`; durations, replication factors, privileges and
 * counts (the parts InfluxQL cannot quote) are checked by `literals.ts` before they are written, so
 * a node from any source (the builder, the admin helpers, the parser, a user) compiles to exactly one
 * statement. A bad node throws `InfluxValidationError` naming the statement kind and the field.
 */

/** Values bound to the `$pN` placeholders of a compiled query (sent as the client's `bindParams`). */
export type BoundParams = Record<string, string | number | bigint | boolean>;

/** A compiled query: InfluxQL text plus the values of its `$pN` placeholders. */
export interface CompiledQuery {
  readonly query: string;
  readonly params: BoundParams;
}

/** Options of {@link compileStatement} and {@link compileQuery}. */
export interface CompileOptions {
  /**
   * Write every value into the text (strings with `quoteLiteral`, times as quoted RFC3339) instead
   * of binding it. Needed for statements stored by the server, such as continuous queries, which
   * cannot refer to bound parameters. Default false.
   */
  inline?: boolean;
}

class CompileContext {
  readonly params: BoundParams = {};
  private next = 0;
  /**
   * influxdb-python's `"k"='v'` (no blanks around the operator): the comparisons of series
   * statements (SHOW SERIES/TAG VALUES, DROP SERIES, DELETE) written with inline values.
   */
  compact = false;
  constructor(readonly inline: boolean) {}

  value(v: ScalarValue): string {
    if (this.inline) return inlineValue(v);
    const name = `p${this.next++}`;
    this.params[name] = v;
    return `$${name}`;
  }
}

/**
 * Turns any statement node into InfluxQL text and bound parameters: the one compile entry point.
 * Values of WHERE clauses are bound as `$p0`, `$p1`, … (or quoted when `inline`).
 *
 * ```ts
 * compileStatement({ kind: 'dropRetentionPolicy', name: 'week', database: 'metrics' }).query;
 * // 'DROP RETENTION POLICY "week" ON "metrics"'
 * compileStatement({ kind: 'showGrants', user: 'bob' }).query; // 'SHOW GRANTS FOR "bob"'
 * ```
 */
export function compileStatement(node: StatementNode, options: CompileOptions = {}): CompiledQuery {
  const ctx = new CompileContext(options.inline === true);
  const query = statement(node, ctx);
  return { query, params: ctx.params };
}

/**
 * Turns a SELECT tree into InfluxQL text and bound parameters ({@link compileStatement} typed for
 * SELECT).
 *
 * ```ts
 * compileQuery(node);
 * // { query: 'SELECT mean("usage") AS "avg" FROM "cpu" WHERE "host" = $p0 GROUP BY time(5m)',
 * //   params: { p0: 'a' } }
 * ```
 */
export function compileQuery(node: SelectNode, options: CompileOptions = {}): CompiledQuery {
  return compileStatement(node, options);
}

/** Fail of a node field: `InfluxValidationError('<kind>', '<field>', …)`. */
function bad(kind: string, field: string): Fail {
  return validationFail(kind, field);
}

function ident(name: unknown, kind: string, field: string): string {
  return quoteIdent(checkName(name, bad(kind, field)));
}

function storage(name: unknown, kind: string, field: string): string {
  return quoteIdent(checkStorageName(name, bad(kind, field)));
}

function onDb(database: string | undefined, kind: string): string {
  return database === undefined ? '' : ` ON ${storage(database, kind, 'database')}`;
}

function duration(value: unknown, kind: string, field: string, infinite = false): string {
  return durationLiteral(value, bad(kind, field), { infinite });
}

function statement(node: StatementNode, ctx: CompileContext): string {
  const k = node.kind;
  switch (node.kind) {
    case 'select':
      return compileSelect(node, ctx);
    case 'showDatabases':
      return 'SHOW DATABASES';
    case 'showUsers':
    case 'showContinuousQueries':
    case 'showQueries':
    case 'showShards':
    case 'showShardGroups':
    case 'showSubscriptions':
    case 'showStats':
    case 'showDiagnostics':
      return `SHOW ${SHOW_KEYWORDS[node.kind]}`;
    case 'showGrants':
      return `SHOW GRANTS FOR ${ident(node.user, k, 'user')}`;
    case 'showRetentionPolicies':
      return `SHOW RETENTION POLICIES${onDb(node.database, k)}`;
    case 'showMeasurements': {
      let q = `SHOW MEASUREMENTS${onDb(node.database, k)}`;
      if (node.name !== undefined) {
        const { op, value } = node.name;
        if (op !== '=' && op !== '=~')
          bad(k, 'name')(`WITH MEASUREMENT takes = or =~ (InfluxDB 1.x), got ${op}`);
        q += ` WITH MEASUREMENT ${op} ${op === '=~' || op === '!~' ? regexLiteral(value, k, 'name') : ident(value, k, 'name')}`;
      }
      if (node.limit !== undefined) q += ` LIMIT ${checkCount(node.limit, bad(k, 'limit'))}`;
      if (node.offset !== undefined) q += ` OFFSET ${checkCount(node.offset, bad(k, 'offset'))}`;
      return q;
    }
    case 'showTagKeys':
    case 'showFieldKeys':
    case 'showSeries':
    case 'showTagValues': {
      const word = {
        showTagKeys: 'TAG KEYS',
        showFieldKeys: 'FIELD KEYS',
        showSeries: 'SERIES',
        showTagValues: 'TAG VALUES',
      }[node.kind];
      let q = `SHOW ${word}${onDb(node.database, k)}`;
      if (node.from !== undefined) q += ` FROM ${compileMeasurement(node.from)}`;
      if (node.kind === 'showTagValues') {
        const key = node.key;
        if ('regex' in key) q += ` WITH KEY ${key.op} ${regexLiteral(key.regex, k, 'key')}`;
        else {
          const names = key.names.map((n) => ident(n, k, 'key'));
          if (key.op === 'in' ? names.length === 0 : names.length !== 1) {
            bad(
              k,
              'key',
            )(`WITH KEY ${key.op} needs ${key.op === 'in' ? 'at least one tag key' : 'one tag key'}`);
          }
          q += key.op === 'in' ? ` WITH KEY IN (${names.join(', ')})` : ` WITH KEY ${key.op} ${names[0]}`;
        }
      }
      return q + whereClause(node.where, ctx, true);
    }
    case 'createDatabase':
    case 'dropDatabase':
      return `${k === 'createDatabase' ? 'CREATE' : 'DROP'} DATABASE ${storage(node.name, k, 'name')}`;
    case 'dropMeasurement':
      return `DROP MEASUREMENT ${ident(node.name, k, 'name')}`;
    case 'dropSeries':
    case 'delete': {
      if (node.from === undefined && node.where.length === 0) {
        bad(k, 'where')('needs FROM, WHERE or both (a bare statement is not InfluxQL)');
      }
      let q = k === 'dropSeries' ? 'DROP SERIES' : 'DELETE';
      if (node.from !== undefined) {
        if (node.from.database !== undefined || node.from.retentionPolicy !== undefined) {
          bad(
            k,
            'from',
          )(
            "InfluxDB 1.x takes a bare measurement here, without database or retention policy (the request's db selects the database)",
          );
        }
        q += ` FROM ${compileMeasurement(node.from)}`;
      }
      return q + whereClause(node.where, ctx, true);
    }
    case 'createRetentionPolicy': {
      let q = `CREATE RETENTION POLICY ${storage(node.name, k, 'name')} ON ${storage(node.database, k, 'database')}`;
      q += ` DURATION ${duration(node.duration, k, 'duration', true)}`;
      q += ` REPLICATION ${checkReplication(node.replication, bad(k, 'replication'))}`;
      if (node.shardDuration !== undefined)
        q += ` SHARD DURATION ${duration(node.shardDuration, k, 'shardDuration')}`;
      return node.makeDefault ? `${q} DEFAULT` : q;
    }
    case 'alterRetentionPolicy': {
      let q = `ALTER RETENTION POLICY ${storage(node.name, k, 'name')} ON ${storage(node.database, k, 'database')}`;
      const head = q.length;
      if (node.duration !== undefined) q += ` DURATION ${duration(node.duration, k, 'duration', true)}`;
      if (node.shardDuration !== undefined)
        q += ` SHARD DURATION ${duration(node.shardDuration, k, 'shardDuration')}`;
      if (node.replication !== undefined)
        q += ` REPLICATION ${checkReplication(node.replication, bad(k, 'replication'))}`;
      if (node.makeDefault) q += ' DEFAULT';
      if (q.length === head)
        bad(k, 'duration')('nothing to change: give a duration, shard duration, replication or default');
      return q;
    }
    case 'dropRetentionPolicy':
      return `DROP RETENTION POLICY ${storage(node.name, k, 'name')} ON ${storage(node.database, k, 'database')}`;
    case 'createUser': {
      const pw = quoteLiteral(checkPassword(node.password, bad(k, 'password')));
      const q = `CREATE USER ${ident(node.name, k, 'name')} WITH PASSWORD ${pw}`;
      return node.admin ? `${q} WITH ALL PRIVILEGES` : q;
    }
    case 'setPassword':
      return `SET PASSWORD FOR ${ident(node.user, k, 'user')} = ${quoteLiteral(checkPassword(node.password, bad(k, 'password')))}`;
    case 'dropUser':
      return `DROP USER ${ident(node.user, k, 'user')}`;
    case 'grantAdmin':
      return `GRANT ALL PRIVILEGES TO ${ident(node.user, k, 'user')}`;
    case 'revokeAdmin':
      return `REVOKE ALL PRIVILEGES FROM ${ident(node.user, k, 'user')}`;
    case 'grant':
    case 'revoke': {
      const p = checkPrivilege(node.privilege, bad(k, 'privilege'));
      const on = `${p} ON ${storage(node.database, k, 'database')}`;
      const user = ident(node.user, k, 'user');
      return k === 'grant' ? `GRANT ${on} TO ${user}` : `REVOKE ${on} FROM ${user}`;
    }
    case 'createContinuousQuery': {
      let q = `CREATE CONTINUOUS QUERY ${ident(node.name, k, 'name')} ON ${storage(node.database, k, 'database')}`;
      const r = node.resample;
      if (r !== undefined) {
        if (r.every === undefined && r.for === undefined) bad(k, 'resample')('give every, for or both');
        q += ' RESAMPLE';
        if (r.every !== undefined) q += ` EVERY ${duration(r.every, k, 'resample.every')}`;
        if (r.for !== undefined) q += ` FOR ${duration(r.for, k, 'resample.for')}`;
      }
      const body =
        node.query.kind === 'rawSelect'
          ? rawSelectText(node.query, bad(k, 'query'))
          : compileSelect(node.query, new CompileContext(true));
      return `${q} BEGIN ${body} END`;
    }
    case 'dropContinuousQuery':
      return `DROP CONTINUOUS QUERY ${ident(node.name, k, 'name')} ON ${storage(node.database, k, 'database')}`;
    case 'killQuery': {
      const q = `KILL QUERY ${checkCount(node.id, bad(k, 'id'))}`;
      return node.host === undefined ? q : `${q} ON ${ident(node.host, k, 'host')}`;
    }
  }
}

/**
 * Checks the text of a {@link RawSelectNode}, read through the InfluxQL lexer: one statement (no
 * `;` outside strings, quoted identifiers, regexes and comments), starting with `SELECT`, nothing
 * the server cannot read (an unterminated string, regex or comment), and not ending in a `--`
 * comment (which would swallow the `END` of a continuous query). Returns it without blanks or a
 * trailing `;` around it.
 *
 * ```ts
 * rawSelectText({ kind: 'rawSelect', text: ' SELECT mean(v) INTO b FROM a GROUP BY time(1m); ' }, fail);
 * // 'SELECT mean(v) INTO b FROM a GROUP BY time(1m)'
 * ```
 */
export function rawSelectText(node: RawSelectNode, fail: Fail): string {
  const value: unknown = node.text;
  if (typeof value !== 'string') return fail(`must be a SELECT statement string, got ${typeof value}`);
  const tokens = tokenize(value);
  const illegal = firstIllegal(tokens);
  if (illegal) return fail(`has ${illegal.error} at character ${illegal.start + 1}`);
  const statements = statementsOf(value, tokens);
  if (statements.length === 0) return fail('must be a SELECT statement (it is empty)');
  if (statements[0]!.verb !== 'SELECT')
    return fail('must be a SELECT statement (it starts with something else)');
  if (statements.length > 1) {
    const sep = tokens.find((t) => t.kind === 'semicolon' && t.start >= statements[0]!.end)!;
    return fail(`must be a single SELECT statement, found ';' at character ${sep.start + 1}`);
  }
  const last = tokens.findLast((t) => t.kind !== 'whitespace' && t.kind !== 'semicolon');
  if (last && last.kind === 'comment' && last.text.startsWith('--')) {
    return fail('must not end with a -- comment (it would swallow the END of the continuous query)');
  }
  return statements[0]!.text;
}

function whereClause(where: readonly ConditionNode[], ctx: CompileContext, compact: boolean): string {
  if (where.length === 0) return '';
  ctx.compact = compact && ctx.inline;
  try {
    return ` WHERE ${compileConditions(where, ctx)}`;
  } finally {
    ctx.compact = false;
  }
}

function compileSelect(node: SelectNode, ctx: CompileContext): string {
  if (node.fields.length === 0) bad('select', 'fields')('needs at least one field');
  let q = `SELECT ${node.fields
    .map((f) =>
      f.alias === undefined ? compileExpr(f.expr) : `${compileExpr(f.expr)} AS ${quoteIdent(f.alias)}`,
    )
    .join(', ')}`;
  if (node.into) q += ` INTO ${compileInto(node.into)}`;
  q +=
    node.from.kind === 'subquery'
      ? ` FROM (${compileSelect(node.from.query, ctx)})`
      : ` FROM ${compileMeasurement(node.from)}`;
  q += whereClause(node.where, ctx, false);
  const g = node.groupBy;
  if (g) {
    const parts: string[] = [];
    if (g.time) {
      const interval = duration(g.time.interval, 'select', 'groupBy');
      parts.push(
        g.time.offset
          ? `time(${interval}, ${durationLiteral(g.time.offset, bad('select', 'groupBy'), { negative: true })})`
          : `time(${interval})`,
      );
    }
    if (g.all) parts.push('*');
    else for (const t of g.tags) parts.push(quoteIdent(t));
    if (parts.length > 0) q += ` GROUP BY ${parts.join(', ')}`;
  }
  if (node.fill !== undefined) q += ` fill(${compileFill(node.fill)})`;
  if (node.orderDesc) q += ' ORDER BY time DESC';
  for (const [word, n] of [
    ['LIMIT', node.limit],
    ['OFFSET', node.offset],
    ['SLIMIT', node.slimit],
    ['SOFFSET', node.soffset],
  ] as const) {
    if (n !== undefined) q += ` ${word} ${checkCount(n, bad('select', word.toLowerCase()))}`;
  }
  if (node.tz !== undefined) q += ` tz(${quoteLiteral(checkTimeZone(node.tz, bad('select', 'tz')))})`;
  return q;
}

function compileFill(fill: FillNode): string {
  return typeof fill === 'string' ? fill : numberText(fill.value);
}

function qualified(database: string | undefined, retentionPolicy: string | undefined, last: string): string {
  if (database !== undefined) {
    return `${quoteIdent(database)}.${retentionPolicy === undefined ? '' : quoteIdent(retentionPolicy)}.${last}`;
  }
  return retentionPolicy === undefined ? last : `${quoteIdent(retentionPolicy)}.${last}`;
}

function compileMeasurement(m: MeasurementNode): string {
  const last = m.regex !== undefined ? regexLiteral(m.regex, 'from') : quoteIdent(m.name as string);
  return qualified(m.database, m.retentionPolicy, last);
}

/**
 * The `INTO` target. Its measurement name is quoted like every identifier, and refused (with
 * {@link InfluxValidationError}) when the server could not store it under that exact name: the
 * points `SELECT … INTO` writes go through the same measurement rules as a write (a backslash
 * before `,` ` ` `=` `"` or at the end is consumed, so `a\"b` would be stored as `a"b`).
 */
function compileInto(into: IntoNode): string {
  if (into.measurement !== undefined) escapeMeasurement(into.measurement, 'into');
  else if (into.database === undefined && into.retentionPolicy === undefined) {
    // influxd's parser needs a name before `:MEASUREMENT` ("found :, expected identifier").
    throw new InfluxValidationError(
      'select',
      'into',
      'writing back under each source measurement\'s name (:MEASUREMENT) needs a database or a retention policy, e.g. into({ retentionPolicy: "autogen" })',
    );
  }
  return qualified(
    into.database,
    into.retentionPolicy,
    into.measurement === undefined ? ':MEASUREMENT' : quoteIdent(into.measurement),
  );
}

/** Compiles a select expression (no values are bound inside select expressions). */
export function compileExpr(e: ExprNode): string {
  switch (e.kind) {
    case 'key':
      return e.cast ? `${quoteIdent(e.key)}::${e.cast}` : quoteIdent(e.key);
    case 'wildcard':
      return e.cast ? `*::${e.cast}` : '*';
    case 'number':
      return e.integer ? numberText(e.value) : floatText(e.value);
    case 'duration':
      return duration(e.value, 'select', 'fields');
    case 'call':
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name))
        bad('select', 'fields')(`${JSON.stringify(e.name)} is not a function name`);
      return `${e.name}(${e.args.map(compileExpr).join(', ')})`;
    case 'arithmetic':
      return `(${compileExpr(e.left)} ${e.op} ${compileExpr(e.right)})`;
  }
}

function compileConditions(conditions: readonly ConditionNode[], ctx: CompileContext): string {
  return conditions.map((c) => compileCondition1(c, ctx, conditions.length > 1)).join(' AND ');
}

function compileCondition1(c: ConditionNode, ctx: CompileContext, nested: boolean): string {
  switch (c.kind) {
    case 'comparison': {
      const left = compileExpr(c.left);
      return ctx.compact ? `${left}${c.op}${ctx.value(c.value)}` : `${left} ${c.op} ${ctx.value(c.value)}`;
    }
    case 'regex':
      return `${compileExpr(c.left)} ${c.op} ${regexLiteral(c.source, 'where', c.left.key)}`;
    case 'time':
      return `time ${c.op} ${compileTimeValue(c.value, ctx)}`;
    case 'and':
    case 'or': {
      if (c.operands.length === 0) {
        throw new InfluxValidationError(
          'where',
          undefined,
          `an empty ${c.kind.toUpperCase()} group has no meaning`,
        );
      }
      if (c.operands.length === 1) return compileCondition1(c.operands[0]!, ctx, nested);
      const text = c.operands
        .map((o) => compileCondition1(o, ctx, true))
        .join(c.kind === 'and' ? ' AND ' : ' OR ');
      return nested || c.kind === 'or' ? `(${text})` : text;
    }
  }
}

function compileTimeValue(v: TimeValueNode, ctx: CompileContext): string {
  if (v.kind === 'now') {
    return v.offset === undefined ? 'now()' : `now() ${v.sign} ${duration(v.offset, 'where', 'time')}`;
  }
  // InfluxDB 1.6 compares time with a bound RFC3339 string exactly to the nanosecond.
  return ctx.value(timeLiteral(v.nanos));
}

/** Integer text of a number or bigint. */
function numberText(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  return floatText(v);
}

/** A finite number as InfluxQL number text (never exponent notation, which InfluxQL cannot read). */
function floatText(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (!Number.isFinite(v))
    throw new InfluxValidationError('query', undefined, `${v} cannot be written in InfluxQL`);
  const s = String(v);
  if (!s.includes('e')) return s;
  if (Number.isInteger(v)) return BigInt(v).toString();
  // Small magnitudes: the shortest round-trip digits, with the decimal point moved in.
  const [mantissa, exp] = s.split('e') as [string, string];
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const pointAt = mantissa.replace(/^-/, '').indexOf('.');
  const shift = (pointAt === -1 ? digits.length : pointAt) + Number(exp);
  return `${negative ? '-' : ''}0.${'0'.repeat(-shift)}${digits}`;
}

/** A scalar written into the text (inline mode). */
function inlineValue(v: ScalarValue): string {
  switch (typeof v) {
    case 'string':
      return quoteLiteral(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      return floatText(v);
  }
}
