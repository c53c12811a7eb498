/**
 * A NestJS service that writes (model instances through the connection's registry) and reads (an
 * injected repository) runs with no server: `InfluxModule.forRoot({ memory })`, or a MemoryInflux
 * given as the sink provider.
 */
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { Field, Measurement, Tag, Timestamp } from '../decorators/index.js';
import { InfluxConfigError } from '../src/errors.js';
import { SeriesModel } from '../src/models/series-model.js';
import {
  getInfluxSinkToken,
  InfluxModule,
  InjectSeriesRegistry,
  InjectSeriesRepository,
} from '../src/nestjs/index.js';
import { max, type Repository } from '../src/query/index.js';
import type { SeriesRegistry } from '../src/registry/series-registry.js';
import { MemoryInflux } from '../src/testing/index.js';

@Measurement({ name: 'temperature', database: 'sensors' })
class Temperature extends SeriesModel<Temperature> {
  @Tag() room!: string;
  @Field({ type: 'float' }) celsius!: number;
  @Timestamp({ type: 'bigint' }) at!: bigint;
}

@Injectable()
class ThermostatService {
  constructor(
    @InjectSeriesRepository(Temperature) private readonly temperatures: Repository<Temperature>,
    @InjectSeriesRegistry() private readonly registry: SeriesRegistry,
  ) {}

  async record(room: string, celsius: number, at: bigint): Promise<void> {
    new Temperature({ room, celsius, at });
    await this.registry.flush();
  }

  async hottest(): Promise<{ room: string; celsius: number } | undefined> {
    const rows = await this.temperatures.query().select(max('celsius').as('celsius')).groupBy('room').all();
    const best = rows.sort((a, b) => (b.celsius ?? 0) - (a.celsius ?? 0))[0];
    return best && { room: best.room, celsius: best.celsius as number };
  }

  latest(room: string): Promise<Temperature | undefined> {
    return this.temperatures.findOne({ where: { room }, orderBy: 'desc' });
  }
}

async function app(options: { memory?: MemoryInflux; overrideSink?: MemoryInflux }) {
  let builder = Test.createTestingModule({
    imports: [
      InfluxModule.forRoot({
        port: 1,
        database: 'sensors',
        ...(options.memory ? { memory: options.memory } : {}),
      }),
      InfluxModule.forFeature([Temperature]),
    ],
    providers: [ThermostatService],
  });
  if (options.overrideSink)
    builder = builder.overrideProvider(getInfluxSinkToken()).useValue(options.overrideSink);
  const moduleRef = await builder.compile();
  moduleRef.useLogger(false);
  return moduleRef.init();
}

describe('InfluxModule with MemoryInflux (no server)', () => {
  it('forRoot({ memory }): a service writes and reads', async () => {
    const memory = new MemoryInflux({ database: 'sensors' });
    const nest = await app({ memory });
    const service = nest.get(ThermostatService);
    await service.record('kitchen', 21.5, 1_700_000_000_000_000_000n);
    await service.record('office', 23.25, 1_700_000_000_000_000_001n);
    await service.record('kitchen', 22, 1_700_000_060_000_000_000n);
    expect(await service.hottest()).toEqual({ room: 'office', celsius: 23.25 });
    const latest = await service.latest('kitchen');
    expect(latest).toBeInstanceOf(Temperature);
    expect(latest?.celsius).toBe(22);
    expect(latest?.at).toBe(1_700_000_060_000_000_000n);
    expect(memory.lines(Temperature)).toHaveLength(3);
    await nest.close();
  });

  it('overriding the sink token with a MemoryInflux does the same', async () => {
    const memory = new MemoryInflux({ database: 'sensors' });
    const nest = await app({ overrideSink: memory });
    const service = nest.get(ThermostatService);
    await service.record('attic', 30, 5n);
    expect((await service.latest('attic'))?.celsius).toBe(30);
    await nest.close();
  });

  it('refuses a memory option that is not a MemoryInflux, and memory with sink', () => {
    expect(() => InfluxModule.forRoot({ memory: {} as never })).toThrow(InfluxConfigError);
    const memory = new MemoryInflux();
    expect(() => InfluxModule.forRoot({ memory, sink: memory })).toThrow(/either memory or sink/);
  });
});
