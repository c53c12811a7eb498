import { readFileSync } from 'node:fs';
import { parseDsn } from '../client/dsn.js';
import type { InfluxDBClientConfig } from '../client/influxdb-client.js';
import { InfluxConfigError } from '../errors.js';

/** Parsed command line: the command, its flags (repeatable ones as arrays) and positionals. */
export interface ParsedArgs {
  readonly command: string | undefined;
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly positionals: readonly string[];
}

/** A flag the CLI knows: whether it takes a value, and whether it may repeat. */
export interface FlagSpec {
  readonly value: boolean;
  readonly repeat?: boolean;
  readonly short?: string;
}

/** Flags every command takes: the client's options. */
export const CONNECTION_FLAGS: Readonly<Record<string, FlagSpec>> = {
  url: { value: true },
  dsn: { value: true },
  host: { value: true },
  port: { value: true },
  username: { value: true, short: 'u' },
  password: { value: true, short: 'p' },
  token: { value: true },
  database: { value: true, short: 'd' },
  ssl: { value: false },
  'no-verify-ssl': { value: false },
  ca: { value: true },
  cert: { value: true },
  key: { value: true },
  timeout: { value: true },
  retries: { value: true },
  proxy: { value: true },
  path: { value: true },
  gzip: { value: false },
  help: { value: false, short: 'h' },
};

/**
 * Reads `argv` (without node and the script): `--flag value`, `--flag=value`, `-d value`, boolean
 * `--flag`; an unknown flag, a missing value or a repeated single flag throws
 * {@link InfluxConfigError}.
 */
export function parseArgs(argv: readonly string[], known: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  const byShort = new Map(
    Object.entries(known)
      .filter(([, s]) => s.short !== undefined)
      .map(([name, s]) => [s.short!, name]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let value: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) value = arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = byShort.get(arg.slice(1));
      if (name === undefined) throw new InfluxConfigError(`unknown option ${arg} (see --help)`);
    } else {
      positionals.push(arg);
      continue;
    }
    const spec = known[name];
    if (spec === undefined) throw new InfluxConfigError(`unknown option --${name} (see --help)`);
    if (spec.value) {
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined) throw new InfluxConfigError(`option --${name} needs a value`);
      }
    } else if (value !== undefined) {
      throw new InfluxConfigError(`option --${name} takes no value`);
    } else value = 'true';
    const list = flags.get(name) ?? [];
    if (list.length > 0 && !spec.repeat) throw new InfluxConfigError(`option --${name} was given twice`);
    list.push(value);
    flags.set(name, list);
  }
  return { command: positionals[0], flags, positionals: positionals.slice(1) };
}

/** The single value of a flag, or undefined. */
export function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.[0];
}

function integer(text: string, what: string): number {
  if (!/^\d+$/.test(text))
    throw new InfluxConfigError(`${what} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** The server address as shown to the user: scheme, host, port and path, never credentials. */
export function describeServer(options: InfluxDBClientConfig): string {
  const scheme = options.ssl ? 'https' : 'http';
  return `${scheme}://${options.host ?? 'localhost'}:${options.port ?? 8086}${options.path ?? ''}`;
}

/**
 * Options of the InfluxDBClient from the environment and the flags (flags win):
 * `INFLUXDB_URL` (`http(s)://[user:pass@]host:port[/path]` or an `influxdb://` DSN, database in its
 * path), `INFLUXDB_USERNAME`, `INFLUXDB_PASSWORD`, `INFLUXDB_TOKEN`, `INFLUXDB_DATABASE`; flags
 * `--url`, `--dsn`, `--host`, `--port`, `--username`, `--password`, `--token`, `--database`,
 * `--ssl`, `--no-verify-ssl`, `--ca/--cert/--key FILE`, `--timeout MS`, `--retries N`,
 * `--proxy URL`, `--path PREFIX`, `--gzip`.
 */
export function clientOptions(args: ParsedArgs, env: NodeJS.ProcessEnv): InfluxDBClientConfig {
  let options: InfluxDBClientConfig = {};
  const url = flag(args, 'url') ?? flag(args, 'dsn') ?? env.INFLUXDB_URL;
  if (url !== undefined && url !== '') {
    if (/^https?:\/\//i.test(url)) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw new InfluxConfigError('INFLUXDB_URL/--url: not a valid URL (expected http://host:8086)');
      }
      if (u.search !== '' || u.hash !== '') {
        throw new InfluxConfigError('INFLUXDB_URL/--url: a query string or fragment is not supported');
      }
      options = {
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port === '' ? (u.protocol === 'https:' ? 443 : 8086) : Number(u.port),
        ssl: u.protocol === 'https:',
        ...(u.pathname !== '/' && u.pathname !== '' ? { path: u.pathname.replace(/\/$/, '') } : {}),
        ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
        ...(u.password !== '' ? { password: decodeURIComponent(u.password) } : {}),
      };
    } else {
      options = parseDsn(url);
    }
  }
  const set = <K extends keyof InfluxDBClientConfig>(key: K, value: InfluxDBClientConfig[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('username', env.INFLUXDB_USERNAME || undefined);
  set('password', env.INFLUXDB_PASSWORD || undefined);
  set('token', env.INFLUXDB_TOKEN || undefined);
  set('database', env.INFLUXDB_DATABASE || undefined);
  set('host', flag(args, 'host'));
  const port = flag(args, 'port');
  if (port !== undefined) set('port', integer(port, '--port'));
  set('username', flag(args, 'username'));
  set('password', flag(args, 'password'));
  set('token', flag(args, 'token'));
  set('database', flag(args, 'database'));
  if (flag(args, 'ssl') !== undefined) set('ssl', true);
  if (flag(args, 'no-verify-ssl') !== undefined) set('verifySsl', false);
  for (const k of ['ca', 'cert', 'key'] as const) {
    const file = flag(args, k);
    if (file !== undefined) set(k, readFileSync(file));
  }
  const timeout = flag(args, 'timeout');
  if (timeout !== undefined) set('timeout', integer(timeout, '--timeout'));
  const retries = flag(args, 'retries');
  if (retries !== undefined) set('retries', integer(retries, '--retries'));
  set('proxy', flag(args, 'proxy'));
  set('path', flag(args, 'path'));
  if (flag(args, 'gzip') !== undefined) set('gzip', true);
  return options;
}
