import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InfluxDBClient } from '../client/influxdb-client.js';
import { InfluxConfigError, InfluxModelsError } from '../errors.js';
import type { ModelFieldType } from '../models/model-metadata.js';
import { applySchema } from '../schema/apply-schema.js';
import { introspectDatabase } from '../schema/introspect-database.js';
import { type FieldTypeChoice, generateModels } from '../schema/model-codegen.js';
import type { InfluxSchema } from '../schema/schema-definition.js';
import {
  CONNECTION_FLAGS,
  clientOptions,
  describeServer,
  type FlagSpec,
  flag,
  type ParsedArgs,
  parseArgs,
} from './cli-args.js';

/** Where the CLI reads and writes (the process's, or a test's). */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const USAGE = `Usage: influx-models <command> [options]

Commands:
  pull   Write model classes for the measurements of a database
  push   Apply a schema declared in code (defineSchema) to the server

Connection (environment: INFLUXDB_URL, INFLUXDB_USERNAME, INFLUXDB_PASSWORD, INFLUXDB_TOKEN, INFLUXDB_DATABASE):
  --url URL              http(s)://host:8086[/path] or influxdb://user:pass@host:8086/db
  --host H --port P      default localhost:8086
  -u, --username U       -p, --password P (prefer INFLUXDB_PASSWORD: flags show in the process list)
  --token T              Authorization: Token (InfluxDB 2.x/3.x v1 API)
  --ssl  --no-verify-ssl  --ca FILE  --cert FILE  --key FILE  --proxy URL  --path PREFIX
  --timeout MS  --retries N  --gzip

pull:
  -d, --database DB      the database to read (required unless in the URL or INFLUXDB_DATABASE)
  --measurement NAME     only this measurement (repeatable; /regex/ for a pattern)
  --out DIR              where the files go (default ./influx-models)
  --style S              decorators (default) or define
  --field-type M.F=T     type of field F of measurement M when shards disagree (repeatable; F=T for
                         every measurement); T is float, integer, string or boolean
  --integer-as A         number (default) or bigint
  --timestamp T          date (default) or bigint (nanoseconds)
  --import-from MODULE   module the files import from (default influx-models)
  --dry-run              print the files instead of writing them

push:
  --schema FILE          a JavaScript module exporting the schema (export const schema = defineSchema({...})
                         or export default); default ./influx-schema.js
  --dry-run              print the plan, change nothing
  --prune                also drop retention policies and continuous queries the schema does not declare
`;

const PULL_FLAGS: Record<string, FlagSpec> = {
  ...CONNECTION_FLAGS,
  measurement: { value: true, repeat: true },
  out: { value: true },
  style: { value: true },
  'field-type': { value: true, repeat: true },
  'integer-as': { value: true },
  timestamp: { value: true },
  'import-from': { value: true },
  'dry-run': { value: false },
};

const PUSH_FLAGS: Record<string, FlagSpec> = {
  ...CONNECTION_FLAGS,
  schema: { value: true },
  'dry-run': { value: false },
  prune: { value: false },
};

const FIELD_TYPES: readonly string[] = ['float', 'integer', 'string', 'boolean'];

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  what: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InfluxConfigError(`${what} must be ${allowed.join(' or ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function measurementFilter(text: string): string | RegExp {
  const m = /^\/(.*)\/([imsu]*)$/s.exec(text);
  if (m === null) return text;
  try {
    return new RegExp(m[1]!, m[2]);
  } catch (e) {
    throw new InfluxConfigError(
      `--measurement ${text}: not a valid regular expression (${(e as Error).message})`,
    );
  }
}

/** `m.f=type` or `f=type`; the measurement part is matched against the names found. */
function fieldTypeChoices(
  values: readonly string[],
  found: ReadonlyArray<{ name: string; fields: readonly { key: string }[] }>,
): FieldTypeChoice[] {
  return values.map((text) => {
    const eq = text.lastIndexOf('=');
    const type = eq < 0 ? '' : text.slice(eq + 1);
    if (eq <= 0 || !FIELD_TYPES.includes(type)) {
      throw new InfluxConfigError(
        `--field-type ${JSON.stringify(text)}: expected measurement.field=type or field=type, type one of ${FIELD_TYPES.join(', ')}`,
      );
    }
    const target = text.slice(0, eq);
    const matches = found.flatMap((m) =>
      m.fields
        .filter((f) => target === `${m.name}.${f.key}`)
        .map((f) => ({ measurement: m.name, field: f.key })),
    );
    if (matches.length > 1) {
      throw new InfluxConfigError(
        `--field-type ${JSON.stringify(text)}: ambiguous (${matches.map((x) => `${x.measurement} / ${x.field}`).join(', ')})`,
      );
    }
    if (matches.length === 1) return { ...matches[0]!, type: type as ModelFieldType };
    return { field: target, type: type as ModelFieldType };
  });
}

/** The command's flags, or undefined when `--help` was printed. */
function commandArgs(
  command: string,
  argv: readonly string[],
  flags: Readonly<Record<string, FlagSpec>>,
  io: CliIo,
): ParsedArgs | undefined {
  const args = parseArgs(argv, flags);
  if (flag(args, 'help') !== undefined) {
    io.stdout(USAGE);
    return undefined;
  }
  if (args.positionals.length > 0) {
    throw new InfluxConfigError(`${command}: unexpected argument ${JSON.stringify(args.positionals[0])}`);
  }
  return args;
}

async function pull(argv: readonly string[], io: CliIo): Promise<number> {
  const args = commandArgs('pull', argv, PULL_FLAGS, io);
  if (args === undefined) return 0;
  const options = clientOptions(args, io.env);
  const database = options.database;
  if (database === undefined || database === '') {
    throw new InfluxConfigError(
      'pull: which database? Give --database (or INFLUXDB_DATABASE, or a DSN with /db)',
    );
  }
  const style = oneOf(flag(args, 'style'), ['decorators', 'define'] as const, '--style') ?? 'decorators';
  const integerAs = oneOf(flag(args, 'integer-as'), ['number', 'bigint'] as const, '--integer-as');
  const timestamp = oneOf(flag(args, 'timestamp'), ['date', 'bigint'] as const, '--timestamp');
  const out = resolve(io.cwd, flag(args, 'out') ?? 'influx-models');
  const dryRun = flag(args, 'dry-run') !== undefined;
  const source = describeServer(options);
  const client = new InfluxDBClient(options);
  try {
    io.stderr(`Reading database ${JSON.stringify(database)} at ${source}\n`);
    const found = await introspectDatabase(client, database, {
      measurements: (args.flags.get('measurement') ?? []).map(measurementFilter),
      onMeasurement: (m, i, n) => {
        const conflicts = m.fields.filter((f) => f.types.length > 1).length;
        io.stderr(
          `[${i}/${n}] ${JSON.stringify(m.name)}: ${m.tagKeys.length} tag(s), ${m.fields.length} field(s)${conflicts > 0 ? `, ${conflicts} with several types` : ''}\n`,
        );
      },
    });
    const generated = generateModels(found, {
      source,
      style,
      fieldTypes: fieldTypeChoices(args.flags.get('field-type') ?? [], found.measurements),
      ...(integerAs !== undefined ? { integerAs } : {}),
      ...(timestamp !== undefined ? { timestamp } : {}),
      ...(flag(args, 'import-from') !== undefined ? { importFrom: flag(args, 'import-from')! } : {}),
    });
    for (const note of generated.notes) io.stderr(`note: ${note}\n`);
    for (const s of generated.skipped) io.stderr(`skipped ${JSON.stringify(s.measurement)}: ${s.reason}\n`);
    if (dryRun) {
      for (const f of generated.files) io.stdout(`// ---- ${join(out, f.path)} ----\n${f.contents}\n`);
      io.stderr(`Dry run: ${generated.files.length} file(s) not written\n`);
      return 0;
    }
    await mkdir(out, { recursive: true });
    for (const f of generated.files) await writeFile(join(out, f.path), f.contents);
    const models = generated.files.length - 1;
    io.stderr(`Wrote ${models} model file(s) and index.ts to ${out}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

function isSchema(value: unknown): value is InfluxSchema {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as { kind?: unknown }).kind === 'influx-models.schema'
  );
}

async function push(argv: readonly string[], io: CliIo): Promise<number> {
  const args = commandArgs('push', argv, PUSH_FLAGS, io);
  if (args === undefined) return 0;
  const file = flag(args, 'schema') ?? 'influx-schema.js';
  const path = isAbsolute(file) ? file : resolve(io.cwd, file);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    const hint = /\.[cm]?ts$/.test(path)
      ? ' (Node cannot import TypeScript: compile it, or run with node --import tsx)'
      : '';
    throw new InfluxConfigError(
      `push: cannot load the schema module ${file}${hint}: ${(e as Error).message}`,
    );
  }
  const schema = [mod.schema, mod.default].find(isSchema);
  if (schema === undefined) {
    throw new InfluxConfigError(
      `push: ${file} exports no schema; export const schema = defineSchema({...}) (or export default)`,
    );
  }
  const options = clientOptions(args, io.env);
  const client = new InfluxDBClient(options);
  try {
    io.stderr(`Applying the schema of ${file} to ${describeServer(options)}\n`);
    await applySchema(client, schema, {
      dryRun: flag(args, 'dry-run') !== undefined,
      prune: flag(args, 'prune') !== undefined,
      log: (text) => io.stdout(`${text}\n`),
    });
    return 0;
  } finally {
    await client.close();
  }
}

/**
 * Runs `influx-models <command> …` and returns the exit code: 0 done, 1 failed (the error printed
 * on stderr, never with credentials), 2 no or an unknown command.
 *
 * ```ts
 * await runCli(['pull', '--database', 'demo', '--out', 'src/models'], { env: process.env, cwd: process.cwd(),
 *   stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'pull') return await pull(rest, io);
    if (command === 'push') return await push(rest, io);
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    }
    io.stderr(`influx-models: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  } catch (e) {
    if (e instanceof InfluxModelsError) {
      io.stderr(`influx-models ${command}: ${e.message}\n`);
      return 1;
    }
    io.stderr(`influx-models ${command}: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}
