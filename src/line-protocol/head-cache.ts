/*
 * The cache of line heads (`measurement,tag=value…`, escaped and sorted) shared by the encoders:
 * a tree with one level per raw value the head was built from (the measurement, then each tag
 * value in a fixed key order), so that a series seen before costs a few lookups and one copy
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
 *
 * ```ts
 * const root = new Level();
 * root.set('cpu', head);
 * root.get('cpu'); // head
 * ```
 */
export class Level {
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

/**
 * Stores `head` under `keys[0..n)` below `root`, creating the levels on the way.
 *
 * ```ts
 * storeHead(root, ['cpu', 'host-1', 'eu'], 3, head);
 * ```
 */
export function storeHead(root: Level, keys: readonly unknown[], n: number, head: Head): void {
  let level = root;
  for (let i = 0; i < n - 1; i++) {
    let next = level.get(keys[i]) as Level | undefined;
    if (next === undefined) {
      next = new Level();
      level.set(keys[i], next);
    }
    level = next;
  }
  level.set(keys[n - 1], head);
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
