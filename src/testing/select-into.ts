/**
 * `SELECT … INTO` as influxd 1.6 runs it (coordinator/statement_executor.go,
 * convertRowToPoints): the statement is evaluated with `fill(null)` turned into `fill(none)`, every
 * output row becomes a point of the target measurement (`:MEASUREMENT` = the row's source
 * measurement) with the row's series tags (the GROUP BY tags; empty ones dropped) as tags and its
 * non-null columns as fields of their own types, at the row's time; rows without a value are
 * skipped. The points are written like a write request (type conflicts drop points, reported as
 * the statement's `partial write` error), and the answer is one `result` series with the number of
 * points `written` at time 0.
 */
import { InfluxDBClientError } from '../errors.js';
import type { SelectNode } from '../influxql/select-ast.js';
import type { StoredFieldValue } from '../line-protocol/line-parser.js';
import { makeLines, type Point } from '../line-protocol/make-lines.js';
import type { RawSeries, ResultValue } from '../results/result-set.js';
import type { MemoryStore } from './memory-store.js';
import type { EvalSeries } from './select-evaluator.js';

/**
 * Runs `node` (which has `into`) against `store`: `evaluate` answers the SELECT without INTO.
 */
export function selectInto(
  store: MemoryStore,
  node: SelectNode,
  database: string,
  now: bigint,
  evaluate: (select: SelectNode) => EvalSeries[],
  timeOut: (t: bigint) => ResultValue,
): RawSeries[] {
  const into = node.into!;
  const target = into.database ?? database;
  const db = store.databases.get(target);
  if (db === undefined) throw new InfluxDBClientError(`database not found: ${target}`);
  if (into.retentionPolicy !== undefined && !db.retentionPolicies.has(into.retentionPolicy)) {
    throw new InfluxDBClientError(`retention policy not found: ${into.retentionPolicy}`);
  }
  // Null values are not written, so the server skips fill(null)'s empty windows altogether.
  const fill = node.fill === undefined || node.fill === 'null' ? 'none' : node.fill;
  const series = evaluate({ ...node, into: undefined, fill: node.groupBy?.time ? fill : node.fill });
  const points: Point[] = [];
  for (const s of series) {
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.tags ?? {})) if (v !== '') tags[k] = v;
    for (const row of s.rows) {
      const fields: Record<string, StoredFieldValue> = {};
      let any = false;
      row.values.forEach((v, i) => {
        if (v === null) return;
        fields[s.columns[i + 1]!] = v;
        any = true;
      });
      if (!any) continue;
      points.push({ measurement: into.measurement ?? s.name, tags, fields, time: row.time });
    }
  }
  if (points.length > 0) {
    try {
      store.write(makeLines(points), target, into.retentionPolicy, 1n, now);
    } catch (e) {
      // The server answers a failed INTO write as the statement's error.
      if (e instanceof InfluxDBClientError && e.code !== undefined) throw new InfluxDBClientError(e.content);
      throw e;
    }
  }
  return [{ name: 'result', columns: ['time', 'written'], values: [[timeOut(0n), points.length]] }];
}
