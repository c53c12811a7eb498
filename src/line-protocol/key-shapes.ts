/*
 * What makeLines' encoder remembers between points: the lists of tag keys and field keys it has
 * seen (their "shapes"), the field keys' escaped bytes, and the cache of heads. Points of one
 * batch mostly share their keys, so a point whose keys are those of the previous one is written
 * without sorting or escaping a key again.
 */
import { escapeFieldKey } from './escape.js';
import { HeadCache } from './head-cache.js';
import type { TagValue } from './point.js';

/** Tag or field key lists remembered per cache (the oldest built is replaced). */
const MAX_SHAPES = 16;
/** Escaped field keys remembered per cache; when full, it starts over. */
const MAX_FIELD_KEYS = 4096;

const hasOwn = Object.prototype.hasOwnProperty;

/** The last MAX_SHAPES key lists seen (of tags, or of fields), the oldest replaced first. */
class ShapeList<S extends { readonly keys: readonly string[] }> {
  readonly shapes: S[] = [];
  private next = 0;

  /** The shape whose keys are exactly `ks[0..n)`, if cached. */
  find(ks: readonly string[], n: number): S | undefined {
    const shapes = this.shapes;
    for (let i = 0; i < shapes.length; i++) {
      const s = shapes[i] as S;
      if (sameKeys(s.keys, ks, n)) return s;
    }
    return undefined;
  }

  add(s: S): S {
    if (this.shapes.length < MAX_SHAPES) this.shapes.push(s);
    else this.shapes[this.next++ % MAX_SHAPES] = s;
    return s;
  }
}

/** The own enumerable tag keys of a point, in for-in order (the scope of its heads in the cache). */
export class TagShape {
  constructor(readonly keys: readonly string[]) {}
}

/** The own enumerable field keys of a point, in for-in order, with their escaped bytes. */
export class FieldShape {
  constructor(
    readonly keys: readonly string[],
    /** Per key (for-in order): a separator byte, the escaped key and `=`; null when the key is refused. */
    readonly prefixes: readonly (Uint8Array | null)[],
    /** for-in indices in sorted key order; undefined when the for-in order is sorted. */
    readonly order: readonly number[] | undefined,
    /** How many leading keys are in order (the fields checked first when `order` is set). */
    readonly inOrder: number,
    /** False when an escaped key is not ASCII. */
    readonly ascii: boolean,
  ) {}
}

/**
 * The key lists, escaped field keys and heads an encoder has seen. Encoders without body tags
 * share one (heads and key lists depend on nothing else), so single points and small batches find
 * their series cached; an encoder with body tags has its own.
 */
export class EncoderCaches {
  readonly tagShapes = new ShapeList<TagShape>();
  readonly fieldShapes = new ShapeList<FieldShape>();
  readonly heads = new HeadCache();
  /** Escaped field keys: a separator byte, the key and `=`, as bytes; null for a key that is refused. */
  private readonly fieldKeys = new Map<string, Uint8Array | null>();

  /** The tag shape of the keys `ks[0..n)`, found or added. */
  tagShape(ks: readonly string[], n: number): TagShape {
    const shapes = this.tagShapes;
    return shapes.find(ks, n) ?? shapes.add(new TagShape(ks.slice(0, n)));
  }

  /** The field shape of the keys `ks[0..n)`, found or built. */
  fieldShape(ks: readonly string[], n: number): FieldShape {
    const shapes = this.fieldShapes;
    const found = shapes.find(ks, n);
    if (found !== undefined) return found;
    const keys = ks.slice(0, n);
    const prefixes = keys.map((k) => this.fieldKeyPrefix(k));
    let inOrder = 1;
    while (inOrder < n && !((keys[inOrder] as string) < (keys[inOrder - 1] as string))) inOrder++;
    let order: number[] | undefined;
    if (inOrder < n) {
      order = keys
        .map((_, i) => i)
        .sort((a, b) => {
          const x = keys[a] as string;
          const y = keys[b] as string;
          return x < y ? -1 : x > y ? 1 : 0;
        });
    }
    const ascii = prefixes.every((p) => p === null || p.every((b) => b < 0x80));
    return shapes.add(new FieldShape(keys, prefixes, order, inOrder, ascii));
  }

  private fieldKeyPrefix(key: string): Uint8Array | null {
    let p = this.fieldKeys.get(key);
    if (p === undefined) {
      try {
        // The first byte is the separator (a space or a comma), set before each copy.
        p = Buffer.from(` ${escapeFieldKey(key, 'point')}=`, 'utf8');
      } catch {
        p = null; // refused: writing a value under it throws (naming the point)
      }
      if (this.fieldKeys.size >= MAX_FIELD_KEYS) this.fieldKeys.clear();
      this.fieldKeys.set(key, p);
    }
    return p;
  }
}

function sameKeys(keys: readonly string[], ks: readonly string[], n: number): boolean {
  if (keys.length !== n) return false;
  for (let i = 0; i < n; i++) if (keys[i] !== ks[i]) return false;
  return true;
}

/** A null-prototype copy of the key/value pairs read from an object (so each is read once). */
export function snapshot(ks: readonly string[], vs: readonly unknown[], n: number): Record<string, TagValue> {
  const o = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i < n; i++) o[ks[i] as string] = vs[i];
  return o as Record<string, TagValue>;
}

/**
 * Reads an object's own enumerable keys and values, in for-in order, into `ks`/`vs` (each read
 * once). Returns how many there are, or `-count - 1` when they are not exactly `keys` (no key list
 * counts as a mismatch).
 */
export function readEntries(
  obj: Readonly<Record<string, unknown>>,
  ks: string[],
  vs: unknown[],
  keys: readonly string[] | undefined,
): number {
  let match = keys !== undefined;
  let n = 0;
  for (const k in obj) {
    if (!hasOwn.call(obj, k)) continue;
    if (match && (n >= (keys as readonly string[]).length || (keys as readonly string[])[n] !== k))
      match = false;
    ks[n] = k;
    vs[n] = obj[k];
    n++;
  }
  return match ? n : -n - 1;
}
