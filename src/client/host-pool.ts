import type { Dispatcher } from 'undici';
import { InfluxConfigError } from '../errors.js';
import type { ReplicaBacklog } from '../sink.js';
import type { RetryPolicy } from './retry-policy.js';

/** One server of a client's `hosts` list. `port` defaults to 8086, `ssl` to the client's `ssl`. */
export interface HostOptions {
  host: string;
  port?: number;
  ssl?: boolean;
}

/** What {@link HostPool.states} (and `client.hosts()`) says about one server. */
export interface HostState {
  /** Base URL of the server (no credentials), e.g. `http://10.0.0.2:8086`. */
  url: string;
  host: string;
  port: number;
  ssl: boolean;
  /** `'healthy'`: requests go to it; `'unhealthy'`: it failed and is backed off until `retryAt`. */
  state: 'healthy' | 'unhealthy';
  /** Failures in a row (requests and probes); 0 when healthy. */
  failures: number;
  /** The last failure's message (never holds credentials), while unhealthy. */
  lastError?: string;
  /** When the next probe (GET /ping) of an unhealthy server is due. */
  retryAt?: Date;
  /** The server's version, from the last answer to a ping or probe. */
  version?: string;
  /** With `replicate: 'all'`: this server's write queue. */
  backlog?: ReplicaBacklog;
}

/** One server: where requests go and how (its own connection pool). */
export interface HostEndpoint {
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly dispatcher: Dispatcher;
}

interface HostEntry {
  endpoint: HostEndpoint;
  healthy: boolean;
  failures: number;
  lastError: string | undefined;
  retryAt: number;
  version: string | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The servers of one client, in the order they were given, with their health. Requests go to the
 * first healthy server in that order; a server whose request failed with a transient error
 * (connection refused or reset, idle timeout, 5xx, 429) is marked unhealthy and backed off with the
 * client's retry policy (`retryBaseDelay` doubling up to `retryMaxDelay`, with jitter), then
 * re-probed with `GET /ping` in the background; a probe that answers makes it healthy again, a probe
 * that fails backs it off further. When no server is healthy, the one whose back-off ends first is
 * tried anyway (a request never fails only because of earlier failures).
 *
 * With a single server nothing runs in the background.
 */
export class HostPool {
  readonly #entries: HostEntry[];
  readonly #policy: RetryPolicy;
  #probe: ((endpoint: HostEndpoint) => Promise<string>) | undefined;
  #closed = false;

  constructor(endpoints: readonly HostEndpoint[], policy: RetryPolicy) {
    this.#entries = endpoints.map((endpoint) => ({
      endpoint,
      healthy: true,
      failures: 0,
      lastError: undefined,
      retryAt: 0,
      version: undefined,
      timer: undefined,
    }));
    this.#policy = policy;
  }

  /** How a server is probed (GET /ping, one attempt); resolves with its version. */
  setProbe(probe: (endpoint: HostEndpoint) => Promise<string>): void {
    this.#probe = probe;
  }

  get size(): number {
    return this.#entries.length;
  }

  get endpoints(): HostEndpoint[] {
    return this.#entries.map((e) => e.endpoint);
  }

  /**
   * The server for the next attempt: the first healthy one not in `tried`; else, when every
   * server failed, the one (not in `tried`) whose back-off ends first; undefined when all were tried.
   */
  pick(tried: ReadonlySet<HostEndpoint>): HostEndpoint | undefined {
    let fallback: HostEntry | undefined;
    for (const e of this.#entries) {
      if (tried.has(e.endpoint)) continue;
      if (e.healthy) return e.endpoint;
      if (fallback === undefined || e.retryAt < fallback.retryAt) fallback = e;
    }
    return fallback?.endpoint;
  }

  /** The healthy servers, in order. */
  healthy(): HostEndpoint[] {
    return this.#entries.filter((e) => e.healthy).map((e) => e.endpoint);
  }

  /** A request to `endpoint` was answered (any status a server gives when it works). */
  succeeded(endpoint: HostEndpoint, version?: string): void {
    const e = this.#entry(endpoint);
    if (e === undefined) return;
    if (version !== undefined) e.version = version;
    if (e.healthy && e.failures === 0) return;
    e.healthy = true;
    e.failures = 0;
    e.lastError = undefined;
    e.retryAt = 0;
    if (e.timer !== undefined) clearTimeout(e.timer);
    e.timer = undefined;
  }

  /** A request to `endpoint` failed transiently: mark it unhealthy and schedule its probe. */
  failed(endpoint: HostEndpoint, error: Error): void {
    const e = this.#entry(endpoint);
    if (e === undefined) return;
    e.healthy = false;
    e.failures++;
    e.lastError = error.message;
    const delay = this.#policy.delay(e.failures);
    e.retryAt = Date.now() + delay;
    this.#schedule(e, delay);
  }

  #schedule(e: HostEntry, delay: number): void {
    if (this.#closed || this.#entries.length < 2 || this.#probe === undefined) return;
    if (e.timer !== undefined) clearTimeout(e.timer);
    e.timer = setTimeout(() => {
      e.timer = undefined;
      void this.#runProbe(e);
    }, delay);
    e.timer.unref();
  }

  async #runProbe(e: HostEntry): Promise<void> {
    const probe = this.#probe;
    if (this.#closed || e.healthy || probe === undefined) return;
    try {
      const version = await probe(e.endpoint);
      if (!this.#closed) this.succeeded(e.endpoint, version);
    } catch (err) {
      if (!this.#closed && !e.healthy) this.failed(e.endpoint, err as Error);
    }
  }

  /**
   * Probes every server now (GET /ping, one attempt each) and updates their states; resolves with
   * the states.
   */
  async check(): Promise<HostState[]> {
    const probe = this.#probe;
    if (probe !== undefined) {
      await Promise.all(
        this.#entries.map(async (e) => {
          try {
            this.succeeded(e.endpoint, await probe(e.endpoint));
          } catch (err) {
            this.failed(e.endpoint, err as Error);
          }
        }),
      );
    }
    return this.states();
  }

  /** A snapshot of every server's state, in the order they were given. */
  states(): HostState[] {
    return this.#entries.map((e) => {
      const { origin, host, port, ssl } = e.endpoint;
      const s: HostState = {
        url: origin,
        host,
        port,
        ssl,
        state: e.healthy ? 'healthy' : 'unhealthy',
        failures: e.failures,
      };
      if (e.lastError !== undefined) s.lastError = e.lastError;
      if (!e.healthy) s.retryAt = new Date(e.retryAt);
      if (e.version !== undefined) s.version = e.version;
      return s;
    });
  }

  /** Stops the background probes. */
  close(): void {
    this.#closed = true;
    for (const e of this.#entries) {
      if (e.timer !== undefined) clearTimeout(e.timer);
      e.timer = undefined;
    }
  }

  #entry(endpoint: HostEndpoint): HostEntry | undefined {
    return this.#entries.find((e) => e.endpoint === endpoint);
  }
}

/**
 * Checks the `hosts` option: a non-empty array of `{ host, port?, ssl? }`. Returns the list with
 * defaults applied (`port` 8086, `ssl` the client's).
 */
export function checkHosts(
  value: unknown,
  defaultSsl: boolean,
  checkHost: (host: unknown, where: string) => string,
  checkPort: (port: unknown, where: string) => number,
): { host: string; port: number; ssl: boolean }[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InfluxConfigError(
      "InfluxDBClient(hosts): must be a non-empty array like [{ host: 'a', port: 8086 }, { host: 'b' }]",
    );
  }
  const seen = new Set<string>();
  return value.map((h: unknown, i) => {
    const at = `hosts[${i}]`;
    const where = `InfluxDBClient(${at})`;
    if (h === null || typeof h !== 'object' || Array.isArray(h)) {
      throw new InfluxConfigError(`${where}: must be an object { host, port?, ssl? }`);
    }
    for (const k of Object.keys(h)) {
      if (k !== 'host' && k !== 'port' && k !== 'ssl') {
        throw new InfluxConfigError(
          `${where}: unknown key ${JSON.stringify(k)}; a host takes host, port and ssl`,
        );
      }
    }
    const o = h as HostOptions;
    const host = checkHost(o.host, `InfluxDBClient(${at}.host)`);
    const port = o.port === undefined ? 8086 : checkPort(o.port, `InfluxDBClient(${at}.port)`);
    if (o.ssl !== undefined && typeof o.ssl !== 'boolean') {
      throw new InfluxConfigError(`InfluxDBClient(${at}.ssl): must be true or false`);
    }
    const key = `${host.toLowerCase()}:${port}`;
    if (seen.has(key)) throw new InfluxConfigError(`${where}: ${host}:${port} is listed twice`);
    seen.add(key);
    return { host, port, ssl: o.ssl ?? defaultSsl };
  });
}
