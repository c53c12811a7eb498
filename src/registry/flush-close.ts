import { InfluxConfigError, InfluxFlushError } from '../errors.js';
import type { CommitSink } from '../sink.js';
import type { ClassBuffer } from './class-buffer.js';
import type { CommitLoop } from './commit-loop.js';
import { noSinkError } from './diagnostics.js';
import { type Flight, GiveUp, noop } from './flight.js';
import type { ResolvedRegistryOptions } from './registry-options.js';
import type { HostFlushResult } from './replica-delivery.js';

/**
 * What `flush()` and `close()` report about every batch they waited for: the batches they cut and
 * those already in flight (cut earlier by autocommit). `written + failed + abandoned` is every
 * point of those batches; a partial write counts its stored lines as written and only the refused
 * ones as failed.
 */
export interface FlushResult {
  /** Points stored. */
  readonly written: number;
  /** Points that could not be stored (each reported through `onError`). */
  readonly failed: number;
  /** Points in flight when `close({ timeout })` gave up on them (reported through `onError`). */
  readonly abandoned: number;
  /**
   * When a sink replicates (`InfluxDBClient` with `replicate: 'all'`): each server's points (see
   * {@link HostFlushResult}). A point counts as `written` above once ONE server stored it. A flush
   * that rejects carries the same report on its error (`InfluxFlushError#hosts`).
   */
  readonly hosts?: readonly HostFlushResult[];
}

/** Options of `registry.flush()`. */
export interface FlushOptions {
  /** Longest wait in ms; default the retry policy's `giveUpAfter` (120000 by default). */
  timeout?: number;
}

/** What flush, close and commit use of a SeriesRegistry. */
export interface RegistryParts {
  readonly loop: CommitLoop;
  /** The registry's buffers (the live map). */
  readonly buffers: ReadonlyMap<object, ClassBuffer>;
  /** The options in force. */
  options(): ResolvedRegistryOptions;
}

/** The sink of a class: its `@Measurement({ sink })`, else the registry's. */
export function sinkOf(r: RegistryParts, buffer: ClassBuffer): CommitSink | undefined {
  return buffer.options.sink ?? r.options().sink;
}

/** The sinks of a registry: its own and those its classes name. */
export function sinksOf(r: RegistryParts): (CommitSink | undefined)[] {
  return [r.options().sink, ...[...r.buffers.values()].map((b) => b.options.sink)];
}

/** With sinks that replicate: see ReplicaHosts.flush (replica-delivery.ts). Undefined when no sink replicates. */
function hostReport(r: RegistryParts, ms: number): Promise<HostFlushResult[] | undefined> {
  return r.loop.replicaHosts.flush(sinksOf(r), ms);
}

/**
 * `registry.commit(model)` once `buffer`'s batch is cut (`mine`, absent when nothing was
 * buffered): waits for the class's `earlier` flights, then for `mine`, rejecting with its error;
 * keeps the process alive meanwhile.
 */
export async function awaitCommit(
  earlier: readonly Promise<unknown>[],
  mine: Flight | undefined,
): Promise<void> {
  const keepAlive = setInterval(noop, 1 << 30);
  try {
    await Promise.all(earlier);
    const outcome = mine === undefined ? undefined : await mine.done;
    if (outcome?.error !== undefined) throw outcome.error;
  } finally {
    clearInterval(keepAlive);
  }
}

/** `registry.flush()` once its `timeout` is checked: see SeriesRegistry.flush. */
export async function flushAll(r: RegistryParts, timeout: number | undefined): Promise<FlushResult> {
  for (const buffer of r.buffers.values()) {
    if (buffer.count > 0 && sinkOf(r, buffer) === undefined) throw noSinkError(buffer);
  }
  for (const buffer of r.buffers.values()) {
    if (buffer.count > 0) r.loop.dispatch(buffer, sinkOf(r, buffer) as CommitSink, true);
  }
  const targets = [...r.loop.flights];
  const limit = timeout ?? r.options().retry.giveUpAfter;
  const started = Date.now();
  await waitFor(targets, limit);
  const hosts = await hostReport(r, Math.max(1, limit - (Date.now() - started)));
  const result = tally(targets, `still being written after ${limit} ms (flush timeout)`, hosts);
  if (result.error !== undefined) throw result.error;
  return hosts === undefined ? result.counts : { ...result.counts, hosts };
}

/**
 * `registry.close()` once new points are refused: cuts every buffer (the points of a class without
 * a sink are reported as failed), waits for every batch (see {@link waitThenAbandon} with
 * `timeout`), reports the servers, closes the spool and sums the outcomes.
 */
export async function closeAll(r: RegistryParts, timeout: number | undefined): Promise<FlushResult> {
  let noSink = 0;
  for (const buffer of r.buffers.values()) {
    if (buffer.count === 0) continue;
    const sink = sinkOf(r, buffer);
    if (sink !== undefined) {
      r.loop.dispatch(buffer, sink, true);
      continue;
    }
    // No sink: nothing can be written; report the points instead of losing them silently.
    noSink += r.loop.failNoSink(buffer);
  }
  const targets = [...r.loop.flights];
  const started = Date.now();
  if (timeout === undefined) await waitFor(targets, Number.POSITIVE_INFINITY);
  else await waitThenAbandon(r.loop, targets, timeout);
  const hosts = await hostReport(
    r,
    timeout === undefined ? Number.POSITIVE_INFINITY : Math.max(1, timeout - (Date.now() - started)),
  );
  r.loop.replicaHosts.stop();
  r.loop.spool?.close();
  const { counts } = tally(targets, 'closed');
  const result = { ...counts, failed: counts.failed + noSink };
  return hosts === undefined ? result : { ...result, hosts };
}

/** Longest wait, after `close({ timeout })` aborted the commits, for them to settle. */
const CLOSE_MARGIN = 500;

export function checkTimeout(options: { timeout?: number } | undefined, method: string): number | undefined {
  if (options === null || (options !== undefined && typeof options !== 'object')) {
    throw new InfluxConfigError(`${method}(options): must be an object like { timeout: 5000 }`);
  }
  const t = options?.timeout;
  if (t === undefined) return undefined;
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0) {
    throw new InfluxConfigError(
      `${method}({ timeout }): must be a non-negative integer (ms), got ${String(t)}`,
    );
  }
  return t;
}

/** Waits until every flight of `targets` settled or `ms` passed, keeping the process alive. */
async function waitFor(targets: readonly Flight[], ms: number): Promise<void> {
  const open = targets.filter((f) => f.outcome === undefined);
  if (open.length === 0) return;
  const keepAlive = setInterval(noop, 1 << 30);
  let timer: NodeJS.Timeout | undefined;
  try {
    const all = Promise.all(open.map((f) => f.done)).then(noop);
    if (!Number.isFinite(ms)) await all;
    else await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  } finally {
    clearInterval(keepAlive);
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * `close({ timeout })`: waits `timeout` ms for `targets`, aborts the commits of those left (a
 * queued one is settled at once), waits {@link CLOSE_MARGIN} ms at most for them to settle, then
 * settles the rest as abandoned.
 */
async function waitThenAbandon(loop: CommitLoop, targets: readonly Flight[], timeout: number): Promise<void> {
  await waitFor(targets, timeout);
  const reason = new GiveUp('close', `abandoned by close({ timeout: ${timeout} })`);
  for (const f of targets) if (f.outcome === undefined) loop.abandon(f, reason);
  await waitFor(targets, CLOSE_MARGIN);
  for (const f of targets) if (f.outcome === undefined) loop.settle(f, loop.abandonOutcome(f, reason));
}

/** Sums the outcomes of `targets`; an {@link InfluxFlushError} when any point was not written. */
function tally(
  targets: readonly Flight[],
  pendingReason: string,
  hosts?: readonly HostFlushResult[],
): { counts: FlushResult; error: InfluxFlushError | undefined } {
  let written = 0;
  let failed = 0;
  let abandoned = 0;
  let pending = 0;
  const per = new Map<string, { failed: number; abandoned: number; pending: number; reason: string }>();
  for (const f of targets) {
    const o = f.outcome;
    if (o !== undefined) {
      written += o.written;
      failed += o.failed;
      abandoned += o.abandoned;
    } else pending += f.n;
    const lost = o === undefined ? f.n : o.failed + o.abandoned;
    if (lost === 0) continue;
    let c = per.get(f.className);
    if (c === undefined) {
      c = { failed: 0, abandoned: 0, pending: 0, reason: '' };
      per.set(f.className, c);
    }
    if (o === undefined) {
      c.pending += f.n;
      c.reason ||= `${pendingReason}${f.lastError ? `: ${f.lastError.message}` : ''}`;
    } else {
      c.failed += o.failed;
      c.abandoned += o.abandoned;
      c.reason ||= o.error?.message ?? 'not written';
    }
  }
  const counts = { written, failed, abandoned };
  if (failed + abandoned + pending === 0) return { counts, error: undefined };
  const classes = [...per].map(([className, c]) => ({ className, ...c }));
  return { counts, error: new InfluxFlushError(written, failed, abandoned, pending, classes, hosts) };
}
