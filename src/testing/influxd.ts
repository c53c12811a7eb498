import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { InfluxConfigError, InfluxModelsError } from '../errors.js';
import { compileStatement } from '../influxql/compiler.js';

/** Options of {@link startInfluxd}. */
export interface StartInfluxdOptions {
  /** Path of the `influxd` binary. Default: `$INFLUXD_BIN`, then `influxd` on PATH, then /usr/bin. */
  binary?: string;
  /** Turn authentication on and create this admin user before returning. */
  auth?: { username: string; password: string };
  /** Open a UDP listener that writes into this database (created by the server). */
  udp?: { database: string; precision?: '' | 'n' | 'u' | 'ms' | 's' | 'm' | 'h'; batchTimeout?: string };
  /** Keep the data in this directory instead of a fresh temp dir (it is not removed by stop()). */
  dataDir?: string;
  /** Use this HTTP port instead of a free one (used by restart()). */
  port?: number;
  /** How long to wait for /ping to answer, in ms. Default 30000. */
  startTimeout?: number;
  /** Extra lines appended to the generated config (TOML). */
  extraConfig?: string;
  /** Forward the server's output to this process's stderr. Default false. */
  verbose?: boolean;
}

/** A running throwaway `influxd`. */
export interface InfluxdHandle {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly udpPort?: number;
  /** Directory holding meta, data and wal. */
  readonly dataDir: string;
  /** PID of the current server process. */
  readonly pid: number | undefined;
  /** Stop the server (SIGTERM, SIGKILL after 10 s) and remove its temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Kill the server process with a signal (default SIGKILL) without removing its data. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start the server again on the same ports and data directory (after kill()). */
  restart(): Promise<void>;
}

/**
 * Finds the influxd binary or throws an error that says how to install it.
 *
 * ```ts
 * findInfluxd(); // '/usr/bin/influxd' (checks the argument, $INFLUXD_BIN, PATH, then /usr/bin, /usr/local/bin, /usr/sbin)
 * findInfluxd('/opt/influxdb/usr/bin/influxd'); // that path, when it is executable
 * // none found: throws InfluxConfigError saying how to install InfluxDB 1.x
 * ```
 */
export function findInfluxd(explicit?: string): string {
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  if (process.env.INFLUXD_BIN) candidates.push(process.env.INFLUXD_BIN);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'influxd'));
  candidates.push('/usr/bin/influxd', '/usr/local/bin/influxd', '/usr/sbin/influxd');
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {}
  }
  throw new InfluxConfigError(
    'influxd (InfluxDB 1.x) was not found on PATH, in INFLUXD_BIN or in /usr/bin. Install it with ' +
      '`sudo apt-get install -y influxdb` (Debian/Ubuntu), set INFLUXD_BIN=/path/to/influxd, or set ' +
      'INFLUXDB_URL to use a running server.',
  );
}

/**
 * A TCP port that was free a moment ago on 127.0.0.1.
 *
 * ```ts
 * const port = await freeTcpPort(); // e.g. 40213
 * const server = await startInfluxd({ port });
 * ```
 */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A UDP port that was free a moment ago on 127.0.0.1.
 *
 * ```ts
 * const port = await freeUdpPort(); // e.g. 51877
 * // bind a test listener there (`[[udp]] bind-address = "127.0.0.1:51877"`), then:
 * const udp = new UdpSender({ host: '127.0.0.1', port });
 * ```
 */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.on('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

function config(
  dir: string,
  port: number,
  rpcPort: number,
  opts: StartInfluxdOptions,
  udpPort?: number,
): string {
  const udp = opts.udp
    ? `
[[udp]]
  enabled = true
  bind-address = "127.0.0.1:${udpPort}"
  database = ${JSON.stringify(opts.udp.database)}
  precision = ${JSON.stringify(opts.udp.precision ?? '')}
  batch-size = 5000
  batch-pending = 10
  batch-timeout = ${JSON.stringify(opts.udp.batchTimeout ?? '50ms')}
  read-buffer = 0
`
    : '';
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = ${JSON.stringify(join(dir, 'meta'))}
  logging-enabled = false

[data]
  dir = ${JSON.stringify(join(dir, 'data'))}
  wal-dir = ${JSON.stringify(join(dir, 'wal'))}
  query-log-enabled = false
  wal-fsync-delay = "0s"
  max-series-per-database = 0
  max-values-per-tag = 0

[coordinator]
  log-queries-after = "0s"

[retention]
  enabled = true

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  auth-enabled = ${opts.auth ? 'true' : 'false'}
  log-enabled = false
  write-tracing = false
  pprof-enabled = false
  max-body-size = 0
  max-concurrent-write-limit = 0
  max-row-limit = 0

[logging]
  level = "error"
  suppress-logo = true

[continuous_queries]
  enabled = true
  log-enabled = false
  run-interval = "1s"
${udp}
${opts.extraConfig ?? ''}
`;
}

/**
 * Starts a throwaway InfluxDB 1.x server on free loopback ports in a fresh temp dir and waits until
 * it answers `/ping`. Used by the test suite, the demo and the examples.
 *
 * ```ts
 * const server = await startInfluxd({ udp: { database: 'udp' } });
 * const client = new InfluxDBClient({ host: server.host, port: server.port });
 * // ...
 * await server.stop();
 * ```
 */
export async function startInfluxd(options: StartInfluxdOptions = {}): Promise<InfluxdHandle> {
  const binary = findInfluxd(options.binary);
  const ownDir = options.dataDir === undefined;
  const dir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'influx-models-')));
  const host = '127.0.0.1';
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await freeTcpPort());
    const rpcPort = await freeTcpPort();
    const udpPort = options.udp ? await freeUdpPort() : undefined;
    const confPath = join(dir, 'influxdb.conf');
    await writeFile(confPath, config(dir, port, rpcPort, options, udpPort));
    try {
      const server = new Server(binary, confPath, dir, ownDir, host, port, udpPort, options);
      await server.launch();
      return server;
    } catch (err) {
      lastError = err;
      if (!(err instanceof PortInUseError) || options.port !== undefined) break;
    }
  }
  if (ownDir) await rm(dir, { recursive: true, force: true });
  throw lastError;
}

class PortInUseError extends InfluxModelsError {}

class Server implements InfluxdHandle {
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly binary: string,
    private readonly confPath: string,
    readonly dataDir: string,
    private readonly ownDir: boolean,
    readonly host: string,
    readonly port: number,
    readonly udpPort: number | undefined,
    private readonly options: StartInfluxdOptions,
  ) {
    this.url = `http://${host}:${port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async launch(): Promise<void> {
    const child = spawn(this.binary, ['-config', this.confPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, INFLUXDB_DATA_QUERY_LOG_ENABLED: 'false' },
    });
    this.child = child;
    let output = '';
    const collect = (chunk: Buffer) => {
      if (output.length < 20_000) output += chunk.toString();
      if (this.options.verbose) process.stderr.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let exitInfo: string | undefined;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = `exit code ${code}, signal ${signal}`;
        resolve();
      });
      child.once('error', (err) => {
        exitInfo = String(err);
        resolve();
      });
    });
    const deadline = Date.now() + (this.options.startTimeout ?? 30_000);
    while (Date.now() < deadline) {
      if (exitInfo !== undefined) {
        const message = `influxd exited during start-up (${exitInfo}): ${output.trim().slice(-2000)}`;
        if (/address already in use/i.test(output)) throw new PortInUseError(message);
        throw new InfluxModelsError(message);
      }
      if (await pingOnce(this.url)) {
        if (this.options.auth) await this.createAdmin();
        if (this.options.udp) await this.createDatabase(this.options.udp.database);
        return;
      }
      await sleep(50);
    }
    await this.kill('SIGKILL');
    throw new InfluxModelsError(
      `influxd did not answer /ping on ${this.url} within the start timeout: ${output}`,
    );
  }

  private async createAdmin(): Promise<void> {
    const { username, password } = this.options.auth!;
    const { query: q } = compileStatement({ kind: 'createUser', name: username, password, admin: true });
    const res = await fetch(`${this.url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q }),
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });
    const body = await res.text();
    if (!res.ok || body.includes('"error"')) {
      // A restarted server already has the user: that is fine.
      if (!/user already exists/.test(body))
        throw new InfluxModelsError(`could not create the admin user: ${body}`);
    }
  }

  /**
   * influxd 1.6 creates a UDP listener's database only when the first datagram arrives; create it
   * over HTTP (idempotent) so that queries work at once.
   */
  private async createDatabase(db: string): Promise<void> {
    const headers: Record<string, string> = {};
    if (this.options.auth) {
      const { username, password } = this.options.auth;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    const { query: q } = compileStatement({ kind: 'createDatabase', name: db });
    const res = await fetch(`${this.url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q }),
      headers,
    });
    const body = await res.text();
    if (!res.ok || body.includes('"error"')) {
      throw new InfluxModelsError(`could not create the UDP database ${JSON.stringify(db)}: ${body}`);
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await this.exited;
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new InfluxModelsError('this influxd was stopped; start a new one');
    await this.kill('SIGKILL');
    // The port was ours a moment ago; wait until it is free again before launching.
    for (let i = 0; i < 5; i++) {
      try {
        await this.launch();
        return;
      } catch (err) {
        if (!(err instanceof PortInUseError)) throw err;
        await sleep(200);
      }
    }
    await this.launch();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.ownDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}

async function pingOnce(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 204;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
