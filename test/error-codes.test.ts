/**
 * Every error class has a stable `code` string (README "Error codes"), unique per class; a
 * subclass without a code of its own keeps its parent's; `isPermanent` classifies them. The
 * exception is influxdb-python's HTTP family (InfluxDBClientError, InfluxDBServerError and their
 * subclasses), whose `code` is the HTTP status as in influxdb-python.
 */
import { describe, expect, it } from 'vitest';
import * as root from '../src/index.js';
import { InfluxHealthCheckError } from '../src/nestjs/index.js';

const {
  InfluxModelsError,
  InfluxDBClientError,
  InfluxDBServerError,
  InfluxResponseTooLargeError,
  InfluxDBPartialWriteError,
  InfluxUnsupportedQueryError,
  InfluxConnectionError,
  InfluxTimeoutError,
  InfluxAbortError,
  InfluxClosedError,
  InfluxConfigError,
  InfluxValidationError,
  InfluxBufferFullError,
  InfluxFlushError,
  InfluxFieldTypeConflictError,
  isPermanent,
} = root;

/** One instance of every exported error class, with the code the README documents. */
const cases: [Error & { code: unknown }, string][] = [
  [new InfluxModelsError('x'), 'INFLUX_ERR'],
  [new InfluxConnectionError('ECONNREFUSED'), 'INFLUX_ERR_CONNECTION'],
  [new InfluxTimeoutError('slow'), 'INFLUX_ERR_TIMEOUT'],
  [new InfluxAbortError('aborted'), 'INFLUX_ERR_ABORTED'],
  [new InfluxClosedError('closed'), 'INFLUX_ERR_CLOSED'],
  [new InfluxConfigError('bad'), 'INFLUX_ERR_CONFIG'],
  [new InfluxValidationError('points[0]', 'v', 'NaN'), 'INFLUX_ERR_VALIDATION'],
  [new InfluxBufferFullError('new Cpu()', 10, 10), 'INFLUX_ERR_BUFFER_FULL'],
  [new InfluxFlushError(0, 1, 0, 0, []), 'INFLUX_MODELS_FLUSH_FAILED'],
  [new InfluxFieldTypeConflictError([]), 'INFLUX_ERR_FIELD_TYPE_CONFLICT'],
  [new InfluxHealthCheckError('down', {}), 'INFLUX_ERR_HEALTH_CHECK'],
];

/** influxdb-python's HTTP family: `code` is the HTTP status (= `status`), by class name. */
const httpCases: [Error & { code: unknown; status: unknown }, number | undefined, string][] = [
  [new InfluxDBClientError('database not found: "x"', 404), 404, 'INFLUX_ERR_CLIENT'],
  [new InfluxDBClientError('statement error'), undefined, 'INFLUX_ERR_CLIENT'],
  [new InfluxDBServerError('boom', 500), 500, 'INFLUX_ERR_SERVER'],
  [new InfluxResponseTooLargeError('maxResponseBytes', 10, 'the response'), undefined, 'INFLUX_ERR_SERVER'],
  [new InfluxDBPartialWriteError('partial write: x dropped=1', 400, 'x', 1), 400, 'INFLUX_ERR_CLIENT'],
  [new InfluxUnsupportedQueryError('function holt_winters()'), undefined, 'INFLUX_ERR_CLIENT'],
];

describe('error codes', () => {
  it('covers every error class the package root exports', () => {
    const exported = Object.entries(root)
      .filter(([, v]) => typeof v === 'function' && v.prototype instanceof Error)
      .map(([k]) => k)
      .sort();
    const covered = [...cases, ...httpCases]
      .map(([e]) => e.constructor.name)
      .filter((n, k, all) => n in root && all.indexOf(n) === k);
    expect(covered.sort()).toEqual(exported);
  });

  it.each(cases.map(([e, code]) => [e.constructor.name, e, code] as const))(
    '%s has code %s, a stable string',
    (_name, error, code) => {
      expect(error.code).toBe(code);
      expect(typeof error.code).toBe('string');
      expect(error.code).toMatch(/^INFLUX_(ERR|MODELS)(_[A-Z0-9]+)*$/);
    },
  );

  it('codes are unique per class', () => {
    const codes = cases.map(([, code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("the HTTP family keeps influxdb-python's `code`: the HTTP status, also `status`", () => {
    for (const [error, status] of httpCases) {
      expect(error.code).toBe(status);
      expect(error.status).toBe(status);
    }
    // permanent by their class, as the registry decides
    expect(isPermanent(new InfluxDBClientError('unable to parse', 400))).toBe(true);
    expect(isPermanent(new InfluxDBServerError('bad gateway', 502))).toBe(false);
    expect(new InfluxDBServerError('bad gateway', 502).message).toBe('502: bad gateway');
  });

  it('survives subclassing: a subclass keeps its parent code unless it sets its own', () => {
    class MyConnectionError extends InfluxConnectionError {}
    class MyOwn extends InfluxConfigError {
      override readonly code = 'MY_APP_BAD_CONFIG';
    }
    expect(new MyConnectionError('x').code).toBe('INFLUX_ERR_CONNECTION');
    expect(new MyOwn('x').code).toBe('MY_APP_BAD_CONFIG');
    // the built-in subclasses are still instances of their parents
    expect(new InfluxDBPartialWriteError('p', 400, 'p', 1)).toBeInstanceOf(InfluxDBClientError);
    expect(new InfluxResponseTooLargeError('maxChunkBytes', 1, 'a chunk')).toBeInstanceOf(
      InfluxDBServerError,
    );
  });

  it('isPermanent: refused, invalid, closed and aborted are permanent; the rest is transient', () => {
    const permanent = cases.filter(([e]) => isPermanent(e)).map(([, code]) => code);
    expect(permanent.sort()).toEqual(
      [
        'INFLUX_ERR_ABORTED',
        'INFLUX_ERR_CLOSED',
        'INFLUX_ERR_CONFIG',
        'INFLUX_ERR_VALIDATION',
        'INFLUX_ERR_FIELD_TYPE_CONFLICT',
      ].sort(),
    );
    expect(isPermanent(new Error('plain'))).toBe(false);
  });
});
