/**
 * Names for generated code: InfluxDB keys (any UTF-8 text: spaces, quotes, dots, emoji, leading
 * digits, JavaScript keywords) turned into valid, idiomatic TypeScript identifiers, unique within
 * their scope. The original key is kept by the generator (`@Tag({ name })`) whenever it differs.
 */

const ID_START = /[\p{ID_Start}$_]/u;
const WORD = /(?:(?!_)[\p{ID_Continue}$\u200c\u200d])+/gu;

/** Words that can never be a binding (class) name in strict-mode modules. */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally ' +
    'for function if import in instanceof new null return super switch this throw true try typeof var void ' +
    'while with yield let static implements interface package private protected public await arguments eval'
  ).split(' '),
);

/**
 * Class names a generated file must not declare: what it imports, and globals the generated code
 * (or its readers) rely on.
 */
const TAKEN_CLASS_NAMES = new Set([
  'Field',
  'Tag',
  'Measurement',
  'Timestamp',
  'SeriesModel',
  'Date',
  'Object',
  'Array',
  'Map',
  'Set',
  'Promise',
  'Error',
  'Number',
  'String',
  'Boolean',
  'BigInt',
  'Symbol',
  'Function',
  'Infinity',
  'NaN',
  'JSON',
  'Math',
  'Reflect',
  'Proxy',
  'RegExp',
  'Record',
  'Partial',
  'Readonly',
  'InstanceType',
]);

/** Property names a model cannot use (class syntax, or members every model instance has). */
const TAKEN_PROPERTIES = new Set(['constructor', 'prototype', '__proto__', 'toString', 'valueOf']);

/** The identifier words of a key: runs of identifier characters (`'cpu load-5m'` → cpu, load, 5m). */
function wordsOf(key: string): string[] {
  return key.normalize('NFC').replace(/['’]/g, '').match(WORD) ?? [];
}

function capitalize(word: string): string {
  const first = String.fromCodePoint(word.codePointAt(0)!);
  return first.toUpperCase() + word.slice(first.length);
}

/**
 * A PascalCase class name for a measurement.
 *
 * ```ts
 * className('http_request'); // 'HttpRequest'
 * className('5xx errors');   // 'M5xxErrors'
 * className('field');        // 'FieldModel' (the generated file imports Field)
 * ```
 */
export function className(key: string): string {
  let name = wordsOf(key).map(capitalize).join('');
  if (name === '') name = 'Series';
  if (!ID_START.test(name.charAt(0))) name = `M${name}`;
  if (TAKEN_CLASS_NAMES.has(name) || RESERVED.has(name)) name = `${name}Model`;
  return name;
}

/**
 * A camelCase property name for a tag or field key.
 *
 * ```ts
 * propertyName('latency_ms');  // 'latencyMs'
 * propertyName('data center'); // 'dataCenter'
 * propertyName('5min');        // '_5min'
 * propertyName('class');       // 'class_'
 * ```
 */
export function propertyName(key: string): string {
  const words = wordsOf(key);
  let name = words
    .map((w, i) => {
      if (i === 0) return w.length > 1 && w === w.toUpperCase() ? w.toLowerCase() : lowerFirst(w);
      return capitalize(w);
    })
    .join('');
  if (name === '') name = 'value';
  if (!ID_START.test(name.charAt(0))) name = `_${name}`;
  if (RESERVED.has(name) || TAKEN_PROPERTIES.has(name)) name = `${name}_`;
  return name;
}

function lowerFirst(word: string): string {
  const first = String.fromCodePoint(word.codePointAt(0)!);
  return first.toLowerCase() + word.slice(first.length);
}

/**
 * A kebab-case file name (without extension) for a class name; ASCII only, `measurement` when
 * nothing is left.
 *
 * ```ts
 * fileStem('HttpRequest'); // 'http-request'
 * fileStem('温度');         // 'measurement'
 * ```
 */
export function fileStem(name: string): string {
  const stem = name
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return stem === '' ? 'measurement' : stem;
}

/**
 * Hands out unique names in one scope: the first `cpuLoad` stays, the next becomes `cpuLoad2`,
 * then `cpuLoad3` (compared case-insensitively when `caseInsensitive`, as file names must be on
 * macOS and Windows).
 *
 * ```ts
 * const scope = new NameScope(false, ['time']);
 * scope.take('cpuLoad'); // 'cpuLoad'
 * scope.take('cpuLoad'); // 'cpuLoad2'
 * scope.take('time');    // 'time2'
 * ```
 */
export class NameScope {
  readonly #used = new Set<string>();

  constructor(
    private readonly caseInsensitive = false,
    reserved: Iterable<string> = [],
  ) {
    for (const r of reserved) this.#used.add(this.#norm(r));
  }

  #norm(name: string): string {
    return this.caseInsensitive ? name.toLowerCase() : name;
  }

  /**
   * `wanted`, or `wanted` with the first free number from 2 appended; the result is taken.
   *
   * ```ts
   * new NameScope(true, ['index']).take('Index'); // 'Index2'
   * ```
   */
  take(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.#used.has(this.#norm(name)); n++) name = `${wanted}${n}`;
    this.#used.add(this.#norm(name));
    return name;
  }
}
