import 'reflect-metadata';
import { inspect } from 'node:util';
import { Inject, Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { InfluxDBClient } from '../src/client/index.js';
import { InfluxClosedError, InfluxConfigError } from '../src/errors.js';
import { getModelMetadata } from '../src/models/metadata-builder.js';
import { SeriesModel } from '../src/models/series-model.js';
import {
  getInfluxClientToken,
  getInfluxSinkToken,
  getSeriesRegistryToken,
  getSeriesRepositoryToken,
  InfluxHealthCheckError,
  InfluxHealthIndicator,
  InfluxModule,
  type InfluxModuleOptions,
  type InfluxOptionsFactory,
  InjectInfluxClient,
  InjectSeriesRegistry,
  InjectSeriesRepository,
} from '../src/nestjs/index.js';
import type { Repository } from '../src/query/repository.js';
import type { SeriesRegistry } from '../src/registry/series-registry.js';
import { freeTcpPort } from '../src/testing/influxd.js';
import { MemorySink } from '../src/testing/memory-sink.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('nest_main');
const dbArchive = uniqueDatabase('nest_archive');

@Measurement('cpu_load')
class CpuLoad extends SeriesModel<CpuLoad> {
  @Tag() host!: string;
  @Field() usage!: number;
  @Field({ type: 'integer' }) cores!: number;
  @Timestamp({ type: 'bigint' }) at?: bigint;
}

@Measurement('mem_usage')
class MemUsage extends SeriesModel<MemUsage> {
  @Tag() host!: string;
  @Field() used!: number;
  @Timestamp({ type: 'bigint' }) at?: bigint;
}

@Injectable()
class MetricsService {
  constructor(
    @InjectSeriesRepository(CpuLoad) readonly cpu: Repository<CpuLoad>,
    @InjectInfluxClient() readonly client: InfluxDBClient,
    @InjectSeriesRegistry() readonly registry: SeriesRegistry,
  ) {}

  record(host: string, usage: number, at: bigint): CpuLoad {
    return new CpuLoad({ host, usage, cores: 4, at });
  }
}

/** A stand-in for @nestjs/config: a module exporting a configuration provider. */
const INFLUX_CONFIG = Symbol('INFLUX_CONFIG');
@Module({
  providers: [{ provide: INFLUX_CONFIG, useFactory: () => ({ ...serverAddress(), database: db }) }],
  exports: [INFLUX_CONFIG],
})
class ConfigModule {}

async function rows(q: string, database: string): Promise<unknown[][]> {
  const body = await rawQuery(q, database);
  return body.results?.[0]?.series?.[0]?.values ?? [];
}

async function start(
  imports: unknown[],
  providers: unknown[] = [],
  sink?: MemorySink,
): Promise<TestingModule> {
  let builder = Test.createTestingModule({ imports: imports as never[], providers: providers as never[] });
  if (sink !== undefined) builder = builder.overrideProvider(getInfluxSinkToken()).useValue(sink);
  const app = await builder.compile();
  app.useLogger(false);
  return app.init();
}

const T0 = 1_700_000_000_000_000_000n;

beforeAll(async () => {
  await rawQuery(`CREATE DATABASE "${db}"`);
  await rawQuery(`CREATE DATABASE "${dbArchive}"`);
});
afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
  await rawQuery(`DROP DATABASE "${dbArchive}"`);
});

describe('InfluxModule against the real server', () => {
  it('injects a repository and the client; app.close() flushes the pending points, then closes the pool', async () => {
    const app = await start(
      [
        InfluxModule.forRoot({
          ...serverAddress(),
          database: db,
          series: { flushInterval: 0, bulkSize: 1000 },
        }),
        InfluxModule.forFeature([CpuLoad]),
      ],
      [MetricsService],
    );
    const service = app.get(MetricsService);
    expect(service.client).toBeInstanceOf(InfluxDBClient);
    expect(service.client).toBe(app.get(getInfluxClientToken()));
    expect(service.cpu).toBe(app.get(getSeriesRepositoryToken(CpuLoad)));
    expect(service.registry).toBe(CpuLoad.registry());
    expect(await service.client.ping()).toMatch(/^1\./);

    service.record('a', 0.5, T0);
    service.record('b', 0.25, T0 + 1n);
    new CpuLoad({ host: 'c', usage: 1, cores: 8, at: T0 + 2n }); // anywhere in the app
    expect(service.registry.pendingCount).toBe(3);
    // Nothing is written yet (no size or time trigger): the points wait in the registry.
    expect(await rows('SELECT count("usage") FROM "cpu_load"', db)).toEqual([]);

    await app.close();

    expect(service.client.closed).toBe(true);
    expect(service.registry.pendingCount).toBe(0);
    const stored = await rows('SELECT "host", "usage", "cores" FROM "cpu_load"', db);
    expect(stored).toEqual([
      ['2023-11-14T22:13:20Z', 'a', 0.5, 4],
      ['2023-11-14T22:13:20.000000001Z', 'b', 0.25, 4],
      ['2023-11-14T22:13:20.000000002Z', 'c', 1, 8],
    ]);
    // After shutdown a bound model refuses new points instead of buffering them for nobody.
    expect(() => new CpuLoad({ host: 'd', usage: 0, cores: 1 })).toThrow(InfluxClosedError);
    expect(() => new CpuLoad({ host: 'd', usage: 0, cores: 1 })).toThrow(
      /connection 'default' is not running/,
    );
  });

  it('forRootAsync with useFactory + inject from a config provider; the repository reads the points back', async () => {
    const seen: unknown[] = [];
    const app = await start(
      [
        InfluxModule.forRootAsync({
          imports: [ConfigModule],
          inject: [INFLUX_CONFIG],
          useFactory: async (config: { host: string; port: number; database: string }) => {
            seen.push(config);
            return { host: config.host, port: config.port, database: config.database };
          },
        }),
        InfluxModule.forFeature([CpuLoad]),
      ],
      [MetricsService],
    );
    expect(seen).toEqual([{ ...serverAddress(), database: db }]);
    const service = app.get(MetricsService);
    service.record('async', 0.75, T0 + 10n);
    await service.registry.flush();
    const found = await service.cpu.find({ where: { host: 'async' } });
    expect(found.map((p) => [p.host, p.usage, p.cores, p.at])).toEqual([['async', 0.75, 4, T0 + 10n]]);
    expect(found[0]).toBeInstanceOf(CpuLoad);
    await app.close();
    expect(service.client.closed).toBe(true);
  });

  it('forRootAsync with useClass and with useExisting', async () => {
    @Injectable()
    class InfluxConfig implements InfluxOptionsFactory {
      createInfluxOptions(): InfluxModuleOptions {
        return { ...serverAddress(), database: db };
      }
    }
    @Module({ providers: [InfluxConfig], exports: [InfluxConfig] })
    class InfluxConfigModule {}
    for (const root of [
      InfluxModule.forRootAsync({ useClass: InfluxConfig }),
      InfluxModule.forRootAsync({ imports: [InfluxConfigModule], useExisting: InfluxConfig }),
    ]) {
      const app = await start([root, InfluxModule.forFeature([CpuLoad])], [MetricsService]);
      const service = app.get(MetricsService);
      service.record('class', 0.125, T0 + 20n);
      await app.close();
      expect(await rows(`SELECT "usage" FROM "cpu_load" WHERE "host" = 'class'`, db)).toEqual([
        ['2023-11-14T22:13:20.00000002Z', 0.125],
      ]);
    }
  });

  it('two named connections write to two databases side by side', async () => {
    @Injectable()
    class TwoDbService {
      constructor(
        @InjectSeriesRepository(CpuLoad) readonly cpu: Repository<CpuLoad>,
        @InjectSeriesRepository(MemUsage, 'archive') readonly mem: Repository<MemUsage>,
        @InjectSeriesRepository(CpuLoad, 'archive') readonly cpuArchive: Repository<CpuLoad>,
        @InjectInfluxClient('archive') readonly archive: InfluxDBClient,
        @InjectInfluxClient() readonly main: InfluxDBClient,
      ) {}
    }
    const app = await start(
      [
        InfluxModule.forRoot({ ...serverAddress(), database: db, series: { flushInterval: 0 } }),
        InfluxModule.forRoot({
          connectionName: 'archive',
          ...serverAddress(),
          database: dbArchive,
          series: { flushInterval: 0 },
        }),
        InfluxModule.forFeature([CpuLoad]),
        // MemUsage records through 'archive'; CpuLoad is only read there.
        InfluxModule.forFeature([MemUsage, { model: CpuLoad, bind: false }], 'archive'),
      ],
      [TwoDbService],
    );
    const s = app.get(TwoDbService);
    expect(s.archive).not.toBe(s.main);
    expect(getSeriesRepositoryToken(CpuLoad, 'archive')).not.toBe(getSeriesRepositoryToken(CpuLoad));
    new CpuLoad({ host: 'two', usage: 0.5, cores: 2, at: T0 + 30n });
    new MemUsage({ host: 'two', used: 1024, at: T0 + 30n });
    expect(app.get<SeriesRegistry>(getSeriesRegistryToken('archive')).pendingCount).toBe(1);
    await app.close();
    expect(s.archive.closed && s.main.closed).toBe(true);
    expect(await rows(`SELECT "usage" FROM "cpu_load" WHERE "host" = 'two'`, db)).toEqual([
      ['2023-11-14T22:13:20.00000003Z', 0.5],
    ]);
    expect(await rows(`SELECT "used" FROM "mem_usage"`, dbArchive)).toEqual([
      ['2023-11-14T22:13:20.00000003Z', 1024],
    ]);
    expect(await rows(`SELECT "used" FROM "mem_usage"`, db)).toEqual([]);
    expect(await rows(`SELECT "usage" FROM "cpu_load"`, dbArchive)).toEqual([]);
  });

  it('the health indicator pings: up with the version, down with an error terminus understands', async () => {
    const deadPort = await freeTcpPort();
    const app = await start([
      InfluxModule.forRoot({ ...serverAddress(), database: db }),
      InfluxModule.forRoot({ connectionName: 'dead', host: '127.0.0.1', port: deadPort, retries: 1 }),
    ]);
    const health = app.get(InfluxHealthIndicator);
    const up = await health.pingCheck('influx');
    expect(up).toEqual({ influx: { status: 'up', version: expect.stringMatching(/^1\./) } });
    const down = await health.pingCheck('archive', { connectionName: 'dead', timeout: 2000 }).catch((e) => e);
    expect(down).toBeInstanceOf(InfluxHealthCheckError);
    expect(down.isHealthCheckError).toBe(true);
    expect(down.causes).toEqual({
      archive: { status: 'down', connection: 'dead', message: expect.any(String) },
    });
    await expect(health.pingCheck('x', { connectionName: 'nope' })).rejects.toThrow(InfluxConfigError);
    await app.close();
  });
});

describe('InfluxModule with a MemorySink (no server)', () => {
  it('overriding the sink token records into the MemorySink; close() flushes it', async () => {
    const sink = new MemorySink();
    const port = await freeTcpPort(); // nothing listens there
    const app = await start(
      [
        InfluxModule.forRoot({ host: '127.0.0.1', port, series: { flushInterval: 0 } }),
        InfluxModule.forFeature([CpuLoad]),
      ],
      [MetricsService],
      sink,
    );
    const service = app.get(MetricsService);
    const a = service.record('m1', 0.5, T0);
    const b = service.record('m2', 1.5, T0 + 1n);
    expect(sink.lineCount).toBe(0);
    await app.close();
    expect(sink.lines(CpuLoad)).toEqual([
      'cpu_load,host=m1 cores=4i,usage=0.5 1700000000000000000',
      'cpu_load,host=m2 cores=4i,usage=1.5 1700000000000000001',
    ]);
    expect(sink.points(CpuLoad)).toEqual([a, b]);
  });

  it('the sink option does the same', async () => {
    const sink = new MemorySink();
    const app = await start(
      [InfluxModule.forRoot({ port: await freeTcpPort(), sink }), InfluxModule.forFeature([CpuLoad])],
      [MetricsService],
    );
    app.get(MetricsService).record('opt', 2, T0);
    await app.close();
    expect(sink.lines()).toEqual(['cpu_load,host=opt cores=4i,usage=2 1700000000000000000']);
  });

  it('an application that was not closed hands the connection over, its points flushed to its own sink', async () => {
    const first = new MemorySink();
    const second = new MemorySink();
    const roots = () => [
      InfluxModule.forRoot({ port: 1, series: { flushInterval: 0 } }),
      InfluxModule.forFeature([CpuLoad]),
    ];
    const app1 = await start(roots(), [], first);
    new CpuLoad({ host: 'old', usage: 1, cores: 1, at: 1n });
    const app2 = await start(roots(), [], second);
    expect(first.lines()).toEqual(['cpu_load,host=old cores=1i,usage=1 1']);
    new CpuLoad({ host: 'new', usage: 2, cores: 2, at: 2n });
    await app2.close();
    await app1.close(); // no longer owns the connection: closes its client only
    expect(second.lines()).toEqual(['cpu_load,host=new cores=2i,usage=2 2']);
    expect(first.lines()).toEqual(['cpu_load,host=old cores=1i,usage=1 1']);
  });

  it('a shutdown whose writes cannot finish is bounded by shutdownTimeout; the points are reported, not dropped', async () => {
    const sink = new MemorySink().hold(); // every commit waits until released
    const app = await start(
      [
        InfluxModule.forRoot({ port: 1, sink, shutdownTimeout: 50, series: { flushInterval: 0 } }),
        InfluxModule.forFeature([CpuLoad]),
      ],
      [MetricsService],
    );
    const service = app.get(MetricsService);
    service.record('held', 1, 5n);
    await app.close(); // resolves although the sink never answers
    expect(service.client.closed).toBe(true);
    expect(() => service.record('late', 1, 6n)).toThrow(InfluxClosedError);
    expect(sink.lineCount).toBe(0);
    sink.release(); // the write in flight completes afterwards: nothing was lost
    await service.registry.flush();
    expect(sink.lines()).toEqual(['cpu_load,host=held cores=4i,usage=1 5']);
  });

  it('points the sink refuses at shutdown go to series.onError with their lines', async () => {
    const sink = new MemorySink().failNext(1, new InfluxConfigError('refused by the test sink'));
    const failures: Array<{ message: string; lines: readonly string[] }> = [];
    const app = await start(
      [
        InfluxModule.forRoot({
          port: 1,
          sink,
          series: {
            flushInterval: 0,
            onError: (error, failure) => failures.push({ message: error.message, lines: failure.lines }),
          },
        }),
        InfluxModule.forFeature([CpuLoad]),
      ],
      [MetricsService],
    );
    app.get(MetricsService).record('bad', 1, 7n);
    await app.close();
    expect(failures).toEqual([
      { message: 'refused by the test sink', lines: ['cpu_load,host=bad cores=4i,usage=1 7'] },
    ]);
  });

  it("points recorded in the application's own shutdown hooks are written too", async () => {
    // Nest runs hooks module by module in an order that depends on the major (10 vs 11+) and on
    // the import graph: one recording module beside the connection, one two imports below the
    // root, and the connection imported between them.
    const record = (host: string, n: number) => new CpuLoad({ host, usage: n, cores: n, at: BigInt(n + 7) });
    @Injectable()
    class LastWords {
      onModuleDestroy = () => record('destroy', 1);
      onApplicationShutdown = () => record('shutdown', 2);
    }
    @Injectable()
    class DeepLastWords {
      beforeApplicationShutdown = () => record('before', 3);
      onApplicationShutdown = () => record('deep', 4);
    }
    @Module({ imports: [InfluxModule.forFeature([CpuLoad])], providers: [LastWords] })
    class FeatureModule {}
    @Module({ providers: [DeepLastWords] })
    class InnerModule {}
    @Module({ imports: [InnerModule] })
    class OuterModule {}
    const sink = new MemorySink();
    const app = await start([FeatureModule, InfluxModule.forRoot({ port: 1, sink }), OuterModule]);
    await app.close();
    expect([...sink.lines()].sort()).toEqual([
      'cpu_load,host=before cores=3i,usage=3 10',
      'cpu_load,host=deep cores=4i,usage=4 11',
      'cpu_load,host=destroy cores=1i,usage=1 8',
      'cpu_load,host=shutdown cores=2i,usage=2 9',
    ]);
  });

  it('two model classes with the same name get distinct tokens and repositories', async () => {
    const A = (() => {
      @Measurement('same_a')
      class Cpu extends SeriesModel<Cpu> {
        @Field() v!: number;
      }
      return Cpu;
    })();
    const B = (() => {
      @Measurement('same_b')
      class Cpu extends SeriesModel<Cpu> {
        @Field() v!: number;
      }
      return Cpu;
    })();
    expect(A.name).toBe(B.name);
    expect(getSeriesRepositoryToken(A)).not.toBe(getSeriesRepositoryToken(B));
    expect(getSeriesRepositoryToken(A)).toBe(getSeriesRepositoryToken(A));
    @Injectable()
    class Both {
      constructor(
        @Inject(getSeriesRepositoryToken(A)) readonly a: Repository<InstanceType<typeof A>>,
        @InjectSeriesRepository(B) readonly b: Repository<InstanceType<typeof B>>,
      ) {}
    }
    const sink = new MemorySink();
    const app = await start(
      [InfluxModule.forRoot({ port: 1, sink }), InfluxModule.forFeature([A]), InfluxModule.forFeature([B])],
      [Both],
    );
    const both = app.get(Both);
    expect(both.a.model).toBe(A);
    expect(both.b.model).toBe(B);
    new A({ v: 1 });
    new B({ v: 2 });
    await app.close();
    expect(sink.lines(A)).toEqual([expect.stringMatching(/^same_a v=1 \d+$/)]);
    expect(sink.lines(B)).toEqual([expect.stringMatching(/^same_b v=2 \d+$/)]);
  });
});

describe('InfluxModule refuses bad input with typed errors', () => {
  it('bad forRoot options name the option', () => {
    expect(() => InfluxModule.forRoot({ port: 'x' as never })).toThrow(InfluxConfigError);
    expect(() => InfluxModule.forRoot({ port: 'x' as never })).toThrow(/port/);
    expect(() => InfluxModule.forRoot({ shutdownTimeout: -1 })).toThrow(/shutdownTimeout/);
    expect(() => InfluxModule.forRoot({ series: { bulkSize: 0 } })).toThrow(/series.*bulkSize/);
    expect(() => InfluxModule.forRoot({ series: { bogus: 1 } as never })).toThrow(/bogus/);
    expect(() => InfluxModule.forRoot({ sink: {} as never })).toThrow(/sink/);
    expect(() => InfluxModule.forRoot({ connectionName: '' })).toThrow(/connectionName/);
    expect(() => InfluxModule.forRoot(null as never)).toThrow(InfluxConfigError);
  });

  it('credentials never show in the injected objects or in a failed health check', async () => {
    const secret = 'pw-Secret-4711';
    const app = await start([
      InfluxModule.forRoot({
        host: '127.0.0.1',
        port: await freeTcpPort(),
        username: 'u',
        password: secret,
        retries: 1,
      }),
    ]);
    const client = app.get<InfluxDBClient>(getInfluxClientToken());
    const registry = app.get<SeriesRegistry>(getSeriesRegistryToken());
    for (const o of [client, registry]) {
      expect(inspect(o, { depth: 6 })).not.toContain(secret);
      expect(String(o)).not.toContain(secret);
    }
    expect(JSON.stringify(client)).not.toContain(secret);
    const down = await app
      .get(InfluxHealthIndicator)
      .pingCheck()
      .catch((e: Error) => e);
    expect(down).toBeInstanceOf(InfluxHealthCheckError);
    expect(JSON.stringify((down as InfluxHealthCheckError).causes) + (down as Error).message).not.toContain(
      secret,
    );
    await app.close();
  });

  it('a DSN with a bad part never shows its password', () => {
    let error: unknown;
    try {
      InfluxModule.forRoot({ dsn: 'influxdb://user:s3cr3t-pw@host:notaport/db' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InfluxConfigError);
    expect(String((error as Error).message)).not.toContain('s3cr3t-pw');
  });

  it('forRootAsync needs exactly one way to make the options, and checks what the factory returns', async () => {
    expect(() => InfluxModule.forRootAsync({})).toThrow(/exactly one of useFactory, useClass or useExisting/);
    expect(() => InfluxModule.forRootAsync({ useFactory: () => ({}), useExisting: 'X' })).toThrow(
      /got useFactory, useExisting/,
    );
    const compiled = Test.createTestingModule({
      imports: [InfluxModule.forRootAsync({ useFactory: () => ({ timeout: -5 }) })],
    }).compile();
    await expect(compiled).rejects.toThrow(InfluxConfigError);
  });

  it('forFeature refuses what is not a model, and a class bound to another connection', () => {
    class Plain {}
    expect(() => InfluxModule.forFeature([Plain as never])).toThrow(/Plain is not a model/);
    expect(() => InfluxModule.forFeature([42 as never])).toThrow(/models\[0\]\): expects a model class/);
    expect(() => InfluxModule.forFeature('x' as never)).toThrow(InfluxConfigError);
    // CpuLoad is bound to 'default' above.
    expect(() => InfluxModule.forFeature([CpuLoad], 'other')).toThrow(
      /already records through connection 'default'/,
    );
    expect(() => InfluxModule.forFeature([{ model: CpuLoad, bind: false }], 'other')).not.toThrow();
  });

  it('forFeature refuses to bind a class already in use with the default registry', () => {
    @Measurement('used_early')
    class UsedEarly extends SeriesModel<UsedEarly> {
      @Field() v!: number;
    }
    getModelMetadata(UsedEarly); // compiled: its registry is settled (the default one)
    expect(() => InfluxModule.forFeature([UsedEarly])).toThrow(/was already in use/);
    // The class is left as it was.
    expect(() => InfluxModule.forFeature([UsedEarly])).toThrow(/was already in use/);
  });
});
