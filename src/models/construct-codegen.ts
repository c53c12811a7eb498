import { compileFunction } from '../generated-code.js';
import type { ConstructTailHelpers, ModelRuntime } from './model-runtime.js';

/**
 * The generated constructor tail of one model class: the fast form of `constructGeneric`
 * (src/models/model-runtime.ts), with the same steps, order and errors, specialised to the class's
 * property list. For `CpuLoad { host, region, usage, cores, ok, time }` it is, in short:
 *
 * ```js
 * function finish(self, v) {
 *   R.checkAccept(B);                                   // closed / full
 *   if (v === null || typeof v !== 'object') H.notObject(v);
 *   for (const k in v) switch (k) { case "host": … case "time": break; default: H.unknownKey(k); }
 *   let a0 = v["host"], a1 = v["region"], a2 = v["usage"], …;
 *   if (a0 === null) a0 = undefined;                    // a null tag counts as not given
 *   if (a0 !== undefined) self["host"] = a0;            // given values over the defaults
 *   …
 *   if (a0 === undefined) { const d = self["host"]; if (d === undefined || d === null) H.missingTag(0); }
 *   V[0] = a0; …                                        // the values read, for the serializer
 *   const start = W.pos;
 *   S(self, W, V);                                      // validates and writes the line
 *   if (W.pos - start > H.maxLineBytes) H.check(self, start); // long series key, constraints
 *   // (V is a scratch array, taken with a busy flag as in the generic tail)
 *   freeze(self);
 *   R.add(B, self);
 *   return self;
 * }
 * ```
 *
 * Why: the generic tail reads and assigns through keys known only at run time, which V8 runs as
 * megamorphic keyed accesses shared by every model class; here each read of the given object and
 * each store into the instance has its own site with the property name written in, so for one
 * class every site sees one shape (monomorphic), the key check is a few pointer comparisons and
 * nothing is allocated but the instance. The instance's properties are assigned in one fixed
 * order (tags, fields, timestamp), so instances of a class share one shape and `Object.freeze`
 * takes V8's cached transition.
 *
 * Returns undefined (the caller keeps the generic tail) where code cannot be generated
 * (src/generated-code.ts), and for classes the generated tail does not cover: properties that are
 * accessors on the class (their values are read back from the instance by the generic tail), and
 * a property named `__proto__`.
 */
export function compileConstructTail(
  rt: ModelRuntime,
  helpers: ConstructTailHelpers,
): ((self: object, values: unknown) => object) | undefined {
  const props = rt.properties;
  if (!rt.plainValues || props.includes('__proto__')) return undefined;
  const lit = (p: string) => JSON.stringify(p);
  const src: string[] = [
    "'use strict';",
    'const freeze = Object.freeze;',
    'const notObject = H.notObject, unknownKey = H.unknownKey, missingTag = H.missingTag, check = H.check;',
    'const maxLineBytes = H.maxLineBytes;',
    'let busy = false;',
    'return function finish(self, v) {',
    'R.checkAccept(B);',
    "if (v === null || typeof v !== 'object') notObject(v);",
    'for (const k in v) {',
    'switch (k) {',
    ...props.map((p) => `case ${lit(p)}:`),
    'break;',
    'default: unknownKey(k);',
    '}',
    '}',
  ];
  props.forEach((p, i) => {
    src.push(`let a${i} = v[${lit(p)}];`);
  });
  for (let i = 0; i < rt.tagCount; i++) src.push(`if (a${i} === null) a${i} = undefined;`);
  props.forEach((p, i) => {
    src.push(`if (a${i} !== undefined) self[${lit(p)}] = a${i};`);
  });
  for (let i = 0; i < rt.tagCount; i++) {
    if (rt.tagOptional[i] === true) continue;
    const p = lit(props[i] as string);
    src.push(
      `if (a${i} === undefined) { const d = self[${p}]; if (d === undefined || d === null) missingTag(${i}); }`,
    );
  }
  // The values go to the serializer in a scratch array; a second one is taken if a value's
  // conversion (a templated measurement name reads String(value)) builds an instance meanwhile.
  src.push(`const vals = busy ? new Array(${props.length}) : V;`, 'busy = true;', 'try {');
  props.forEach((_, i) => {
    src.push(`vals[${i}] = a${i};`);
  });
  src.push(
    'const start = W.pos;',
    'S(self, W, vals);',
    'if (W.pos - start > maxLineBytes) check(self, start);',
    '} finally {',
    'if (vals === V) busy = false;',
    '}',
    'freeze(self);',
    'R.add(B, self);',
    'return self;',
    '};',
  );
  const factory = compileFunction<
    (
      R: ModelRuntime['registry'],
      B: ModelRuntime['buffer'],
      W: ModelRuntime['buffer']['writer'],
      S: ModelRuntime['serialize'],
      V: unknown[],
      H: ConstructTailHelpers,
    ) => (self: object, values: unknown) => object
  >(['R', 'B', 'W', 'S', 'V', 'H'], src.join('\n'));
  if (factory === undefined) return undefined;
  return factory(rt.registry, rt.buffer, rt.buffer.writer, rt.serialize, new Array(props.length), helpers);
}
