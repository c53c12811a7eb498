/** Options of `registry.installShutdownHooks()`. */
export interface ShutdownHookOptions {
  /**
   * Also flush on `beforeExit` from this hook. Default false: the registry already does it
   * (`flushOnExit`, default true).
   */
  beforeExit?: boolean;
  /** Signals on which to close the registry, then re-raise the signal. Default `['SIGINT', 'SIGTERM']`. */
  signals?: NodeJS.Signals[];
  /** Longest time a signal waits for the close, in ms (retries then stop). Default 10000. */
  timeout?: number;
}

/** What the hooks use of a series registry (structural, so that this module does not import it back). */
export interface ShutdownTarget {
  readonly pendingCount: number;
  readonly isClosed: boolean;
  flush(): Promise<unknown>;
  close(options: { timeout: number }): Promise<unknown>;
}

/**
 * Signal wiring (opt-in). On a signal the registry is closed (bounded by `timeout`),
 * then, when no other listener handles that signal, the signal is raised again so the process ends
 * the way it would have without the hook.
 */
export function installShutdownHooks(
  registry: ShutdownTarget,
  options: ShutdownHookOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const timeout = options.timeout ?? 10_000;
  let flushing = false;
  const onBeforeExit = () => {
    if (flushing || registry.pendingCount === 0 || registry.isClosed) return;
    flushing = true;
    registry.flush().then(
      () => {
        flushing = false;
      },
      (e: Error) => {
        flushing = false;
        process.emitWarning(`influx-models: flush at exit: ${e?.message ?? String(e)}`, {
          code: 'INFLUX_MODELS_EXIT_FLUSH',
        });
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    uninstall();
    registry.close({ timeout }).then(
      () => reraise(signal),
      () => reraise(signal),
    );
  };
  const reraise = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  if (options.beforeExit ?? false) process.on('beforeExit', onBeforeExit);
  for (const s of signals) process.on(s, onSignal);
  let installed = true;
  function uninstall(): void {
    if (!installed) return;
    installed = false;
    process.off('beforeExit', onBeforeExit);
    for (const s of signals) process.off(s, onSignal);
  }
  return uninstall;
}
