/*
 * The cache of line heads (`measurement,tag=value…`, escaped and sorted) and its policy, one class
 * used by both encoders (makeLines' and the model serializer's): a tree with one level per raw
 * value the head was built from, so that a series seen before costs a few lookups and one copy
 * instead of escaping and sorting again. Internal to the encoders.
 */

/**
 * A cached head: its bytes, whether they are all ASCII, and `suspect` when a tag holds a
 * backslash before a space (the line then needs the line-splitting check).
 */
export interface Head {
  readonly bytes: Uint8Array;
  readonly ascii: boolean;
  readonly suspect: boolean;
}

const EMPTY = Symbol('empty');

/**
 * One level of the head cache, keyed by one raw value: the first value seen is kept inline (most
 * levels below the first hold a single one), the others in a map. Keys compare as in a Map, except
 * that NaN never matches (a NaN tag value is refused, so it is never stored).
 */
class Level {
  key: unknown = EMPTY;
  next: Level | Head | undefined;
  map: Map<unknown, Level | Head> | undefined;

  get(key: unknown): Level | Head | undefined {
    if (key === this.key) return this.next;
    return this.map === undefined ? undefined : this.map.get(key);
  }

  set(key: unknown, value: Level | Head): void {
    if (this.key === EMPTY) {
      this.key = key;
      this.next = value;
    } else {
      if (this.map === undefined) this.map = new Map();
      this.map.set(key, value);
    }
  }
}

/** Heads cached per cache; when full, the cache starts over (the series written change in time). */
const MAX_HEADS = 8192;
/** Head lookups per check of the hit rate, and heads written without the cache after a bad one. */
const HEAD_WINDOW = 4096;
const HEAD_BYPASS = 32768;

/**
 * The heads an encoder has written, keyed by a scope (an object the caller picks: a key list, a
 * model class), a first value (the measurement) and the raw tag values, with the policy of both
 * encoders: at most {@link MAX_HEADS} heads (then it starts over); the hit rate is checked every
 * {@link HEAD_WINDOW} lookups, and after a window with more misses than hits the cache is
 * bypassed for {@link HEAD_BYPASS} heads (a stream of series never seen again, such as a tag
 * holding a request id, would pay for caching each of them).
 *
 * ```ts
 * const cache = new HeadCache();
 * if (cache.enabled()) {
 *   const head = cache.find(scope, measurement, values, n);
 *   if (head === undefined) { writeHead(); cache.store(scope, measurement, values, n, headOf(buf, start, end, suspect)); }
 * }
 * ```
 */
export class HeadCache {
  private root = new Level();
  private heads = 0;
  private lookups = 0;
  private misses = 0;
  private bypass = 0;

  /**
   * Whether heads are looked up and stored now; false while the cache is bypassed (each call then
   * counts one head written without it).
   */
  enabled(): boolean {
    if (this.bypass === 0) return true;
    this.bypass--;
    return false;
  }

  /** The head stored under `scope`, `first`, `rest[0..n)`; counts the lookup for the hit rate. */
  find(scope: unknown, first: unknown, rest: readonly unknown[], n: number): Head | undefined {
    let node = this.root.get(scope);
    if (node !== undefined) node = (node as Level).get(first);
    for (let i = 0; i < n && node !== undefined; i++) node = (node as Level).get(rest[i]);
    const miss = node === undefined;
    if (miss) this.misses++;
    if (++this.lookups === HEAD_WINDOW) {
      if (this.misses * 2 > HEAD_WINDOW) this.bypass = HEAD_BYPASS;
      this.lookups = 0;
      this.misses = 0;
    }
    return node as Head | undefined;
  }

  /** Stores `head` under `scope`, `first`, `rest[0..n)` (emptying the cache first when it is full). */
  store(scope: unknown, first: unknown, rest: readonly unknown[], n: number, head: Head): void {
    if (this.bypass > 0) return; // the lookup that missed started a bypass
    if (this.heads >= MAX_HEADS) this.clear();
    let level = this.root;
    let key = scope;
    for (let i = -1; i < n; i++) {
      let next = level.get(key) as Level | undefined;
      if (next === undefined) {
        next = new Level();
        level.set(key, next);
      }
      level = next;
      key = i < 0 ? first : rest[i];
    }
    level.set(key, head);
    this.heads++;
  }

  /** Drops every cached head (the hit rate and a bypass in progress are kept). */
  clear(): void {
    this.root = new Level();
    this.heads = 0;
  }
}

/**
 * A head of the bytes `buf[start..end)`, copied.
 *
 * ```ts
 * headOf(writer.buf, start, writer.pos, false);
 * ```
 */
export function headOf(buf: Uint8Array, start: number, end: number, suspect: boolean): Head {
  const bytes = new Uint8Array(end - start);
  bytes.set(buf.subarray(start, end));
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) ascii = false;
  return { bytes, ascii, suspect };
}
