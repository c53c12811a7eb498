import type { ComparisonNode, ConditionNode, MeasurementNode, ScalarValue } from './select-ast.js';

/*
 * Small constructors for the nodes every statement producer needs, so that the admin helpers, the
 * repository, Arrow and the test server build the same shapes.
 */

/**
 * A `FROM` source: a measurement by name or by regex (`{ regex: '.*' }`), optionally in a
 * retention policy and database.
 *
 * ```ts
 * measurementNode('cpu', { retentionPolicy: 'week' }); // compiles to "week"."cpu"
 * measurementNode({ regex: '.*' });                    // compiles to /.*\/
 * ```
 */
export function measurementNode(
  name: string | { readonly regex: string },
  at: { readonly database?: string | undefined; readonly retentionPolicy?: string | undefined } = {},
): MeasurementNode {
  const regex = typeof name === 'string' ? undefined : name.regex;
  return {
    kind: 'measurement',
    database: at.database,
    retentionPolicy: at.retentionPolicy,
    name: typeof name === 'string' ? name : undefined,
    regex,
  };
}

/**
 * `"key" = value` for each entry: the conditions of a series filter (`SHOW SERIES`, `DROP SERIES`).
 *
 * ```ts
 * tagEquals({ host: 'a' }); // [{ kind: 'comparison', left: { kind: 'key', key: 'host' }, op: '=', value: 'a' }]
 * ```
 */
export function tagEquals(tags: Readonly<Record<string, ScalarValue>>): ConditionNode[] {
  return Object.entries(tags).map(
    ([key, value]): ComparisonNode => ({ kind: 'comparison', left: { kind: 'key', key }, op: '=', value }),
  );
}
