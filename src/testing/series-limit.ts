/**
 * `SLIMIT` / `SOFFSET` as influxd 1.6 applies them (tsdb/engine/tsm1/engine.go, query.LimitTagSets):
 * per shard and per measurement, the index groups the series of the shard that pass the WHERE
 * clause's tag conditions into tag sets (one per combination of the GROUP BY tags), sorts the tag
 * sets by their key `k1|k2|v1|v2` (the sorted GROUP BY keys the series has, then their values;
 * bytes compared) and keeps
 * `sets[soffset : soffset + slimit]` (`SOFFSET` without `SLIMIT` keeps nothing). A series counts
 * whether or not it has points in the time range or values of the selected fields; field
 * conditions do not exclude series there. The kept series of each shard then answer the query
 * with their points of that shard.
 */
import type { ConditionNode } from '../influxql/select-ast.js';
import { compareUtf8 } from '../line-protocol/line-parser.js';
import { type FieldType, StoredSeries, shardStart } from './memory-store.js';

/** What {@link limitSeries} needs of the query. */
export interface SeriesLimitOptions {
  /** GROUP BY tag keys, sorted. */
  readonly groupKeys: readonly string[];
  readonly slimit: number | undefined;
  readonly soffset: number | undefined;
  /** WHERE conditions other than time (top-level AND). */
  readonly where: readonly ConditionNode[];
  /** The measurement's field types (a key without cast that is a field is a field condition). */
  readonly fields: ReadonlyMap<string, FieldType>;
  /** Inclusive time range of the query's shards (its WHERE range; `now()` for an open GROUP BY time). */
  readonly min: bigint;
  readonly max: bigint;
  /** Shard group duration of the retention policy. */
  readonly shardDuration: bigint;
  /** Compiles a regex source (the evaluator's, which refuses RE2-only syntax). */
  readonly regex: (source: string) => RegExp;
}

/**
 * The series (sorted by series key) that SLIMIT/SOFFSET keep: each returned series holds only the
 * points of the shards in which it was kept (the series itself when kept in all of them).
 */
export function limitSeries(series: readonly StoredSeries[], o: SeriesLimitOptions): StoredSeries[] {
  const perShard = seriesInShards(series, o);
  // The shards in which each series was kept.
  const kept = new Map<StoredSeries, Set<bigint>>();
  for (const [shard, members] of perShard) {
    const sets = new Map<string, StoredSeries[]>();
    for (const s of members) {
      const key = tagSetKey(s, o.groupKeys);
      const list = sets.get(key);
      if (list === undefined) sets.set(key, [s]);
      else list.push(s);
    }
    const ordered = [...sets.keys()].sort(compareUtf8);
    for (const key of limitTagSets(ordered, o.slimit ?? 0, o.soffset ?? 0)) {
      for (const s of sets.get(key)!) {
        let shards = kept.get(s);
        if (shards === undefined) {
          shards = new Set();
          kept.set(s, shards);
        }
        shards.add(shard);
      }
    }
  }
  const out: StoredSeries[] = [];
  for (const s of series) {
    const shards = kept.get(s);
    if (shards === undefined) continue;
    const all = s.times().every((t) => shards.has(shardStart(t, o.shardDuration)));
    if (all) {
      out.push(s);
      continue;
    }
    const view = new StoredSeries(s.key, s.measurement, s.tags);
    for (const t of s.times()) {
      if (shards.has(shardStart(t, o.shardDuration))) view.put(t, s.rows.get(t)!);
    }
    out.push(view);
  }
  return out;
}

/**
 * What influxd's index finds for a query: per shard that overlaps the query's range, the series that
 * pass the WHERE clause's tag conditions and have points (of any field) in that shard.
 */
export function seriesInShards(
  series: readonly StoredSeries[],
  o: Pick<SeriesLimitOptions, 'where' | 'fields' | 'regex' | 'min' | 'max' | 'shardDuration'>,
): Map<bigint, Set<StoredSeries>> {
  const keep = tagFilter(o.where, o.fields, o.regex);
  const perShard = new Map<bigint, Set<StoredSeries>>();
  for (const s of series) {
    if (!keep(s.tagMap)) continue;
    for (const t of s.times()) {
      const shard = shardStart(t, o.shardDuration);
      if (shard > o.max || shard + o.shardDuration <= o.min) continue;
      let set = perShard.get(shard);
      if (set === undefined) {
        set = new Set();
        perShard.set(shard, set);
      }
      set.add(s);
    }
  }
  return perShard;
}

/** query.LimitTagSets. */
function limitTagSets<T>(a: readonly T[], slimit: number, soffset: number): readonly T[] {
  if (slimit === 0 && soffset === 0) return a;
  if (soffset > a.length) return [];
  const n = soffset + slimit > a.length ? a.length - soffset : slimit;
  return a.slice(soffset, soffset + n);
}

/** tsdb.MakeTagsKey: of the GROUP BY tags the series has, the keys then the values, `|`-joined. */
function tagSetKey(s: StoredSeries, groupKeys: readonly string[]): string {
  const keys: string[] = [];
  const values: string[] = [];
  for (const k of groupKeys) {
    const v = s.tagMap[k];
    if (v !== undefined) {
      keys.push(k);
      values.push(v);
    }
  }
  return keys.length === 0 ? '' : `${keys.join('|')}|${values.join('|')}`;
}

/**
 * The index's series filter of a WHERE clause: tag comparisons decide, field comparisons keep
 * every series (they are evaluated on the points later).
 */
function tagFilter(
  where: readonly ConditionNode[],
  fields: ReadonlyMap<string, FieldType>,
  regex: (source: string) => RegExp,
): (tags: Readonly<Record<string, string>>) => boolean {
  type Test = (tags: Readonly<Record<string, string>>) => boolean;
  const isField = (key: string, cast: 'tag' | 'field' | undefined): boolean =>
    cast === 'field' || (cast === undefined && fields.has(key));
  const one = (c: ConditionNode): Test => {
    switch (c.kind) {
      case 'and': {
        const ps = c.operands.map(one);
        return (t) => ps.every((p) => p(t));
      }
      case 'or': {
        const ps = c.operands.map(one);
        return (t) => ps.some((p) => p(t));
      }
      case 'time':
        return () => true;
      case 'regex': {
        if (isField(c.left.key, c.left.cast)) return () => true;
        const re = regex(c.source);
        return (t) => re.test(t[c.left.key] ?? '') === (c.op === '=~');
      }
      case 'comparison': {
        if (isField(c.left.key, c.left.cast)) return () => true;
        const eq = c.op === '=';
        // The evaluator refused other operators and values on tags before.
        return (t) => ((t[c.left.key] ?? '') === c.value) === eq;
      }
    }
  };
  const ps = where.map(one);
  return (t) => ps.every((p) => p(t));
}
