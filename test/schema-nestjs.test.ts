import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { InfluxDBClient } from '../src/client/index.js';
import { InfluxConfigError } from '../src/errors.js';
import { getInfluxClientToken, InfluxModule } from '../src/nestjs/index.js';
import { defineSchema } from '../src/schema/index.js';
import { serverAddress, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('nest_schema');
const client = new InfluxDBClient(serverAddress());

afterAll(async () => {
  await client.dropDatabase(db);
  await client.close();
});

describe('InfluxModule.forRoot({ schema })', () => {
  it('applies the schema when the application starts, and logs the plan', async () => {
    const schema = defineSchema({
      database: db,
      retentionPolicies: { week: { duration: '7d', shardDuration: '1d', default: true } },
    });
    const logged: string[] = [];
    const logger = {
      log: (m: unknown) => logged.push(String(m)),
      error: () => {},
      warn: () => {},
      debug: () => {},
      verbose: () => {},
    };
    for (let run = 0; run < 2; run++) {
      const mod = await Test.createTestingModule({
        imports: [InfluxModule.forRoot({ ...serverAddress(), database: db, schema })],
      })
        .setLogger(logger)
        .compile();
      const app = await mod.init();
      expect(app.get<InfluxDBClient>(getInfluxClientToken())).toBeInstanceOf(InfluxDBClient);
      await app.close();
    }
    const plans = logged.filter((m) => m.startsWith('Schema of database'));
    expect(plans[0]).toContain(`2 changes (applied)`);
    expect(plans[0]).toContain(
      `+ CREATE RETENTION POLICY "week" ON "${db}" DURATION 7d REPLICATION 1 SHARD DURATION 1d DEFAULT`,
    );
    expect(plans[1]).toBe(`Schema of database "${db}": up to date, nothing to do`);
    const week = (await client.listRetentionPolicies(db)).find((r) => r.name === 'week');
    expect(week).toMatchObject({ duration: '168h0m0s', default: true });
  });

  it('refuses a schema option that is not a defineSchema value', () => {
    expect(() => InfluxModule.forRoot({ schema: { database: db } as never })).toThrow(InfluxConfigError);
  });
});
