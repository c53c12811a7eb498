/**
 * The connection side of a client, built from its resolved configuration: the undici pools (or the
 * given dispatcher, or a proxy agent), the host pool, the HTTP transport and, with
 * `replicate: 'all'`, the per-server write queues; and their orderly shutdown.
 */
import type { Dispatcher } from 'undici';
import { InfluxClosedError } from '../errors.js';
import { lazyRequire } from '../lazy-require.js';
import type { ReplicaBacklog } from '../sink.js';
import type { ResolvedClientConfig } from './client-config.js';
import { type HostEndpoint, HostPool } from './host-pool.js';
import { type AbortedRequest, HttpTransport } from './http-transport.js';
import { ReplicatedWriter } from './replicated-writer.js';

/** undici loads on the first client built (see lazy-require.ts), not on `import 'influx-models'`. */
const loadUndici = lazyRequire<typeof import('undici')>('undici');

/** What a shutdown did (the client's `CloseReport`). */
export interface ShutdownReport {
  aborted: AbortedRequest[];
  unsent?: ReplicaBacklog[];
}

/** The pools, host pool, transport and replica queues of one client. */
export class ClientConnection {
  readonly hosts: HostPool;
  readonly transport: HttpTransport;
  /** The per-server write queues with `replicate: 'all'`. */
  readonly replicas: ReplicatedWriter | undefined;
  /** The connection pools the client made (closed by shutdown); none when `dispatcher` was given. */
  readonly #ownDispatchers: Dispatcher[] = [];

  constructor(config: ResolvedClientConfig) {
    const plan = config.connection;
    let dispatcherFor: (origin: string) => Dispatcher;
    if (plan.kind === 'dispatcher') {
      dispatcherFor = () => plan.dispatcher;
    } else if (plan.kind === 'proxy') {
      const { ProxyAgent } = loadUndici();
      const agent = new ProxyAgent({ uri: plan.uri, requestTls: plan.tls, connections: plan.poolSize });
      this.#ownDispatchers.push(agent);
      dispatcherFor = () => agent;
    } else {
      // one connection pool per server
      dispatcherFor = (origin) => {
        const { Pool } = loadUndici();
        const pool = new Pool(origin, { connections: plan.poolSize, connect: plan.tls });
        this.#ownDispatchers.push(pool);
        return pool;
      };
    }
    const endpoints: HostEndpoint[] = config.hosts.map((h) => ({
      origin: h.origin,
      host: h.host,
      port: h.port,
      ssl: h.ssl,
      dispatcher: dispatcherFor(h.origin),
    }));
    const retry = config.retry;
    this.hosts = new HostPool(endpoints, retry);
    const transport = new HttpTransport({
      hosts: this.hosts,
      pathPrefix: config.pathPrefix,
      headers:
        config.authorization === undefined
          ? config.headers
          : { ...config.headers, authorization: config.authorization },
      timeout: config.timeout,
      requestTimeout: config.requestTimeout,
      maxResponseBytes: config.maxResponseBytes,
      retry,
      acceptGzip: config.gzip,
    });
    this.transport = transport;
    this.hosts.setProbe((endpoint) => transport.probe(endpoint));
    this.replicas =
      config.replicaBacklog !== undefined
        ? new ReplicatedWriter(
            this.hosts,
            (req, host) => transport.send({ ...req, host, retry: false }),
            retry,
            config.replicaBacklog,
            config.requestTimeout,
          )
        : undefined;
  }

  /**
   * Closes everything: the replica queues get the grace period first (new writes are refused),
   * open streams are stopped at once, requests in flight get what is left of `grace` ms, then are
   * aborted with {@link InfluxClosedError}; the pools the client made are closed (destroyed when
   * something was aborted), then `also` (the UDP socket).
   */
  async shutdown(grace: number, also: (() => Promise<unknown>) | undefined): Promise<ShutdownReport> {
    const transport = this.transport;
    let unsent: ReplicaBacklog[] | undefined;
    if (this.replicas !== undefined) {
      const started = Date.now();
      const report = grace > 0 ? await this.replicas.flush(grace) : { hosts: this.replicas.backlog() };
      this.replicas.stop();
      unsent = report.hosts.filter((h) => h.pending > 0);
      grace = Math.max(0, grace - (Date.now() - started));
    }
    transport.markClosed();
    const closed = (what: string) => new InfluxClosedError(`the client was closed ${what}`);
    // Streams are stopped at once: their consumer decides how long they run, not close().
    const aborted = transport.abortAll(closed('during the stream'), (call) => call.stream);
    await transport.waitIdle(grace);
    aborted.push(
      ...transport.abortAll(closed(`while this request was in flight (close timeout ${grace} ms)`)),
    );
    this.hosts.close();
    const tasks: Promise<unknown>[] = [];
    for (const d of this.#ownDispatchers) tasks.push(aborted.length > 0 ? d.destroy() : d.close());
    if (also !== undefined) tasks.push(also());
    await Promise.allSettled(tasks);
    return unsent === undefined ? { aborted } : { aborted, unsent };
  }
}
