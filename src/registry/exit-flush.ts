/**
 * Flush on a natural end (default on; `flushOnExit: false` turns it off per registry). One
 * `beforeExit` listener serves every registry that holds points: when the event loop empties, each
 * of them is flushed; the flush keeps the loop alive until it settles (bounded by the retry
 * policy's `giveUpAfter`), then `beforeExit` fires again and the process ends. A flush that could
 * not write everything prints a warning (`INFLUX_MODELS_EXIT_FLUSH`) — the process never ends
 * silently with points unwritten. Signals are not handled here (see `installShutdownHooks`).
 */

interface Flushable {
  readonly pendingCount: number;
  readonly isClosed: boolean;
  flush(): Promise<unknown>;
}

const armed = new Set<Flushable>();
const flushing = new Set<Flushable>();
let listening = false;

function onBeforeExit(): void {
  for (const r of armed) {
    if (flushing.has(r) || r.isClosed || r.pendingCount === 0) continue;
    flushing.add(r);
    r.flush().then(
      () => flushing.delete(r),
      (e: Error) => {
        flushing.delete(r);
        process.emitWarning(`influx-models: flush at exit: ${e?.message ?? String(e)}`, {
          code: 'INFLUX_MODELS_EXIT_FLUSH',
        });
      },
    );
  }
}

/** Flushes `registry` when the process is about to end naturally. */
export function armExitFlush(registry: Flushable): void {
  armed.add(registry);
  if (!listening) {
    listening = true;
    process.on('beforeExit', onBeforeExit);
  }
}

/** Stops flushing `registry` at exit (closed, or `flushOnExit: false`). */
export function disarmExitFlush(registry: Flushable): void {
  armed.delete(registry);
  if (armed.size === 0 && listening) {
    listening = false;
    process.off('beforeExit', onBeforeExit);
  }
}
