import {
  InfluxAbortError,
  InfluxClosedError,
  InfluxDBClientError,
  InfluxDBServerError,
  InfluxTimeoutError,
} from '../errors.js';
import type { HostEndpoint, HostPool, ReplicaBacklog } from './host-pool.js';
import type { TransportRequest } from './http-transport.js';
import { type RetryPolicy, sleep } from './retry-policy.js';

/** What `client.flush()` found: each server's backlog after waiting. */
export interface FlushReport {
  /** True when every server's queue is empty. */
  drained: boolean;
  hosts: ReplicaBacklog[];
}

interface Copy {
  readonly req: TransportRequest;
  readonly bytes: number;
  /** Settles this server's part of the write. */
  readonly done: (error?: Error) => void;
  /** This server's attempt failed transiently (the copy stays queued and is retried). */
  readonly retrying: (error: Error) => void;
  /** The caller gave up before this copy was sent: skip it (other copies may be stored). */
  withdrawn: () => boolean;
}

class HostQueue {
  readonly items: Copy[] = [];
  bytes = 0;
  written = 0;
  failed = 0;
  dropped = 0;
  lastError: string | undefined;
  running = false;
  idle: (() => void)[] = [];
  constructor(readonly endpoint: HostEndpoint) {}
}

/**
 * `replicate: 'all'`: every write goes to every server, as influxdb-relay does, through one FIFO
 * queue per server with one request in flight each. A server that is down keeps its copies and gets
 * them, in order, once it answers again (retried with the client's retry policy, without end); the
 * others are not held up. A write resolves as soon as ONE server stored it (the others' copies stay
 * queued); it rejects when every server refused it for good (4xx), or when the call's deadline or
 * signal stops it before any server stored it (then the copies not yet sent are withdrawn). A
 * single-attempt write (`retry: false`: the registry's, which drives its own attempts) also rejects
 * once every server's first attempt failed, withdrawing its copies: no backoff loop inside the
 * registry's.
 *
 * Memory: a server's backlog is bounded by `maxBytes`; beyond it new copies for that server are
 * dropped and counted (`dropped`), so one dead server never exhausts the process.
 */
export class ReplicatedWriter {
  readonly #queues: HostQueue[];
  readonly #send: (req: TransportRequest, host: HostEndpoint) => Promise<unknown>;
  readonly #policy: RetryPolicy;
  readonly #maxBytes: number;
  readonly #requestTimeout: number;
  #stopped = false;
  readonly #stop = new AbortController();

  constructor(
    pool: HostPool,
    send: (req: TransportRequest, host: HostEndpoint) => Promise<unknown>,
    policy: RetryPolicy,
    maxBytes: number,
    requestTimeout: number,
  ) {
    this.#queues = pool.endpoints.map((e) => new HostQueue(e));
    this.#send = send;
    this.#policy = policy;
    this.#maxBytes = maxBytes;
    this.#requestTimeout = requestTimeout;
  }

  /** Queues `req` for every server; resolves once one stored it (see the class comment). */
  write(req: TransportRequest): Promise<void> {
    const size = req.body === undefined ? 0 : Buffer.byteLength(req.body);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let gaveUp = false;
      let remaining = 0;
      let firstError: Error | undefined;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        cleanup();
        if (error) reject(error);
        else resolve();
      };
      const single = req.retry === false;
      // one failure counted per server: refused for good, or (single attempt) its first failure
      const failedOn = (error: Error) => {
        firstError ??= error;
        if (--remaining === 0) (single ? giveUp : finish)(firstError);
      };
      const giveUp = (error: Error) => {
        gaveUp = !settled;
        finish(error);
      };
      const signal = req.signal;
      const onAbort = () => giveUp(new InfluxAbortError('the write was aborted', { cause: signal?.reason }));
      const timer =
        this.#requestTimeout > 0
          ? setTimeout(
              () =>
                giveUp(
                  new InfluxTimeoutError(
                    `POST ${req.path}: no server stored the batch within requestTimeout (${this.#requestTimeout} ms); copies not yet sent were withdrawn`,
                  ),
                ),
              this.#requestTimeout,
            )
          : undefined;
      const cleanup = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      // the copies are sent without the caller's signal: a copy queued for a server that is down
      // must outlive the call that made it
      const { signal: _signal, ...unsignalled } = req;
      for (const q of this.#queues) {
        if (q.bytes + size > this.#maxBytes && q.items.length > 0) {
          q.dropped++;
          q.lastError = `backlog over maxReplicaBacklog (${this.#maxBytes} bytes): a batch was dropped for this server`;
          continue;
        }
        remaining++;
        let counted = false;
        const count = (error: Error) => {
          if (counted) return;
          counted = true;
          failedOn(error);
        };
        q.items.push({
          req: unsignalled,
          bytes: size,
          done: (error) => (error === undefined ? finish() : count(error)),
          retrying: (error) => {
            if (single) count(error);
          },
          withdrawn: () => gaveUp,
        });
        q.bytes += size;
        this.#run(q);
      }
      if (remaining === 0) {
        finish(
          new InfluxDBServerError(
            `every server's backlog is over maxReplicaBacklog (${this.#maxBytes} bytes); the batch was not written`,
          ),
        );
      }
    });
  }

  async #run(q: HostQueue): Promise<void> {
    if (q.running) return;
    q.running = true;
    try {
      let failures = 0;
      while (q.items.length > 0 && !this.#stopped) {
        const copy = q.items[0] as Copy;
        if (copy.withdrawn()) {
          this.#shift(q);
          continue;
        }
        try {
          await this.#send(copy.req, q.endpoint);
          failures = 0;
          q.written++;
          this.#shift(q);
          copy.done();
        } catch (err) {
          if (this.#stopped) break;
          if (err instanceof InfluxDBClientError) {
            // refused for good by this server: not retried (the others decide the call's outcome)
            q.failed++;
            q.lastError = err.message;
            this.#shift(q);
            copy.done(err);
            continue;
          }
          failures++;
          q.lastError = (err as Error).message;
          copy.retrying(err as Error);
          try {
            await sleep(this.#policy.delay(failures), this.#stop.signal);
          } catch {
            break;
          }
        }
      }
    } finally {
      q.running = false;
      if (q.items.length === 0) {
        const idle = q.idle;
        q.idle = [];
        for (const f of idle) f();
      }
    }
  }

  #shift(q: HostQueue): void {
    const copy = q.items.shift();
    if (copy !== undefined) q.bytes -= copy.bytes;
  }

  /** Each server's queue now. */
  backlog(): ReplicaBacklog[] {
    return this.#queues.map((q) => {
      const b: ReplicaBacklog = {
        url: q.endpoint.origin,
        pending: q.items.length,
        pendingBytes: q.bytes,
        written: q.written,
        failed: q.failed,
        dropped: q.dropped,
      };
      if (q.lastError !== undefined) b.lastError = q.lastError;
      return b;
    });
  }

  /** Waits until every queue is empty, or `timeout` ms (0 = no limit); reports each server. */
  async flush(timeout: number): Promise<FlushReport> {
    const empty = Promise.all(
      this.#queues.map((q) =>
        q.items.length === 0 ? undefined : new Promise<void>((resolve) => q.idle.push(resolve)),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      empty,
      ...(timeout > 0 ? [new Promise<void>((r) => (timer = setTimeout(r, timeout)))] : []),
    ]);
    if (timer !== undefined) clearTimeout(timer);
    const hosts = this.backlog();
    return { drained: hosts.every((h) => h.pending === 0), hosts };
  }

  /**
   * Stops the queues: what is still queued is reported by {@link backlog} and not sent, and a write
   * still waiting for its first server rejects with {@link InfluxClosedError}.
   */
  stop(): void {
    this.#stopped = true;
    this.#stop.abort();
    const closed = new InfluxClosedError('the client was closed before any server stored the batch');
    for (const q of this.#queues) for (const copy of q.items) copy.done(closed);
  }
}
