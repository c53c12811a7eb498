import { InfluxValidationError } from '../errors.js';
import { checkDuration, regexSource } from '../influxql/literals.js';
import type {
  ConditionNode,
  ExprNode,
  GroupByNode,
  KeyRefNode,
  MeasurementNode,
  SelectItemNode,
  TimeValueNode,
} from '../influxql/select-ast.js';
import { dateToNanos, parseRfc3339 } from '../line-protocol/time.js';
import type { ModelMetadata } from '../models/model-metadata.js';
import type { TimeGroup } from './builder-inputs.js';
import type { ColumnPlan } from './row-plan.js';
import { SelectExpr } from './select-expression.js';
import type { RawCondition } from './where-condition.js';

/*
 * Name resolution of the query builder: model property names to InfluxDB keys with their `::tag` /
 * `::field` casts, select expressions to nodes and output columns, WHERE conditions to condition
 * nodes (checked against each property's kind and type), time bounds to time nodes, and a model's
 * measurement (or its name template) to the FROM node. Inside a subquery, names the model does not
 * know are the subquery's output columns and pass through unchanged.
 */

/** A resolved select item: its node and how its column maps back to the model. */
export interface ResolvedItem {
  readonly node: SelectItemNode;
  readonly column: ColumnPlan;
}

const TIME_OPS = new Set(['=', '!=', '<>', '<', '<=', '>', '>=']);
const RELATIVE = /^now\(\)(?:\s*([+-])\s*(.+))?$/;

/** Where a query reads: the database and retention policy given to `in()`, else the model's. */
export interface QueryTarget {
  readonly database: string | undefined;
  readonly retentionPolicy: string | undefined;
}

/** Resolves the names of one model's query (`inSubquery`: the query reads a subquery). */
export class NameResolver<T extends object> {
  constructor(
    readonly meta: ModelMetadata<T>,
    readonly inSubquery: boolean,
  ) {}

  private get where0(): string {
    return `${this.meta.className} query`;
  }

  /** The FROM node: `measurement` (a name or `{ regex }`), else the model's name or name template. */
  measurementNode(
    at: QueryTarget,
    measurement: string | { readonly regex: string } | undefined,
  ): MeasurementNode {
    const database = at.database ?? this.meta.database;
    const retentionPolicy = at.retentionPolicy ?? this.meta.retentionPolicy;
    const m = measurement;
    if (typeof m === 'string')
      return { kind: 'measurement', database, retentionPolicy, name: m, regex: undefined };
    if (m) return { kind: 'measurement', database, retentionPolicy, name: undefined, regex: m.regex };
    if (this.meta.templateProperties.length > 0) {
      return {
        kind: 'measurement',
        database,
        retentionPolicy,
        name: undefined,
        regex: templateRegex(this.meta.measurement).source,
      };
    }
    return { kind: 'measurement', database, retentionPolicy, name: this.meta.measurement, regex: undefined };
  }

  /**
   * The items of `select(...)`: property names and expressions, each named once (a duplicate
   * output name is refused), and at least one field unless the query reads a subquery (InfluxDB
   * returns nothing for a query that selects only tags).
   */
  resolveSelect(items: readonly (string | SelectExpr)[]): ResolvedItem[] {
    const plainOnly = items.every((i) => typeof i === 'string');
    const seen = new Set<string>();
    const resolved: ResolvedItem[] = [];
    for (const item of items) {
      const r = typeof item === 'string' ? this.resolvePlain(item) : this.resolveExpr(item);
      const name = r.column.name;
      if (seen.has(name)) {
        throw new InfluxValidationError(
          this.where0,
          name,
          `two select items are named ${JSON.stringify(name)}; give one another name with .as()`,
        );
      }
      seen.add(name);
      resolved.push(r);
    }
    const hasField = resolved.some(
      (r) => r.column.property && this.meta.fieldsByProperty.has(r.column.property),
    );
    if (plainOnly && !hasField && !this.inSubquery) {
      throw new InfluxValidationError(
        this.where0,
        undefined,
        'select at least one field: InfluxDB returns nothing for a query that selects only tags',
      );
    }
    return resolved;
  }

  /** The items of `groupBy(...)`: tag properties (to their keys), `time(...)` once, `'*'`. */
  resolveGroupBy(items: readonly unknown[]): GroupByNode {
    let groupTime: TimeGroup | undefined;
    let all = false;
    const tags: string[] = [];
    for (const item of items) {
      if (typeof item === 'object' && item !== null && (item as TimeGroup).kind === 'timeGroup') {
        if (groupTime) throw new InfluxValidationError(this.where0, 'groupBy', 'time() may appear only once');
        groupTime = item as TimeGroup;
      } else if (item === '*') all = true;
      else if (typeof item === 'string') {
        const tag = this.meta.tagsByProperty.get(item);
        if (!tag) {
          const reason = this.meta.fieldsByProperty.has(item)
            ? `is a field of ${this.meta.className}; InfluxDB groups by tags only`
            : `is not a tag of ${this.meta.className}`;
          throw new InfluxValidationError(this.meta.className, item, `cannot group by it: ${reason}`);
        }
        tags.push(tag.key);
      } else {
        throw new InfluxValidationError(this.where0, 'groupBy', 'takes tag property names, time(...) or "*"');
      }
    }
    if (items.length === 0)
      throw new InfluxValidationError(this.where0, 'groupBy', 'needs at least one item');
    return { time: groupTime && { interval: groupTime.interval, offset: groupTime.offset }, tags, all };
  }

  /** Every tag and field of the model, for `find()` and a builder without `select`. */
  defaultItems(): ResolvedItem[] {
    if (this.inSubquery) {
      return [
        { node: { expr: { kind: 'wildcard', cast: undefined }, alias: undefined }, column: plainColumn('*') },
      ];
    }
    const out: ResolvedItem[] = [];
    for (const t of this.meta.tags) out.push(this.resolvePlain(t.property));
    for (const f of this.meta.fields) out.push(this.resolvePlain(f.property));
    return out;
  }

  keyRef(property: string): KeyRefNode | undefined {
    const tag = this.meta.tagsByProperty.get(property);
    if (tag) return { kind: 'key', key: tag.key, cast: 'tag' };
    const field = this.meta.fieldsByProperty.get(property);
    if (field) return { kind: 'key', key: field.key, cast: 'field' };
    return undefined;
  }

  unknown(property: string, where = this.meta.className): never {
    const ts = this.meta.timestamp?.property;
    const reason =
      property === ts || property === 'time'
        ? 'time cannot be selected or compared here (it is always returned; use where("time", …))'
        : `is not a tag or field of ${this.meta.className}`;
    throw new InfluxValidationError(where, property, reason);
  }

  resolvePlain(property: string): ResolvedItem {
    const ref = this.keyRef(property);
    if (!ref) {
      if (this.inSubquery) {
        return {
          node: { expr: { kind: 'key', key: property, cast: undefined }, alias: property },
          column: plainColumn(property),
        };
      }
      return this.unknown(property);
    }
    const column: ColumnPlan = { name: property, kind: 'same', property, raw: false };
    // Plain columns keep InfluxDB's name when it equals the property (readable, hand-written-like).
    const alias = ref.key === property ? undefined : property;
    return { node: { expr: ref, alias }, column };
  }

  resolveExpr(e: SelectExpr): ResolvedItem {
    if (!(e instanceof SelectExpr)) {
      throw new InfluxValidationError(
        this.where0,
        undefined,
        'select() takes property names or expressions (mean(...), …)',
      );
    }
    if (e.name === '') {
      throw new InfluxValidationError(
        this.where0,
        undefined,
        'an arithmetic expression needs a name: add .as("name")',
      );
    }
    if (e.node.kind !== 'key' && !this.inSubquery) {
      for (const ref of keyRefs(e.node)) {
        if (this.meta.tagsByProperty.has(ref)) {
          throw new InfluxValidationError(
            this.meta.className,
            ref,
            `is a tag; functions and arithmetic take fields (InfluxDB returns nothing for ${e.name || 'it'}() of a tag; count/distinct of a tag work over a subquery that selects it)`,
          );
        }
      }
    }
    const expr = this.resolveNode(e.node);
    const source = e.source !== undefined && this.meta.fieldsByProperty.has(e.source) ? e.source : undefined;
    const column: ColumnPlan = {
      name: e.name,
      kind: e.kind,
      property:
        e.kind === 'same'
          ? (source ?? (this.meta.tagsByProperty.has(e.source ?? '') ? e.source : undefined))
          : undefined,
      raw: e.kind === 'same' && source === undefined && !this.meta.tagsByProperty.has(e.source ?? ''),
    };
    return { node: { expr, alias: e.name }, column };
  }

  resolveNode(n: ExprNode): ExprNode {
    switch (n.kind) {
      case 'key': {
        const ref = this.keyRef(n.key);
        if (ref) return ref;
        if (this.inSubquery) return n;
        return this.unknown(n.key);
      }
      case 'call':
        return { ...n, args: n.args.map((a) => this.resolveNode(a)) };
      case 'arithmetic':
        return { ...n, left: this.resolveNode(n.left), right: this.resolveNode(n.right) };
      default:
        return n;
    }
  }

  resolveCondition(raw: RawCondition): ConditionNode {
    if (raw.kind !== 'cmp') {
      return { kind: raw.kind, operands: raw.operands.map((o) => this.resolveCondition(o)) };
    }
    const { property, op, value } = raw;
    const where = this.meta.className;
    if (typeof property !== 'string')
      throw new InfluxValidationError(this.where0, undefined, 'where() needs a property name');
    if (property === 'time' || property === this.meta.timestamp?.property) {
      if (!TIME_OPS.has(op)) {
        throw new InfluxValidationError(where, property, `time supports =, !=, <, <=, >, >=, not ${op}`);
      }
      return { kind: 'time', op: op as '=', value: timeValue(value, where, property) };
    }
    let left = this.keyRef(property);
    if (!left) {
      if (!this.inSubquery) this.unknown(property);
      left = { kind: 'key', key: property, cast: undefined };
    }
    if (op === '=~' || op === '!~') {
      if (!(value instanceof RegExp) && typeof value !== 'string') {
        throw new InfluxValidationError(
          where,
          property,
          `${op} needs a RegExp or a regex string, got ${typeOf(value)}`,
        );
      }
      return { kind: 'regex', left, op, source: regexSource(value, where, property) };
    }
    if (!TIME_OPS.has(op))
      throw new InfluxValidationError(where, property, `unknown operator ${JSON.stringify(op)}`);
    if (left.cast === 'tag') {
      if (op !== '=' && op !== '!=' && op !== '<>') {
        throw new InfluxValidationError(
          where,
          property,
          `is a tag; tags are compared with =, !=, <>, =~, !~ (InfluxDB returns nothing for ${op})`,
        );
      }
      if (typeof value === 'string') return { kind: 'comparison', left, op, value };
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
        if (typeof value === 'number' && !Number.isFinite(value)) {
          throw new InfluxValidationError(where, property, `${value} is not a tag value`);
        }
        return { kind: 'comparison', left, op, value: String(value) };
      }
      throw new InfluxValidationError(
        where,
        property,
        `a tag is compared with a string, got ${typeOf(value)}`,
      );
    }
    const field = this.meta.fieldsByProperty.get(property);
    const type = field?.type;
    const ok =
      type === undefined
        ? ['string', 'number', 'bigint', 'boolean'].includes(typeof value)
        : type === 'string'
          ? typeof value === 'string'
          : type === 'boolean'
            ? typeof value === 'boolean'
            : typeof value === 'number' || typeof value === 'bigint';
    if (!ok) {
      throw new InfluxValidationError(
        where,
        property,
        `is a ${type ?? 'column'} field and cannot be compared with ${typeOf(value)}`,
      );
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new InfluxValidationError(where, property, `${value} cannot be compared (not a finite number)`);
    }
    return { kind: 'comparison', left, op, value: value as string };
  }
}

/** The property names an expression reads. */
function keyRefs(n: ExprNode): string[] {
  switch (n.kind) {
    case 'key':
      return [n.key];
    case 'call':
      return n.args.flatMap(keyRefs);
    case 'arithmetic':
      return [...keyRefs(n.left), ...keyRefs(n.right)];
    default:
      return [];
  }
}

export function plainColumn(name: string): ColumnPlan {
  return { name, kind: 'same', property: undefined, raw: true };
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Date) return 'a Date';
  if (v instanceof RegExp) return 'a RegExp';
  return typeof v;
}

export function objectCondition(o: object): RawCondition {
  const operands: RawCondition[] = [];
  for (const [property, value] of Object.entries(o)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) {
        throw new InfluxValidationError(
          'where',
          property,
          'an empty list matches nothing; leave the property out instead',
        );
      }
      operands.push({
        kind: 'or',
        operands: value.map((v) => ({ kind: 'cmp', property, op: '=', value: v })),
      });
    } else operands.push({ kind: 'cmp', property, op: '=', value });
  }
  if (operands.length === 0)
    throw new InfluxValidationError('where', undefined, 'the condition object is empty');
  return { kind: 'and', operands };
}

/** Converts a time bound to an absolute nanosecond value or a validated `now() ± duration`. */
export function timeValue(value: unknown, where: string, property: string): TimeValueNode {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InfluxValidationError(where, property, 'is an invalid Date');
    return { kind: 'absolute', nanos: dateToNanos(value) };
  }
  if (typeof value === 'bigint') return { kind: 'absolute', nanos: value };
  if (typeof value === 'string') {
    const m = RELATIVE.exec(value.trim());
    if (m) {
      const [, sign, duration] = m;
      return {
        kind: 'now',
        sign: sign === '+' ? '+' : '-',
        offset: duration === undefined ? undefined : checkDuration(duration, where, property),
      };
    }
    return { kind: 'absolute', nanos: parseRfc3339(value, `${where}.${property}`) };
  }
  throw new InfluxValidationError(
    where,
    property,
    `a time bound must be a Date, a bigint of nanoseconds, an RFC3339 string or 'now() - 1h', got ${typeOf(value)}`,
  );
}

/** `^events\.stats\.(.+)$` from `events.stats.{serverName}`. */
export function templateRegex(template: string): RegExp {
  let src = '^';
  let last = 0;
  for (const m of template.matchAll(/\{[^{}]+\}/g)) {
    src += template.slice(last, m.index).replace(/[\\.+*?()|[\]{}^$/]/g, '\\$&');
    src += '(.+)';
    last = m.index + m[0].length;
  }
  src += `${template.slice(last).replace(/[\\.+*?()|[\]{}^$/]/g, '\\$&')}$`;
  return new RegExp(src);
}

/**
 * The measurement of `from(source)`: a name, or a regex from a `RegExp` or `{ regex }`;
 * `undefined` for anything else (a query builder is the caller's case).
 */
export function measurementSource(source: unknown, where: string): string | { regex: string } | undefined {
  if (typeof source === 'string' && source.length > 0) return source;
  if (source instanceof RegExp) return { regex: regexSource(source, where, 'from') };
  if (
    source !== null &&
    typeof source === 'object' &&
    typeof (source as { regex: unknown }).regex === 'string'
  ) {
    return { regex: (source as { regex: string }).regex };
  }
  return undefined;
}
