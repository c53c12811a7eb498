import { InfluxValidationError } from '../errors.js';
import { escapeMeasurement } from '../line-protocol/escape.js';
import { quoteIdent, quoteLiteral } from '../line-protocol/quote.js';
import { nanosToRfc3339 } from '../line-protocol/time.js';
import { regexLiteral } from './influxql-literals.js';
import type {
  ConditionNode,
  ExprNode,
  FillNode,
  IntoNode,
  MeasurementNode,
  ScalarValue,
  SelectNode,
  TimeValueNode,
} from './query-ast.js';

/** Values bound to the `$pN` placeholders of a compiled query (sent as the client's `bindParams`). */
export type BoundParams = Record<string, string | number | bigint | boolean>;

/** A compiled query: InfluxQL text plus the values of its `$pN` placeholders. */
export interface CompiledQuery {
  readonly query: string;
  readonly params: BoundParams;
}

/** Options of {@link compileQuery}. */
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
  constructor(readonly inline: boolean) {}

  value(v: ScalarValue): string {
    if (this.inline) return inlineValue(v);
    const name = `p${this.next++}`;
    this.params[name] = v;
    return `$${name}`;
  }
}

/**
 * Turns a SELECT tree into InfluxQL text and bound parameters. Identifiers always go through
 * `quoteIdent`, values are bound as `$p0`, `$p1`, … (or quoted when `inline`), regexes and
 * durations are escaped or validated literals.
 *
 * ```ts
 * compileQuery(node);
 * // { query: 'SELECT mean("usage") AS "avg" FROM "cpu" WHERE "host" = $p0 GROUP BY time(5m)',
 * //   params: { p0: 'a' } }
 * ```
 */
export function compileQuery(node: SelectNode, options: CompileOptions = {}): CompiledQuery {
  const ctx = new CompileContext(options.inline === true);
  const query = compileSelect(node, ctx);
  return { query, params: ctx.params };
}

/** Compiles a condition alone (used by `DROP SERIES … WHERE`). */
export function compileCondition(
  conditions: readonly ConditionNode[],
  options: CompileOptions = {},
): CompiledQuery {
  const ctx = new CompileContext(options.inline === true);
  return { query: compileConditions(conditions, ctx), params: ctx.params };
}

function compileSelect(node: SelectNode, ctx: CompileContext): string {
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
  if (node.where.length > 0) q += ` WHERE ${compileConditions(node.where, ctx)}`;
  const g = node.groupBy;
  if (g) {
    const parts: string[] = [];
    if (g.time)
      parts.push(g.time.offset ? `time(${g.time.interval}, ${g.time.offset})` : `time(${g.time.interval})`);
    if (g.all) parts.push('*');
    else for (const t of g.tags) parts.push(quoteIdent(t));
    if (parts.length > 0) q += ` GROUP BY ${parts.join(', ')}`;
  }
  if (node.fill !== undefined) q += ` fill(${compileFill(node.fill)})`;
  if (node.orderDesc) q += ' ORDER BY time DESC';
  if (node.limit !== undefined) q += ` LIMIT ${node.limit}`;
  if (node.offset !== undefined) q += ` OFFSET ${node.offset}`;
  if (node.slimit !== undefined) q += ` SLIMIT ${node.slimit}`;
  if (node.soffset !== undefined) q += ` SOFFSET ${node.soffset}`;
  if (node.tz !== undefined) q += ` tz(${quoteLiteral(node.tz)})`;
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
      return e.value;
    case 'call':
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
      return `${left} ${c.op} ${ctx.value(c.value)}`;
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
  if (v.kind === 'now') return v.offset === undefined ? 'now()' : `now() ${v.sign} ${v.offset}`;
  // InfluxDB 1.6 compares time with a bound RFC3339 string exactly to the nanosecond.
  return ctx.value(nanosToRfc3339(v.nanos));
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
