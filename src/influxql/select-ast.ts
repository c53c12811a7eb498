/**
 * The InfluxQL SELECT tree, built by the query builder and by the parser (`parser.ts`), turned into text by
 * the compiler (`compiler.ts`). Nodes are plain frozen objects; the builder never
 * concatenates text, so every identifier is quoted and every value is bound or quoted by the
 * compiler alone.
 */

/** A value compared in WHERE: bound as `$pN` (or quoted with `quoteLiteral` in inline mode). */
export type ScalarValue = string | number | bigint | boolean;

/** Arithmetic operators InfluxQL allows between fields and numbers. */
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

/** Comparison operators of a WHERE condition. */
export type ComparisonOperator = '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=' | '=~' | '!~';

/** A reference to a tag or field, by its key in InfluxDB (the compiler quotes it). */
export interface KeyRefNode {
  readonly kind: 'key';
  readonly key: string;
  /** `::tag` / `::field` cast, to tell a tag from a field with the same key. */
  readonly cast?: 'tag' | 'field' | undefined;
}

/** `*`, optionally cast (`*::field`). */
export interface WildcardNode {
  readonly kind: 'wildcard';
  readonly cast?: 'tag' | 'field' | undefined;
}

/** A numeric literal inside a select expression (function argument or arithmetic operand). */
export interface NumberNode {
  readonly kind: 'number';
  readonly value: number | bigint;
  /** Written as an integer (`10`) rather than a float (`10.0`). */
  readonly integer: boolean;
}

/** A duration literal such as `1h` (validated). */
export interface DurationNode {
  readonly kind: 'duration';
  readonly value: string;
}

/** A function call: aggregates, selectors and transformations. */
export interface CallNode {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly ExprNode[];
}

/** `left op right`, parenthesised by the compiler. */
export interface ArithmeticNode {
  readonly kind: 'arithmetic';
  readonly op: ArithmeticOperator;
  readonly left: ExprNode;
  readonly right: ExprNode;
}

/** An expression that can appear in the SELECT list. */
export type ExprNode = KeyRefNode | WildcardNode | NumberNode | DurationNode | CallNode | ArithmeticNode;

/** One item of the SELECT list with its output name (always written with `AS`). */
export interface SelectItemNode {
  readonly expr: ExprNode;
  /** Output column name; undefined only for a wildcard. */
  readonly alias: string | undefined;
}

/** The time of a comparison: absolute (bound as an RFC3339 string) or relative to `now()`. */
export type TimeValueNode =
  | { readonly kind: 'absolute'; readonly nanos: bigint }
  | { readonly kind: 'now'; readonly offset: string | undefined; readonly sign: '+' | '-' };

/** `key op value`. */
export interface ComparisonNode {
  readonly kind: 'comparison';
  readonly left: KeyRefNode;
  readonly op: ComparisonOperator;
  readonly value: ScalarValue;
}

/** `time op value`. */
export interface TimeComparisonNode {
  readonly kind: 'time';
  readonly op: '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=';
  readonly value: TimeValueNode;
}

/** `key =~ /regex/` or `key !~ /regex/` (the regex is written as a literal, escaped). */
export interface RegexComparisonNode {
  readonly kind: 'regex';
  readonly left: KeyRefNode;
  readonly op: '=~' | '!~';
  /** RE2 source text (flags already folded in as `(?i)` etc.). */
  readonly source: string;
}

/** `(a AND b AND …)` or `(a OR b OR …)`. */
export interface LogicalNode {
  readonly kind: 'and' | 'or';
  readonly operands: readonly ConditionNode[];
}

/** One WHERE condition: a comparison, a time comparison, a regex match or an AND/OR group. */
export type ConditionNode = ComparisonNode | TimeComparisonNode | RegexComparisonNode | LogicalNode;

/** A measurement source: `"db"."rp"."name"` or a regex `/…/`. */
export interface MeasurementNode {
  readonly kind: 'measurement';
  readonly database: string | undefined;
  readonly retentionPolicy: string | undefined;
  /** Exactly one of name / regex is set. */
  readonly name: string | undefined;
  readonly regex: string | undefined;
}

/** `FROM (SELECT …)`. */
export interface SubqueryNode {
  readonly kind: 'subquery';
  readonly query: SelectNode;
}

/** `INTO "db"."rp"."measurement"` (the measurement may be `:MEASUREMENT`). */
export interface IntoNode {
  readonly database: string | undefined;
  readonly retentionPolicy: string | undefined;
  /** A measurement name, or undefined for the `:MEASUREMENT` back-reference. */
  readonly measurement: string | undefined;
}

/** `GROUP BY time(interval[, offset])`, tags, or `*`. */
export interface GroupByNode {
  readonly time: { readonly interval: string; readonly offset: string | undefined } | undefined;
  readonly tags: readonly string[];
  readonly all: boolean;
}

/** `FILL(...)`. */
export type FillNode = 'null' | 'none' | 'previous' | 'linear' | { readonly value: number | bigint };

/** A whole SELECT statement. */
export interface SelectNode {
  readonly kind: 'select';
  readonly fields: readonly SelectItemNode[];
  readonly into: IntoNode | undefined;
  readonly from: MeasurementNode | SubqueryNode;
  readonly where: readonly ConditionNode[];
  readonly groupBy: GroupByNode | undefined;
  readonly fill: FillNode | undefined;
  readonly orderDesc: boolean;
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  readonly slimit: number | undefined;
  readonly soffset: number | undefined;
  readonly tz: string | undefined;
}
