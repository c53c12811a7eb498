import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { Controller, Get, type LoggerService, Module, Query } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Field, Measurement, Tag } from '../decorators/index.js';
import { InfluxConfigError, InfluxConnectionError } from '../src/errors.js';
import { SeriesModel } from '../src/models/series-model.js';
import { InfluxModule, InfluxValidationExceptionFilter } from '../src/nestjs/index.js';
import { freeTcpPort } from '../src/testing/influxd.js';
import { MemorySink } from '../src/testing/memory-sink.js';
import { serverAddress } from './helpers/server.js';

@Measurement('http_probe')
class HttpProbe extends SeriesModel<HttpProbe> {
  @Tag() route!: string;
  @Field() latency!: number;
}

@Controller('probe')
class ProbeController {
  @Get('record')
  record(@Query('route') route: string, @Query('latency') latency: string): { ok: true } {
    // The request's text goes straight into a float field: the model refuses it.
    new HttpProbe({ route, latency: latency as unknown as number });
    return { ok: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('not a validation error');
  }
}

class RecordingLogger implements LoggerService {
  readonly lines: { level: string; message: string; context?: string }[] = [];
  log(message: string, context?: string) {
    this.lines.push({ level: 'log', message, context });
  }
  warn(message: string, context?: string) {
    this.lines.push({ level: 'warn', message, context });
  }
  error(message: string, _trace?: string, context?: string) {
    this.lines.push({ level: 'error', message, context });
  }
  debug() {}
  verbose() {}
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

async function httpApp(filter: 'global' | 'provider' | 'none'): Promise<string> {
  @Module({
    imports: [
      InfluxModule.forRoot({ port: 1, sink: new MemorySink() }),
      InfluxModule.forFeature([HttpProbe]),
    ],
    controllers: [ProbeController],
    providers:
      filter === 'provider' ? [{ provide: APP_FILTER, useClass: InfluxValidationExceptionFilter }] : [],
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: false });
  if (filter === 'global') app.useGlobalFilters(new InfluxValidationExceptionFilter());
  await app.listen(0, '127.0.0.1');
  closers.push(() => app.close());
  return app.getUrl();
}

describe('InfluxValidationExceptionFilter', () => {
  for (const how of ['global', 'provider'] as const) {
    it(`(${how}) answers an InfluxValidationError from a controller with 400 naming the property`, async () => {
      const url = (await httpApp(how)).replace('[::1]', '127.0.0.1');
      const res = await fetch(`${url}/probe/record?route=%2Fhome&latency=fast`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        model: 'HttpProbe',
        property: 'latency',
      });
      expect((body.message as string[])[0]).toMatch(/^HttpProbe\.latency: /);
      // Other errors keep Nest's answer.
      expect((await fetch(`${url}/probe/boom`)).status).toBe(500);
    });
  }

  it('without the filter the same request is a 500 (the filter is opt-in)', async () => {
    const url = (await httpApp('none')).replace('[::1]', '127.0.0.1');
    expect((await fetch(`${url}/probe/record?route=%2Fhome&latency=fast`)).status).toBe(500);
  });
});

describe('InfluxModule retryAttempts / retryDelay: the startup connection check', () => {
  async function compile(options: Record<string, unknown>, logger: RecordingLogger) {
    const moduleRef = await Test.createTestingModule({ imports: [InfluxModule.forRoot(options)] })
      .setLogger(logger)
      .compile();
    closers.push(() => moduleRef.close());
    return moduleRef.init();
  }

  it('a server that never answers: one log line per attempt, then startup fails with InfluxConnectionError', async () => {
    const logger = new RecordingLogger();
    const port = await freeTcpPort();
    const failure = await compile(
      {
        host: '127.0.0.1',
        port,
        username: 'u',
        password: 'hunter2-secret',
        retries: 1,
        retryAttempts: 2,
        retryDelay: 20,
      },
      logger,
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(InfluxConnectionError);
    const message = (failure as Error).message;
    expect(message).toContain("connection 'default'");
    expect(message).toContain(`http://127.0.0.1:${port}`);
    expect(message).toContain('3 attempt(s)');
    expect(message).not.toContain('hunter2-secret');
    const attempts = logger.lines.filter((l) => /unable to connect to InfluxDB/.test(l.message));
    expect(attempts.map((l) => l.message.match(/attempt (\d\/\d)/)?.[1])).toEqual(['1/3', '2/3', '3/3']);
    expect(attempts.map((l) => l.level)).toEqual(['warn', 'warn', 'error']);
    expect(attempts.every((l) => l.context === 'InfluxModule(default)')).toBe(true);
    expect(logger.lines.some((l) => l.message.includes('hunter2-secret'))).toBe(false);
  });

  it('a server that comes up during the retries: the application starts', async () => {
    const logger = new RecordingLogger();
    const port = await freeTcpPort();
    let server: Server | undefined;
    const original = logger.warn.bind(logger);
    // Start a stand-in /ping endpoint once the first attempt has failed.
    logger.warn = (message: string, context?: string) => {
      original(message, context);
      server ??= createServer((_req, res) => {
        res.writeHead(204, { 'X-Influxdb-Version': '1.8.10' }).end();
      }).listen(port, '127.0.0.1');
    };
    closers.push(() => new Promise((r) => (server === undefined ? r(undefined) : server.close(r))));
    await compile({ host: '127.0.0.1', port, retries: 1, retryAttempts: 5, retryDelay: 50 }, logger);
    const messages = logger.lines.map((l) => l.message);
    expect(messages.filter((m) => m.includes('unable to connect')).length).toBeGreaterThanOrEqual(1);
    expect(messages.some((m) => m.includes(`connected to InfluxDB 1.8.10 at http://127.0.0.1:${port}`))).toBe(
      true,
    );
  });

  it('against the real server: one attempt, logged with the server version', async () => {
    const logger = new RecordingLogger();
    await compile({ ...serverAddress(), retryAttempts: 3 }, logger);
    const ok = logger.lines.filter((l) => l.message.startsWith('connected to InfluxDB'));
    expect(ok).toHaveLength(1);
    expect(ok[0]?.message).toMatch(/connected to InfluxDB 1\.\d+\.\d+/);
  });

  it('bad values name the option', () => {
    expect(() => InfluxModule.forRoot({ retryAttempts: -1 })).toThrow(InfluxConfigError);
    expect(() => InfluxModule.forRoot({ retryAttempts: 1.5 })).toThrow(/retryAttempts/);
    expect(() => InfluxModule.forRoot({ retryDelay: 'x' as never })).toThrow(/retryDelay/);
  });
});
