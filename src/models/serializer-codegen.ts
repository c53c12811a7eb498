import { compileFunction } from '../generated-code.js';
import { FALSE_BYTES, TRUE_BYTES } from '../line-protocol/format.js';
import type { HeadCache } from '../line-protocol/head-cache.js';
import type { LineWriter } from '../line-protocol/line-writer.js';

/** The serializer's signature (ModelSerializer in src/models/model-serializer.ts). */
type Serialize = (inst: Record<string, unknown>, w: LineWriter, values?: readonly unknown[]) => void;

/** A tag of the serializer, in key order (see src/models/model-serializer.ts). */
export interface TagPlan {
  readonly property: string;
  /** Index of the property in tags, fields, timestamp order (the `values` index). */
  readonly index: number;
}

/** A field of the serializer, in key order. */
export interface FieldPlan {
  readonly property: string;
  readonly type: 'float' | 'integer' | 'string' | 'boolean';
  readonly index: number;
  /** `,key=` as UTF-8 bytes (the first field written starts with a space instead). */
  readonly rest: Uint8Array;
}

/** What the generated serializer is made of: the class's keys in line order. */
export interface SerializerPlan {
  readonly tags: readonly TagPlan[];
  readonly fields: readonly FieldPlan[];
  /** Index of the timestamp property in `values` (one past the fields). */
  readonly timeIndex: number;
  /** The timestamp property, when the class declares one. */
  readonly timeProperty: string | undefined;
  /** True when every field key is ASCII. */
  readonly fieldsAscii: boolean;
  /** True when the measurement name is a template filled from the instance. */
  readonly templated: boolean;
}

/**
 * The serializer's own steps that the generated code calls: the rare paths (errors, a head not
 * cached yet, a templated name) and the value writers that are shared with every encoder. They are
 * the same functions the generic serializer runs, so both write the same bytes and throw the same
 * errors.
 */
export interface SerializerHelpers {
  readonly heads: HeadCache;
  /** The scope the class's heads are cached under (its metadata record). */
  readonly scope: object;
  /** The escaped measurement name (no template). */
  readonly name: string;
  measurementOf(inst: Record<string, unknown>): string;
  /** Writes a head not cached (and caches it with `store`); returns its `suspect`. */
  buildHead(w: LineWriter, m: string, vals: readonly unknown[], store: boolean): boolean;
  /** Throws the type error of field `k` (index in `fields`). */
  badType(k: number, v: unknown): never;
  /** Writes field `k`'s value on the paths the generated code does not inline (throws when invalid). */
  writeField(w: LineWriter, k: number, v: unknown): void;
  /** Throws: the class has no field with a value. */
  noField(): never;
  writeTime(w: LineWriter, inst: Record<string, unknown>, v: unknown): void;
  /** Throws when the line (from `start`) would be split by InfluxDB (a suspect head). */
  checkSplit(w: LineWriter, start: number): void;
  writeFloat(w: LineWriter, v: number): boolean;
}

/** The statements that write `bytes`, with `first` choosing its first byte (space or comma). */
function storeBytes(bytes: Uint8Array, firstByte: string | undefined): string[] {
  const n = bytes.length;
  const out = [`if (w.pos + ${n} > w.buf.length) w.ensure(${n});`, '{ const b = w.buf, p = w.pos;'];
  for (let i = 0; i < n; i++) {
    out.push(
      `b[p${i === 0 ? '' : ` + ${i}`}] = ${i === 0 && firstByte !== undefined ? firstByte : String(bytes[i])};`,
    );
  }
  out.push(`w.pos = p + ${n}; }`);
  return out;
}

/**
 * The generated form of a model class's serializer (src/models/model-serializer.ts): the same
 * steps, order, bytes and errors, specialised to the class's keys. For `cpu { host, region | cores
 * (integer), ok (boolean), usage (float) | time }` it is, in short:
 *
 * ```js
 * function serialize(inst, w, values) {
 *   const start = w.pos;
 *   try {
 *     let t0 = values === undefined ? undefined : values[0]; if (t0 === undefined) t0 = inst["host"];
 *     …                                                  // each tag, in key order
 *     T[0] = t0; T[1] = t1;                              // the head, cached by the raw values
 *     const head = heads.find(scope, name, T, 2);
 *     if (head !== undefined) w.raw(head.bytes) else suspect = buildHead(w, name, T, true);
 *     let first = true, v;
 *     v = …values[3] or inst["cores"];
 *     if (v !== undefined && v !== null) {
 *       b[p] = first ? 32 : 44; b[p + 1] = 99; …          // " cores=" / ",cores=", byte by byte
 *       if (typeof v === 'number' && isSafeInteger(v)) { w.int(v); w.byte(105); } else writeField(w, 0, v);
 *       first = false;
 *     }
 *     …                                                  // ok: the bytes of true / false; usage: writeFloat
 *     if (first) noField();
 *     w.byte(32); writeTime(w, inst, time); w.byte(10);
 *     if (suspect) checkSplit(w, start);
 *   } catch (e) { w.pos = start; throw e; }
 * }
 * ```
 *
 * Why: the generic serializer loops over key records and switches on each field's type, and copies
 * each key with `TypedArray#set`; here each key is a run of constant byte stores and each type
 * check is written in, which cut the time of a model point by about an eighth (`npm run bench`,
 * `instances-*` rows: 1.34-1.42 s to 1.18-1.23 s per million). Returns undefined where code cannot be generated (src/generated-code.ts):
 * the generic serializer is then used.
 */
export function compileSerializerCode(
  plan: SerializerPlan,
  helpers: SerializerHelpers,
): Serialize | undefined {
  const lit = (s: string) => JSON.stringify(s);
  const read = (index: number, property: string, name: string) =>
    `${name} = values === undefined ? undefined : values[${index}]; if (${name} === undefined) ${name} = inst[${lit(property)}];`;
  const nTags = plan.tags.length;
  const src: string[] = [
    "'use strict';",
    'const heads = H.heads, scope = H.scope, name = H.name, measurementOf = H.measurementOf;',
    'const buildHead = H.buildHead, badType = H.badType, writeField = H.writeField, noField = H.noField;',
    'const writeTime = H.writeTime, checkSplit = H.checkSplit, writeFloat = H.writeFloat;',
    'const isSafeInteger = Number.isSafeInteger;',
    `const T = new Array(${nTags});`,
    'return function serialize(inst, w, values) {',
    'const start = w.pos;',
    'try {',
    `const m = ${plan.templated ? 'measurementOf(inst)' : 'name'};`,
  ];
  plan.tags.forEach((t, i) => {
    src.push(`let t${i}; ${read(t.index, t.property, `t${i}`)}`);
  });
  // The values are all read (a getter may build another instance, whose serializer call uses T
  // and is over before this one fills it).
  plan.tags.forEach((_, i) => {
    src.push(`T[${i}] = t${i};`);
  });
  src.push(
    'let suspect;',
    'if (heads.enabled()) {',
    `const head = heads.find(scope, m, T, ${nTags});`,
    'if (head !== undefined) {',
    'w.raw(head.bytes);',
    'if (!head.ascii) w.ascii = false;',
    'suspect = head.suspect;',
    '} else suspect = buildHead(w, m, T, true);',
    '} else suspect = buildHead(w, m, T, false);',
  );
  if (!plan.fieldsAscii) src.push('w.ascii = false;');
  src.push('let first = true, v;');
  plan.fields.forEach((f, k) => {
    src.push(read(f.index, f.property, 'v'), 'if (v !== undefined && v !== null) {');
    src.push(...storeBytes(f.rest, 'first ? 32 : 44'));
    switch (f.type) {
      case 'float':
        src.push(
          `if (typeof v !== 'number') badType(${k}, v);`,
          `if (!writeFloat(w, v)) writeField(w, ${k}, v);`,
        );
        break;
      case 'integer':
        src.push(
          "if (typeof v === 'number' && isSafeInteger(v)) { w.int(v); w.byte(105); }",
          `else writeField(w, ${k}, v);`,
        );
        break;
      case 'boolean':
        src.push(
          'if (v === true) {',
          ...storeBytes(TRUE_BYTES, undefined),
          '} else if (v === false) {',
          ...storeBytes(FALSE_BYTES, undefined),
          `} else badType(${k}, v);`,
        );
        break;
      default:
        src.push(`writeField(w, ${k}, v);`);
    }
    src.push('first = false;', '}');
  });
  src.push('if (first) noField();', 'w.byte(32);');
  if (plan.timeProperty === undefined) src.push('writeTime(w, inst, undefined);');
  else src.push(`let tm; ${read(plan.timeIndex, plan.timeProperty, 'tm')}`, 'writeTime(w, inst, tm);');
  src.push(
    'w.byte(10);',
    'if (suspect) checkSplit(w, start);',
    '} catch (e) {',
    'w.pos = start;',
    'throw e;',
    '}',
    '};',
  );
  const factory = compileFunction<(H: SerializerHelpers) => Serialize>(['H'], src.join('\n'));
  return factory?.(helpers);
}
