import { type FieldTypeConflict, InfluxConfigError, InfluxFieldTypeConflictError } from '../errors.js';
import type { ModelFieldType } from '../models/model-metadata.js';
import { className, fileStem, NameScope, propertyName } from './identifiers.js';
import type { DatabaseIntrospection, PulledMeasurement } from './introspect-database.js';

/** The user's choice of type for a field key the server reports with several types. */
export interface FieldTypeChoice {
  /** The measurement; omitted: every measurement with this field key. */
  readonly measurement?: string;
  readonly field: string;
  readonly type: ModelFieldType;
}

/** Options of {@link generateModels}. */
export interface GenerateModelsOptions {
  /** Where the schema came from, for the header comment (a URL without credentials). */
  readonly source: string;
  /** `'decorators'` (default): `@Measurement` classes; `'define'`: `defineMeasurement` values. */
  readonly style?: 'decorators' | 'define';
  /** Types for field keys with several types (required for each one, never guessed). */
  readonly fieldTypes?: readonly FieldTypeChoice[];
  /** How integer fields are held in JS: `'number'` (default; safe integers) or `'bigint'` (all int64). */
  readonly integerAs?: 'number' | 'bigint';
  /** The timestamp property: a `Date` (`'date'`, default) or `bigint` nanoseconds (`'bigint'`). */
  readonly timestamp?: 'date' | 'bigint';
  /** Module the generated files import from. Default `'influx-models'`. */
  readonly importFrom?: string;
  /** Time written in the header. Default: now. */
  readonly generatedAt?: Date;
}

/** One generated file. */
export interface GeneratedFile {
  /** File name relative to the output directory, e.g. `'http-request.ts'`. */
  readonly path: string;
  readonly contents: string;
  /** For a model file: the measurement and the exported name. */
  readonly measurement?: string;
  readonly exportName?: string;
}

/** What {@link generateModels} made. */
export interface GeneratedModels {
  /** One file per measurement, then `index.ts`. */
  readonly files: readonly GeneratedFile[];
  /** Measurements without a file, and why (e.g. no field keys left in any shard). */
  readonly skipped: ReadonlyArray<{ readonly measurement: string; readonly reason: string }>;
  /** Things the user should know (a conflict resolved by a choice, a key that is both tag and field). */
  readonly notes: readonly string[];
}

const LINE_WIDTH = 110;

/**
 * A TypeScript string literal as biome writes it: single quotes unless the text holds more single
 * than double quotes; backslashes, the quote and control/line-separator characters escaped.
 *
 * ```ts
 * tsString('data center'); // the text 'data center' (single quotes)
 * tsString("it's");        // the text "it's" (double quotes: no escape needed)
 * tsString('a\nb');        // the text 'a\nb' (the line break escaped)
 * ```
 */
export function tsString(text: string): string {
  const singles = text.split("'").length;
  const doubles = text.split('"').length;
  const q = singles > doubles ? '"' : "'";
  let out = q;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029)
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + q;
}

/** `{ a: 1, b: 2 }` when it fits in `width`, else one entry per line at `indent`. */
function objectLiteral(entries: readonly string[], indent: string, width: number): string {
  const flat = `{ ${entries.join(', ')} }`;
  if (flat.length <= width) return flat;
  return `{\n${entries.map((e) => `${indent}  ${e},\n`).join('')}${indent}}`;
}

/** Text quoted for a comment: a key may contain `*\/` or a line break. */
function quoted(text: string): string {
  return JSON.stringify(text)
    .replace(/\*\//g, '*\\/')
    .replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

interface PlannedMember {
  kind: 'tag' | 'field';
  key: string;
  property: string;
  type?: ModelFieldType;
}

interface PlannedModel {
  measurement: PulledMeasurement;
  exportName: string;
  file: string;
  members: PlannedMember[];
  timestampProperty: string;
}

function chooseType(
  m: PulledMeasurement,
  field: { key: string; types: readonly ModelFieldType[] },
  choices: readonly FieldTypeChoice[],
): ModelFieldType | undefined {
  if (field.types.length === 1) return field.types[0];
  const exact = choices.find((c) => c.measurement === m.name && c.field === field.key);
  const any = choices.find((c) => c.measurement === undefined && c.field === field.key);
  return (exact ?? any)?.type;
}

/**
 * Model source files for the measurements `introspectDatabase` found: one file per measurement
 * (a decorated class, or a `defineMeasurement` value with `style: 'define'`), property names made
 * valid camelCase identifiers (unique per model; the server's key kept in `name` when it differs),
 * class names PascalCase and unique, and an `index.ts` re-exporting them. A field key with several
 * types needs a {@link FieldTypeChoice}; without one nothing is generated and
 * {@link InfluxFieldTypeConflictError} lists every such key.
 *
 * ```ts
 * const found = await introspectDatabase(client, 'demo');
 * const { files } = generateModels(found, { source: 'http://localhost:8086' });
 * files[0].contents;
 * // @Measurement({ name: 'http_request', database: 'demo' })
 * // export class HttpRequest extends SeriesModel<HttpRequest> {
 * //   @Tag() endpoint!: string;
 * //   @Field({ name: 'latency_ms', type: 'float' }) latencyMs!: number;
 * //   …
 * ```
 */
export function generateModels(
  found: DatabaseIntrospection,
  options: GenerateModelsOptions,
): GeneratedModels {
  const style = options.style ?? 'decorators';
  if (style !== 'decorators' && style !== 'define') {
    throw new InfluxConfigError(`generateModels(style): 'decorators' or 'define', got ${String(style)}`);
  }
  const choices = options.fieldTypes ?? [];
  for (const c of choices) {
    if (!['float', 'integer', 'string', 'boolean'].includes(c.type)) {
      throw new InfluxConfigError(
        `generateModels(fieldTypes): type of ${JSON.stringify(c.field)} must be float, integer, string or boolean, got ${JSON.stringify(c.type)}`,
      );
    }
    const exists = found.measurements.some(
      (m) =>
        (c.measurement === undefined || m.name === c.measurement) && m.fields.some((f) => f.key === c.field),
    );
    if (!exists) {
      const where = c.measurement === undefined ? '' : ` of ${JSON.stringify(c.measurement)}`;
      throw new InfluxConfigError(
        `generateModels(fieldTypes): there is no field ${JSON.stringify(c.field)}${where} to type`,
      );
    }
  }
  const conflicts: FieldTypeConflict[] = [];
  for (const m of found.measurements) {
    for (const f of m.fields) {
      if (chooseType(m, f, choices) === undefined) {
        conflicts.push({
          measurement: m.name,
          field: f.key,
          types: f.types,
          typesByRetentionPolicy: f.typesByRetentionPolicy,
        });
      }
    }
  }
  if (conflicts.length > 0) throw new InfluxFieldTypeConflictError(conflicts);

  const notes: string[] = [];
  const skipped: Array<{ measurement: string; reason: string }> = [];
  const classes = new NameScope(false, ['index']);
  const files = new NameScope(true, ['index']);
  const planned: PlannedModel[] = [];
  for (const m of found.measurements) {
    const tagKeys = new Set(m.tagKeys);
    const fields = m.fields.filter((f) => {
      if (!tagKeys.has(f.key)) return true;
      notes.push(
        `${JSON.stringify(m.name)}: key ${JSON.stringify(f.key)} is both a tag and a field; generated as the tag (a model cannot declare both)`,
      );
      return false;
    });
    if (fields.length === 0) {
      skipped.push({
        measurement: m.name,
        reason:
          m.fields.length === 0
            ? 'no field keys in any shard (no data left)'
            : 'every field key is also a tag',
      });
      continue;
    }
    const exportName = classes.take(className(m.name));
    const props = new NameScope(false, ['time']);
    const members: PlannedMember[] = [];
    for (const key of m.tagKeys) members.push({ kind: 'tag', key, property: props.take(propertyName(key)) });
    for (const f of fields) {
      const type = chooseType(m, f, choices)!;
      if (f.types.length > 1) {
        notes.push(
          `${JSON.stringify(m.name)}: field ${JSON.stringify(f.key)} has types ${f.types.join(', ')}; typed ${type} as chosen`,
        );
      }
      members.push({ kind: 'field', key: f.key, property: props.take(propertyName(f.key)), type });
    }
    planned.push({
      measurement: m,
      exportName,
      file: `${files.take(fileStem(exportName))}.ts`,
      members,
      timestampProperty: 'time',
    });
  }

  const at = (options.generatedAt ?? new Date()).toISOString();
  const header = [
    `// Generated by \`influx-models pull\` from ${options.source.replace(/[\r\n\u2028\u2029]/g, ' ')}, database ${quoted(found.database)}, at ${at}.`,
    "// Field types are the server's (SHOW FIELD KEYS). Pull again rather than edit by hand.",
  ].join('\n');
  const ctx: FileContext = {
    database: found.database,
    header,
    from: options.importFrom ?? 'influx-models',
    integerAs: options.integerAs ?? 'number',
    timestamp: options.timestamp ?? 'date',
  };
  const out: GeneratedFile[] = planned.map((p) => ({
    path: p.file,
    measurement: p.measurement.name,
    exportName: p.exportName,
    contents: style === 'decorators' ? decoratedModel(p, ctx) : definedModel(p, ctx),
  }));
  const index = [...planned]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .map((p) => `export { ${p.exportName} } from './${p.file.replace(/\.ts$/, '.js')}';`);
  out.push({ path: 'index.ts', contents: `${header}\n${index.join('\n')}${index.length > 0 ? '\n' : ''}` });
  return { files: out, skipped, notes };
}

function jsType(type: ModelFieldType, integerAs: 'number' | 'bigint'): string {
  if (type === 'integer') return integerAs;
  return type === 'float' ? 'number' : type;
}

function describeModel(p: PlannedModel): string {
  const tags = p.members.filter((m) => m.kind === 'tag').length;
  const fields = p.members.length - tags;
  return `/** Measurement ${quoted(p.measurement.name)}: ${tags} tag(s), ${fields} field(s). */`;
}

/** What every generated model file shares. */
interface FileContext {
  readonly database: string;
  readonly header: string;
  readonly from: string;
  readonly integerAs: 'number' | 'bigint';
  readonly timestamp: 'date' | 'bigint';
}

/** The header, the import of `names` and the model's doc comment. */
function prologue(p: PlannedModel, ctx: FileContext, names: readonly string[]): string[] {
  return [ctx.header, `import { ${names.join(', ')} } from ${tsString(ctx.from)};`, '', describeModel(p)];
}

function decoratedModel(p: PlannedModel, ctx: FileContext): string {
  const { database, integerAs } = ctx;
  const hasTags = p.members.some((m) => m.kind === 'tag');
  const lines = prologue(p, ctx, [
    'Field',
    'Measurement',
    'SeriesModel',
    ...(hasTags ? ['Tag'] : []),
    'Timestamp',
  ]);
  const measurementOptions = [`name: ${tsString(p.measurement.name)}`, `database: ${tsString(database)}`];
  lines.push(`@Measurement(${objectLiteral(measurementOptions, '', LINE_WIDTH - '@Measurement()'.length)})`);
  lines.push(`export class ${p.exportName} extends SeriesModel<${p.exportName}> {`);
  for (const m of p.members) {
    const opts: string[] = [];
    if (m.key !== m.property) opts.push(`name: ${tsString(m.key)}`);
    if (m.kind === 'field') {
      opts.push(`type: ${tsString(m.type!)}`);
      if (m.type === 'integer' && integerAs === 'bigint') opts.push("integerAs: 'bigint'");
    }
    const decorator = m.kind === 'tag' ? 'Tag' : 'Field';
    const type = m.kind === 'tag' ? 'string' : jsType(m.type!, integerAs);
    const declaration = `${m.property}!: ${type};`;
    const args = opts.length === 0 ? '' : `{ ${opts.join(', ')} }`;
    const oneLine = `  @${decorator}(${args}) ${declaration}`;
    if (oneLine.length <= LINE_WIDTH) {
      lines.push(oneLine);
    } else {
      const decoratorLine = `  @${decorator}(${args})`;
      lines.push(
        decoratorLine.length <= LINE_WIDTH
          ? decoratorLine
          : `  @${decorator}(${objectLiteral(opts, '  ', 0)})`,
      );
      lines.push(`  ${declaration}`);
    }
  }
  const ts = ctx.timestamp === 'bigint' ? "@Timestamp({ type: 'bigint' })" : '@Timestamp()';
  lines.push(`  ${ts} ${p.timestampProperty}!: ${ctx.timestamp === 'bigint' ? 'bigint' : 'Date'};`);
  lines.push('}', '');
  return lines.join('\n');
}

function definedModel(p: PlannedModel, ctx: FileContext): string {
  const { database, integerAs } = ctx;
  const lines = prologue(p, ctx, ['defineMeasurement']);
  lines.push(`export const ${p.exportName} = defineMeasurement({`);
  lines.push(`  name: ${tsString(p.measurement.name)},`);
  lines.push(`  className: ${tsString(p.exportName)},`);
  lines.push(`  database: ${tsString(database)},`);
  const tags = p.members.filter((m) => m.kind === 'tag');
  if (tags.length > 0) {
    const items = tags.map((t) =>
      t.key === t.property
        ? tsString(t.key)
        : objectLiteral([`property: ${tsString(t.property)}`, `name: ${tsString(t.key)}`], '    ', 0),
    );
    const allObjects = tags.every((t) => t.key !== t.property);
    const flat = `  tags: [${items.join(', ')}],`;
    if (!(allObjects && items.length > 1) && !flat.includes('\n') && flat.length <= LINE_WIDTH) {
      lines.push(flat);
    } else {
      lines.push('  tags: [');
      for (const t of tags) {
        lines.push(
          t.key === t.property
            ? `    ${tsString(t.key)},`
            : `    ${objectLiteral([`property: ${tsString(t.property)}`, `name: ${tsString(t.key)}`], '    ', LINE_WIDTH - 5)},`,
        );
      }
      lines.push('  ],');
    }
  }
  lines.push('  fields: {');
  for (const f of p.members.filter((m) => m.kind === 'field')) {
    const spec: string[] = [`type: ${tsString(f.type!)}`];
    if (f.type === 'integer' && integerAs === 'bigint') spec.push("integerAs: 'bigint'");
    if (f.key !== f.property) spec.push(`name: ${tsString(f.key)}`);
    const prefix = `    ${f.property}: `;
    const value =
      spec.length === 1 ? tsString(f.type!) : objectLiteral(spec, '    ', LINE_WIDTH - prefix.length - 1);
    lines.push(`${prefix}${value},`);
  }
  lines.push('  },');
  lines.push(
    ctx.timestamp === 'bigint'
      ? `  timestamp: { property: ${tsString(p.timestampProperty)}, type: 'bigint' },`
      : `  timestamp: ${tsString(p.timestampProperty)},`,
  );
  lines.push('});');
  lines.push(`export type ${p.exportName} = InstanceType<typeof ${p.exportName}>;`, '');
  return lines.join('\n');
}
