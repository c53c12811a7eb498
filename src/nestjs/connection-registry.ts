import { InfluxClosedError, InfluxConfigError } from '../errors.js';
import type { ClassBuffer } from '../registry/class-buffer.js';
import type { CommitSink } from '../registry/commit-sink.js';
import {
  type CommitFailure,
  DEFAULT_REGISTRY_OPTIONS,
  type SeriesRegistryOptions,
} from '../registry/registry-options.js';
import { SeriesRegistry } from '../registry/series-registry.js';
import { checkConnectionName } from './influx-tokens.js';

/** What a running application gives the registry of its connection. */
export interface ConnectionAttachment {
  readonly sink: CommitSink;
  readonly series: Omit<SeriesRegistryOptions, 'sink'> | undefined;
  /** Called with failed batches when the options give no `onError`. */
  readonly defaultOnError: (error: Error, failure: CommitFailure) => void;
}

/**
 * The series registry of one named InfluxModule connection. Model classes are bound to a registry
 * once and for good (when `forFeature` runs), while Nest applications come and go (tests build many
 * in one process), so there is one registry per connection name for the whole process, and the
 * running application attaches its sink and options to it:
 *
 * - attached: points are accepted and written through the application's sink (its client, or an
 *   overridden sink such as a `MemorySink`);
 * - detached (no application started, or closed): constructing a bound model throws
 *   `InfluxClosedError` and nothing is buffered, so no point is accepted that nobody would write.
 *
 * When a second application attaches while the first was never closed (a test that forgot
 * `app.close()`), the first one's pending points are flushed through its own sink first, then the
 * registry moves to the new application, with a warning.
 *
 * ```ts
 * const registry = getConnectionRegistry('metrics'); // a ConnectionRegistry
 * registry.attached; // false until an application with InfluxModule.forRoot({ connectionName: 'metrics' }) starts
 * await app.init();
 * registry.attached; // true: points of its bound models are written through the app's client
 * ```
 */
export class ConnectionRegistry extends SeriesRegistry {
  #owner: object | undefined;
  #onError: ((error: Error, failure: CommitFailure) => void) | undefined;

  constructor(readonly connectionName: string) {
    super();
  }

  /** True while a running application holds this connection. */
  get attached(): boolean {
    return this.#owner !== undefined;
  }

  /**
   * True while `owner` holds this connection.
   *
   * ```ts
   * registry.isOwnedBy(owner); // true while `owner` (the holder given to attach) holds it
   * ```
   */
  isOwnedBy(owner: object): boolean {
    return this.#owner === owner;
  }

  /**
   * As {@link SeriesRegistry.checkAccept}, and also throws `InfluxClosedError` while no running
   * application holds this connection, so no point is buffered that nobody would write.
   *
   * ```ts
   * // before app.init() or after app.close():
   * new Cpu({ host: 'a', usage: 0.5 }); // throws InfluxClosedError (… is not running …)
   * ```
   */
  override checkAccept(buffer: ClassBuffer): void {
    if (this.#owner === undefined) {
      throw new InfluxClosedError(
        `${buffer.meta.className}: InfluxModule connection '${this.connectionName}' is not running (its Nest application is not started, or was closed); no point was buffered`,
      );
    }
    super.checkAccept(buffer);
  }

  /**
   * Makes `owner` the holder of this connection. Resolves with true when another holder had to be
   * displaced (its pending points were flushed through its sink first).
   *
   * ```ts
   * // what the module does when an application starts:
   * await registry.attach(owner, { sink: client, series: { bulkSize: 5000 }, defaultOnError: logError }); // false
   * registry.attached; // true
   * ```
   */
  async attach(owner: object, attachment: ConnectionAttachment): Promise<boolean> {
    if (this.isClosed) {
      throw new InfluxConfigError(
        `InfluxModule connection '${this.connectionName}': its series registry was closed with close(); the module flushes it at shutdown, do not close it yourself`,
      );
    }
    const onError = attachment.series?.onError ?? attachment.defaultOnError;
    // Checks the options before anything changes (throws InfluxConfigError naming the option).
    new SeriesRegistry({ ...(attachment.series ?? {}), sink: attachment.sink, onError });
    let displaced = false;
    if (this.#owner !== undefined && this.#owner !== owner) {
      displaced = true;
      this.#owner = undefined;
      await this.flush().catch(() => undefined);
    }
    this.#onError = onError;
    // Reset to the defaults first, so nothing of a previous application's options lingers (a
    // partial `retry` merges over the defaults, not over the previous values).
    this.configure({
      ...DEFAULT_REGISTRY_OPTIONS,
      sink: attachment.sink,
      onError: (error, failure) => (this.#onError ?? attachment.defaultOnError)(error, failure),
    });
    const { onError: _ignored, ...series } = attachment.series ?? {};
    this.configure(series);
    this.#owner = owner;
    return displaced;
  }

  /**
   * Ends `owner`'s hold (no-op when another application took the connection since).
   *
   * ```ts
   * registry.detach(owner); // what the module does at shutdown, after flushing
   * registry.attached; // false: new points of bound models now throw InfluxClosedError
   * ```
   */
  detach(owner: object): void {
    if (this.#owner === owner) this.#owner = undefined;
  }
}

const registries = new Map<string, ConnectionRegistry>();

/**
 * The series registry of a connection (one per connection name in the process). Model classes
 * given to `InfluxModule.forFeature([...], connectionName)` record into it; a class can also
 * declare it itself: `@Measurement({ name: 'cpu', registry: getConnectionRegistry('metrics') })`.
 *
 * ```ts
 * getConnectionRegistry('metrics') === getConnectionRegistry('metrics'); // true: one per name
 * getConnectionRegistry(); // the registry of the 'default' connection
 * await getConnectionRegistry('metrics').flush();
 * ```
 */
export function getConnectionRegistry(connectionName?: string): ConnectionRegistry {
  const name = checkConnectionName(connectionName, 'getConnectionRegistry');
  let registry = registries.get(name);
  if (registry === undefined) {
    registry = new ConnectionRegistry(name);
    registries.set(name, registry);
  }
  return registry;
}
