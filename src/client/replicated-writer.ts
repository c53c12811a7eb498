import {
  InfluxAbortError,
  InfluxClosedError,
  InfluxDBClientError,
  InfluxDBServerError,
  InfluxTimeoutError,
} from '../errors.js';
import type { FlushReport, HostOutcome, ReplicaBacklog } from '../sink.js';
import type { HostEndpoint, HostPool } from './host-pool.js';
import type { TransportRequest } from './http-transport.js';
import { type RetryPolicy, sleep } from './retry-policy.js';

export type { FlushReport, ReplicaBacklog };

/** How one call of {@link ReplicatedWriter.write} is queued (the registry's per-server options). */
export interface ReplicaWriteOptions {
  /** Base URLs of the servers to queue it for; every server when undefined. */
  hosts?: readonly string[] | undefined;
  /** Called once per queued server when its copy is settled (with the refusal's error). */
  onHost?: ((url: string, outcome: HostOutcome, error?: Error) => void) | undefined;
  /** Resolve once queued; the copies are withdrawn only when the request's signal aborts. */
  queueOnly?: boolean | undefined;
}

interface Copy {
  readonly req: TransportRequest;
  readonly bytes: number;
  /** Settles this server's part of the write. */
  readonly done: (error?: Error) => void;
  /** Tells the caller what became of this server's copy (once). */
  readonly onHost: ReplicaWriteOptions['onHost'];
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
  /** The last attempt failed with a transient error (the server is down or failing). */
  failing = false;
  /** Called whenever the queue empties or starts failing (flush re-checks its condition). */
  watchers: (() => void)[] = [];
  /** Aborts the back-off wait of a failing queue. */
  nap: AbortController | undefined;
  /** Attempts started so far; `failedAt`: the number of the last one that failed. */
  attempts = 0;
  failedAt = 0;
  constructor(readonly endpoint: HostEndpoint) {}
}

/**
 * `replicate: 'all'`: every write goes to every server, as influxdb-relay does, through one FIFO
 * queue per server with one request in flight each. A server that is down keeps its copies and gets
 * them, in order, once it answers again (retried with the client's retry policy, without end); the
 * others are not held up. A write resolves as soon as ONE server stored it (the others' copies stay
 * queued); it rejects when every server refused it for good (4xx), or when the call's deadline or
 * signal stops it before any server stored it (then the copies not yet sent are withdrawn).
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

  /**
   * Queues `req` for every server (or `options.hosts`); resolves once one stored it (see the class
   * comment), or at once with `options.queueOnly`.
   */
  write(req: TransportRequest, options: ReplicaWriteOptions = {}): Promise<void> {
    const size = req.body === undefined ? 0 : Buffer.byteLength(req.body);
    const onHost = options.onHost;
    const targets =
      options.hosts === undefined
        ? this.#queues
        : this.#queues.filter((q) => (options.hosts as readonly string[]).includes(q.endpoint.origin));
    if (options.queueOnly) {
      // no deadline: the caller follows each copy through onHost; its signal withdraws the copies
      // not yet sent (a copy in flight may still be stored)
      const { signal, ...detached } = req;
      const withdrawn = () => signal?.aborted === true;
      for (const q of targets) {
        if (!this.#admit(q, size, onHost)) continue;
        q.items.push({ req: detached, bytes: size, done: noop, onHost, withdrawn });
        q.bytes += size;
        this.#run(q);
      }
      return Promise.resolve();
    }
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
      const onPart = (error?: Error) => {
        if (error === undefined) return finish();
        firstError ??= error;
        if (--remaining === 0) finish(firstError);
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
      for (const q of targets) {
        if (!this.#admit(q, size, onHost)) continue;
        remaining++;
        q.items.push({ req: unsignalled, bytes: size, done: onPart, onHost, withdrawn: () => gaveUp });
        q.bytes += size;
        this.#run(q);
      }
      if (targets.length === 0) finish();
      else if (remaining === 0) {
        finish(
          new InfluxDBServerError(
            `every server's backlog is over maxReplicaBacklog (${this.#maxBytes} bytes); the batch was not written`,
          ),
        );
      }
    });
  }

  /** False (counted as dropped, told to `onHost`) when `q`'s backlog has no room for `size` bytes. */
  #admit(q: HostQueue, size: number, onHost: ReplicaWriteOptions['onHost']): boolean {
    if (q.bytes + size <= this.#maxBytes || q.items.length === 0) return true;
    q.dropped++;
    q.lastError = `backlog over maxReplicaBacklog (${this.#maxBytes} bytes): a batch was dropped for this server`;
    onHost?.(q.endpoint.origin, 'unsent');
    return false;
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
          copy.onHost?.(q.endpoint.origin, 'unsent');
          continue;
        }
        const attempt = ++q.attempts;
        try {
          await this.#send(copy.req, q.endpoint);
          failures = 0;
          q.failing = false;
          q.written++;
          this.#shift(q);
          copy.onHost?.(q.endpoint.origin, 'stored');
          copy.done();
        } catch (err) {
          if (this.#stopped) break;
          if (err instanceof InfluxDBClientError) {
            // refused for good by this server: not retried (the others decide the call's outcome)
            q.failed++;
            q.lastError = err.message;
            this.#shift(q);
            copy.onHost?.(q.endpoint.origin, 'refused', err);
            copy.done(err);
            continue;
          }
          failures++;
          q.lastError = (err as Error).message;
          q.failing = true;
          q.failedAt = attempt;
          this.#notify(q);
          // backed off; flush() cuts the wait short (to find out whether the server is back)
          q.nap = new AbortController();
          await sleep(this.#policy.delay(failures), AbortSignal.any([this.#stop.signal, q.nap.signal])).catch(
            noop,
          );
          q.nap = undefined;
        }
      }
    } finally {
      q.running = false;
      if (q.items.length === 0) this.#notify(q);
    }
  }

  #notify(q: HostQueue): void {
    for (const f of [...q.watchers]) f();
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
        failing: q.failing,
      };
      if (q.lastError !== undefined) b.lastError = q.lastError;
      return b;
    });
  }

  /**
   * Waits until every queue is empty, or `timeout` ms (0 = no limit); reports each server. With
   * `waitForDown: false` a queue is not waited for once an attempt started after this call failed:
   * a failing queue tries at once (its back-off is cut short) to find out whether its server is back.
   */
  async flush(timeout: number, waitForDown = true): Promise<FlushReport> {
    const from = new Map(this.#queues.map((q) => [q, q.attempts + 1]));
    const done = (q: HostQueue) =>
      q.items.length === 0 || (!waitForDown && q.failing && q.failedAt >= (from.get(q) as number));
    for (const q of this.#queues) q.nap?.abort();
    const empty = Promise.all(
      this.#queues.map((q) =>
        done(q)
          ? undefined
          : new Promise<void>((resolve) => {
              const check = () => {
                if (!done(q) && !this.#stopped) return;
                q.watchers.splice(q.watchers.indexOf(check), 1);
                resolve();
              };
              q.watchers.push(check);
            }),
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
    for (const q of this.#queues) {
      for (const copy of q.items) {
        copy.onHost?.(q.endpoint.origin, 'unsent');
        copy.done(closed);
      }
      this.#notify(q);
    }
  }
}

const noop = (): void => {};
