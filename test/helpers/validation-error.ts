import { expect } from 'vitest';
import { InfluxValidationError } from '../../src/errors.js';

/** Runs `fn`, expects it to throw an {@link InfluxValidationError}, and returns that error. */
export function validationError(fn: () => unknown): InfluxValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InfluxValidationError);
    return e as InfluxValidationError;
  }
  throw new Error('expected an InfluxValidationError');
}
