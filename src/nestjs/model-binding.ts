import { ownDecoratorRecord } from '../../decorators/decorator-store.js';
import { InfluxConfigError } from '../errors.js';
import { getModelCommitOptions } from '../models/metadata-builder.js';
import type { ModelClass } from '../models/model-metadata.js';
import type { ConnectionRegistry } from './connection-registry.js';

const bindings = new WeakMap<object, ConnectionRegistry>();

/**
 * Binds a model class to a connection's registry, so that `new Model(values)` buffers into it.
 * A class records through one registry for good: this works when the class is not yet in use
 * (its `@Measurement` commit options are completed with `registry` before they are first read), or
 * when the class already declares this registry. Throws {@link InfluxConfigError} otherwise.
 */
export function bindModel(Model: ModelClass, registry: ConnectionRegistry, className: string): void {
  const where = `InfluxModule.forFeature([${className}], '${registry.connectionName}')`;
  const current = bindings.get(Model);
  if (current === registry) return;
  if (current !== undefined) {
    throw new InfluxConfigError(
      `${where}: ${className} already records through connection '${current.connectionName}'; a class records through one connection. To read it on '${registry.connectionName}' too, give { model: ${className}, bind: false }`,
    );
  }
  const record = ownDecoratorRecord(Model);
  if (record === undefined || !record.measured) {
    throw new InfluxConfigError(
      `${where}: ${className} is not a model; decorate it with @Measurement(...) (a subclass of a model too) or create it with defineMeasurement(...)`,
    );
  }
  const declared = record.commit;
  if (declared?.registry !== undefined && declared.registry !== registry) {
    throw new InfluxConfigError(
      `${where}: ${className} declares its own registry in @Measurement({ registry }); remove it to let the module bind the class, or give { model: ${className}, bind: false }`,
    );
  }
  let restore: (() => void) | undefined;
  if (declared?.registry === undefined) {
    record.commit = { ...declared, registry };
    restore = () => {
      record.commit = declared;
    };
  }
  let bound: unknown;
  try {
    bound = getModelCommitOptions(Model).registry;
  } catch (e) {
    restore?.();
    throw e;
  }
  if (bound !== registry) {
    restore?.();
    throw new InfluxConfigError(
      `${where}: ${className} was already in use (constructed, queried or inspected) before the module bound it, so its points go to ${bound === undefined ? 'the default registry' : 'another registry'}. Import the module before using the class, or declare @Measurement({ registry: getConnectionRegistry('${registry.connectionName}') })`,
    );
  }
  bindings.set(Model, registry);
}

/** The connection registry a class was bound to by `forFeature`, if any. */
export function boundRegistry(Model: object): ConnectionRegistry | undefined {
  return bindings.get(Model);
}
