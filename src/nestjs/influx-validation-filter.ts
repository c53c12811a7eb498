import { type ArgumentsHost, Catch, type ExceptionFilter, Optional } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { InfluxValidationError } from '../errors.js';

/** The body of the 400 answer: Nest's `ValidationPipe` shape plus the model, property and constraint. */
export interface InfluxValidationErrorBody {
  statusCode: 400;
  error: 'Bad Request';
  /** One message, as `ValidationPipe` sends them: `'Cpu.usage: must be a finite number'`. */
  message: string[];
  /** The model class (or the entry point) that refused the value. */
  model: string;
  /** The property that was wrong, when the error names one. */
  property?: string;
  /** The class-validator constraint that failed (`min`, `isIn`, …), when there was one. */
  constraint?: string;
}

/**
 * Opt-in exception filter: an {@link InfluxValidationError} that escapes a controller (a model
 * built from a request body with a bad value, a bad point) becomes an HTTP 400 naming the model
 * and the property, as Nest's `ValidationPipe` answers, instead of a 500. Other errors pass by.
 * HTTP only (Express or Fastify); in other contexts the error is rethrown unchanged.
 *
 * ```ts
 * // main.ts, for the whole application:
 * app.useGlobalFilters(new InfluxValidationExceptionFilter());
 * // or as a provider: { provide: APP_FILTER, useClass: InfluxValidationExceptionFilter }
 * // or on one controller: @UseFilters(InfluxValidationExceptionFilter)
 * ```
 *
 * Answer: `400 {"statusCode":400,"error":"Bad Request","message":["Cpu.usage: …"],"model":"Cpu","property":"usage"}`.
 */
@Catch(InfluxValidationError)
export class InfluxValidationExceptionFilter implements ExceptionFilter<InfluxValidationError> {
  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  /**
   * The answer's body for an error (also useful to build your own filter).
   *
   * ```ts
   * InfluxValidationExceptionFilter.body(new InfluxValidationError('Cpu', 'usage', 'must be a number'));
   * // { statusCode: 400, error: 'Bad Request', message: ['Cpu.usage: must be a number'], model: 'Cpu', property: 'usage' }
   * ```
   */
  static body(error: InfluxValidationError): InfluxValidationErrorBody {
    return {
      statusCode: 400,
      error: 'Bad Request',
      message: [error.message],
      model: error.where,
      ...(error.property !== undefined ? { property: error.property } : {}),
      ...(error.constraint !== undefined ? { constraint: error.constraint } : {}),
    };
  }

  /**
   * Answers the HTTP request with 400 and {@link InfluxValidationExceptionFilter.body}; Nest calls
   * it for an InfluxValidationError thrown while handling a request.
   *
   * ```ts
   * @UseFilters(InfluxValidationExceptionFilter)
   * @Controller('metrics')
   * class MetricsController {}
   * ```
   */
  catch(error: InfluxValidationError, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const body = InfluxValidationExceptionFilter.body(error);
    const response = host.switchToHttp().getResponse<Record<string, unknown>>();
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter !== undefined && adapter !== null) {
      adapter.reply(response, body, 400);
      return;
    }
    // Registered with `new InfluxValidationExceptionFilter()` (no injection): answer directly.
    const r = response as {
      status?: (code: number) => { json: (b: unknown) => void };
      code?: (code: number) => { send: (b: unknown) => void };
    };
    if (typeof r.code === 'function' && typeof (response as { raw?: unknown }).raw === 'object') {
      r.code(400).send(body); // Fastify
    } else if (typeof r.status === 'function') {
      r.status(400).json(body); // Express
    } else {
      throw error;
    }
  }
}
