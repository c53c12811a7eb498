import type { ValidationError } from 'class-validator';
import { InfluxValidationError } from '../errors.js';
import { lazyRequire } from '../lazy-require.js';
import type { ModelClass } from './model-metadata.js';

/**
 * class-validator is loaded lazily: importing it costs about 300 ms, and most models declare no
 * constraints. Its decorators (`@Min`, `@IsIn`, …) record into one process-wide storage kept on
 * `globalThis.classValidatorMetadataStorage`, created the first time a decorator runs. So a model
 * can declare constraints only if that storage exists; we look there without loading the package,
 * and `require` class-validator only when a model has constraints to check (by then the user's
 * code has loaded it already, so the require is a cache hit).
 */
interface MetadataStorageLike {
  getTargetValidationMetadatas(
    target: object,
    schema: string,
    always: boolean,
    strictGroups: boolean,
  ): unknown[];
}

const loadClassValidator = lazyRequire<typeof import('class-validator')>('class-validator');

/** True when class-validator constraints (`@Min`, `@IsIn`, `@Length`, …) are declared on the class. */
export function declaresConstraints(Model: ModelClass): boolean {
  const storage = (globalThis as { classValidatorMetadataStorage?: MetadataStorageLike })
    .classValidatorMetadataStorage;
  if (storage === undefined) return false;
  return storage.getTargetValidationMetadatas(Model, '', true, false).length > 0;
}

function firstFailure(
  errors: ValidationError[],
  path = '',
): { property: string; constraint: string; message: string } {
  const e = errors[0] as ValidationError;
  const property = path === '' ? e.property : `${path}.${e.property}`;
  const constraints = e.constraints ?? {};
  const name = Object.keys(constraints)[0];
  if (name === undefined && e.children !== undefined && e.children.length > 0) {
    return firstFailure(e.children, property);
  }
  return {
    property,
    constraint: name ?? 'unknown',
    message: name === undefined ? 'is invalid' : (constraints[name] as string),
  };
}

/**
 * Runs the class-validator constraints of a model instance; throws {@link InfluxValidationError}
 * naming the class, the property and the constraint of the first failure.
 */
export function checkConstraints(className: string, instance: object): void {
  const errors = loadClassValidator().validateSync(instance, { forbidUnknownValues: false });
  if (errors.length === 0) return;
  const { property, constraint, message } = firstFailure(errors);
  throw new InfluxValidationError(className, property, `${message} (constraint ${constraint})`, constraint);
}
