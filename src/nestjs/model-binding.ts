import {
  DECORATOR_RECORD,
  type DecoratorRecord,
  decoratorRecordFor,
  type MeasurementDecoratorOptions,
  ownDecoratorRecord,
} from '../../decorators/decorator-store.js';
import { InfluxConfigError } from '../errors.js';
import { getModelCommitOptions } from '../models/metadata-builder.js';
import type { ModelClass } from '../models/model-metadata.js';
import type { ConnectionRegistry } from './connection-registry.js';

const bindings = new WeakMap<object, ConnectionRegistry>();

function nearestMeasured(Model: object): { owner: object; record: DecoratorRecord } | undefined {
  let c: object | null = Model;
  for (let guard = 0; c !== null && c !== Function.prototype && guard < 1000; guard++) {
    const record = ownDecoratorRecord(c);
    if (record?.measured) return { owner: c, record };
    c = Object.getPrototypeOf(c) as object | null;
  }
  return undefined;
}

/**
 * Binds a model class to a connection's registry, so that `new Model(values)` buffers into it.
 * A class records through one registry for good: this works when the class is not yet in use
 * (its `@Measurement` options are completed with `registry` before they are first read), or when
 * the class already declares this registry. Throws {@link InfluxConfigError} otherwise.
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
  const found = nearestMeasured(Model);
  if (found === undefined) {
    throw new InfluxConfigError(
      `${where}: ${className} is not a model; decorate it with @Measurement(...) or create it with defineMeasurement(...)`,
    );
  }
  const raw = found.record.measurement;
  const declared: MeasurementDecoratorOptions =
    raw === undefined || raw === null ? {} : typeof raw === 'string' ? { name: raw } : { ...raw };
  if (declared.registry !== undefined && declared.registry !== registry) {
    throw new InfluxConfigError(
      `${where}: ${className} declares its own registry in @Measurement({ registry }); remove it to let the module bind the class, or give { model: ${className}, bind: false }`,
    );
  }
  let restore: (() => void) | undefined;
  if (declared.registry === undefined) {
    const patched = { ...declared, registry };
    if (found.owner === Model) {
      const record = found.record;
      record.measurement = patched;
      restore = () => {
        record.measurement = raw;
      };
    } else {
      // Inherited @Measurement: give the class its own record (same options, plus the registry),
      // leaving the parent class as it is.
      const hadOwn = ownDecoratorRecord(Model) !== undefined;
      const own = decoratorRecordFor(Model);
      own.measurement = patched;
      own.measured = true;
      restore = () => {
        if (hadOwn) {
          own.measurement = undefined;
          own.measured = false;
        } else {
          delete (Model as unknown as Record<symbol, unknown>)[DECORATOR_RECORD];
        }
      };
    }
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
