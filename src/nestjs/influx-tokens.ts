import { describeValue } from '../check-value.js';
import { InfluxConfigError } from '../errors.js';

/**
 * The name of the connection `forRoot`/`forFeature` use when none is given.
 *
 * ```ts
 * InfluxModule.forRoot({ database: 'metrics' }); // connection 'default' (DEFAULT_CONNECTION)
 * getConnectionRegistry() === getConnectionRegistry(DEFAULT_CONNECTION); // true
 * ```
 */
export const DEFAULT_CONNECTION = 'default';

type AnyClass = abstract new (...args: never[]) => unknown;

const connectionTokens = new Map<string, symbol>();
const repositoryTokens = new WeakMap<object, Map<string, symbol>>();
let sequence = 0;

/** Checks a connection name given by a user; returns it (or the default). */
export function checkConnectionName(name: unknown, where: string): string {
  if (name === undefined) return DEFAULT_CONNECTION;
  if (typeof name !== 'string' || name === '' || name.trim() !== name) {
    throw new InfluxConfigError(
      `${where}: connectionName must be a non-empty string without surrounding spaces, got ${describeValue(name)}`,
    );
  }
  return name;
}

/** Checks that `Model` is a class (a function); returns its name for messages. */
export function checkModelClass(Model: unknown, where: string): string {
  if (typeof Model !== 'function') {
    throw new InfluxConfigError(`${where}: expects a model class, got ${describeValue(Model)}`);
  }
  const name = (Model as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : '(anonymous model)';
}

function connectionToken(kind: string, connectionName: unknown, where: string): symbol {
  const name = checkConnectionName(connectionName, where);
  const key = `${kind}@${name}`;
  let token = connectionTokens.get(key);
  if (token === undefined) {
    token = Symbol(`influx-models:${kind}@${name}`);
    connectionTokens.set(key, token);
  }
  return token;
}

/**
 * The injection token of a connection's `InfluxDBClient` (what `@InjectInfluxClient()` injects).
 * Override it in tests with `.overrideProvider(getInfluxClientToken()).useValue(...)`; the module
 * closes whatever client the token holds at shutdown.
 *
 * ```ts
 * const client = app.get<InfluxDBClient>(getInfluxClientToken('archive'));
 * ```
 */
export function getInfluxClientToken(connectionName?: string): symbol {
  return connectionToken('client', connectionName, 'getInfluxClientToken');
}

/**
 * The injection token of the `CommitSink` a connection's series registry writes through: by
 * default the connection's client. Override it to record into a `MemorySink` with no server:
 *
 * ```ts
 * const sink = new MemorySink();
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(getInfluxSinkToken())
 *   .useValue(sink)
 *   .compile();
 * ```
 */
export function getInfluxSinkToken(connectionName?: string): symbol {
  return connectionToken('sink', connectionName, 'getInfluxSinkToken');
}

/**
 * The injection token of a connection's `SeriesRegistry` (the buffer that model classes bound by
 * `forFeature` record into), for `flush()`, `pendingCount` or back-pressure with
 * `waitForCapacity()`.
 *
 * ```ts
 * constructor(@Inject(getSeriesRegistryToken()) private readonly registry: SeriesRegistry) {}
 * ```
 */
export function getSeriesRegistryToken(connectionName?: string): symbol {
  return connectionToken('registry', connectionName, 'getSeriesRegistryToken');
}

/** Token of the resolved module options of a connection (internal). */
export function getInfluxOptionsToken(connectionName?: string): symbol {
  return connectionToken('options', connectionName, 'getInfluxOptionsToken');
}

/** Token of the object that owns a connection's lifecycle (internal). */
export function getInfluxConnectionToken(connectionName?: string): symbol {
  return connectionToken('connection', connectionName, 'getInfluxConnectionToken');
}

/**
 * The injection token of the `Repository<T>` of a model class on a connection (what
 * `@InjectSeriesRepository(Model)` injects). Tokens belong to the class object, never to its name:
 * two classes both named `Cpu` (in different files) get different tokens, and so does a subclass.
 *
 * ```ts
 * const repo = app.get<Repository<CpuLoad>>(getSeriesRepositoryToken(CpuLoad));
 * ```
 */
export function getSeriesRepositoryToken(Model: AnyClass, connectionName?: string): symbol {
  const className = checkModelClass(Model, 'getSeriesRepositoryToken(Model)');
  const name = checkConnectionName(connectionName, 'getSeriesRepositoryToken');
  let byConnection = repositoryTokens.get(Model);
  if (byConnection === undefined) {
    byConnection = new Map();
    repositoryTokens.set(Model, byConnection);
  }
  let token = byConnection.get(name);
  if (token === undefined) {
    // The sequence number keeps descriptions distinct too: Nest 10 tells dynamic modules apart by
    // a hash of their metadata, in which a symbol counts by its description.
    token = Symbol(`influx-models:Repository<${className}>#${++sequence}@${name}`);
    byConnection.set(name, token);
  }
  return token;
}
