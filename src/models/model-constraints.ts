import { getMetadataStorage, type ValidationError, validateSync } from 'class-validator';
import { InfluxValidationError } from '../errors.js';
import type { ModelClass } from './model-metadata.js';

/** True when class-validator constraints (`@Min`, `@IsIn`, `@Length`, …) are declared on the class. */
export function declaresConstraints(Model: ModelClass): boolean {
  return getMetadataStorage().getTargetValidationMetadatas(Model, '', true, false).length > 0;
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
  const errors = validateSync(instance, { forbidUnknownValues: false });
  if (errors.length === 0) return;
  const { property, constraint, message } = firstFailure(errors);
  throw new InfluxValidationError(className, property, `${message} (constraint ${constraint})`, constraint);
}
