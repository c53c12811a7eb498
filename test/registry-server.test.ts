import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Field, InfluxDBClient, Measurement, SeriesModel, SeriesRegistry, Tag } from '../src/index.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

const db = uniqueDatabase('models');
let client: InfluxDBClient;

beforeAll(async () => {
  client = new InfluxDBClient({ ...serverAddress(), database: db });
  await client.createDatabase(db);
});

afterAll(async () => {
  await rawQuery(`DROP DATABASE "${db}"`);
  await client.close();
});

describe('registry against a real influxd', () => {
  it('autocommits 100k points and stores exactly that many', async () => {
    const registry = new SeriesRegistry({ sink: client, bulkSize: 5000, maxPending: 50_000, concurrency: 2 });
    const errors: Error[] = [];
    registry.configure({ onError: (e) => errors.push(e) });
    @Measurement({ name: 'cpu_load', registry })
    class CpuLoad extends SeriesModel<CpuLoad, 'region'> {
      @Tag() host!: string;
      @Tag() region = 'eu';
      @Field() usage!: number;
      @Field({ type: 'integer' }) cores!: number;
      @Field() healthy!: boolean;
    }
    const N = 100_000;
    let maxPending = 0;
    for (let i = 0; i < N; i++) {
      if (!registry.hasCapacity()) await registry.waitForCapacity();
      new CpuLoad({ host: `host-${i % 16}`, usage: i / 7, cores: i % 64, healthy: i % 2 === 0 });
      if (registry.pendingCount > maxPending) maxPending = registry.pendingCount;
    }
    await registry.close();
    expect(errors).toEqual([]);
    expect(maxPending).toBeLessThanOrEqual(50_000);
    const count = await rawQuery('SELECT count(usage) FROM cpu_load', db);
    expect(count.results[0].series[0].values[0][1]).toBe(N);
    const types = await rawQuery('SHOW FIELD KEYS FROM cpu_load', db);
    expect(Object.fromEntries(types.results[0].series[0].values)).toEqual({
      cores: 'integer',
      healthy: 'boolean',
      usage: 'float',
    });
    const sample = await rawQuery("SELECT usage, cores FROM cpu_load WHERE host = 'host-7' LIMIT 1", db);
    expect(sample.results[0].series[0].values[0].slice(1)).toEqual([7 / 7, 7]);
  });

  it('a batch holding non-ASCII text reaches the server byte for byte (the client posts the batch bytes)', async () => {
    const registry = new SeriesRegistry({ sink: client, bulkSize: 3, flushInterval: 0 });
    const seen: { body: string; bytes: string }[] = [];
    const spy = {
      commit(batch: Parameters<InfluxDBClient['commit']>[0]) {
        seen.push({ body: batch.body, bytes: Buffer.from(batch.bytes ?? []).toString('utf8') });
        return client.commit(batch);
      },
    };
    registry.configure({ sink: spy });
    @Measurement({ name: 'unicode_bytes', registry })
    class Note extends SeriesModel<Note> {
      @Tag() declare city: string;
      @Field() declare text: string;
      @Field() declare n: number;
    }
    const rows = [
      { city: 'Zürich', text: 'naïve "café"\nline two', n: 1.5 },
      { city: 'ascii', text: 'plain', n: 2 },
      { city: '東京', text: '🙂 emoji', n: -0 },
    ];
    for (const r of rows) new Note(r);
    await registry.close();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.bytes).toBe(seen[0]?.body);
    expect(seen[0]?.body.split('\n').filter((l) => l.startsWith('unicode_bytes,city=東京'))).toHaveLength(1);
    const back = await rawQuery('SELECT "text", "n" FROM unicode_bytes GROUP BY *', db);
    const got = back.results[0].series
      .map((s: { tags: { city: string }; values: unknown[][] }) => [
        s.tags.city,
        s.values[0]?.[1],
        s.values[0]?.[2],
      ])
      .sort();
    expect(got).toEqual(rows.map((r) => [r.city, r.text, r.n]).sort());
  });

  it("the seed's SeriesHelper tutorial (bulk size 5, six instances) stores what influxdb-python stores", async () => {
    // helper_test.py / tutorial_serieshelper.py (reference case SH01): series_name
    // 'events.stats.{server_name}', tags server_name and other_tag, field some_stat (Python ints,
    // so written as integers), bulk_size 5, autocommit. Python stamps utcnow() (microseconds);
    // we stamp nanoseconds taken at construction.
    const registry = new SeriesRegistry({ sink: client, flushInterval: 0 });
    @Measurement({ name: 'events.stats.{server_name}', bulkSize: 5, autocommit: true, registry })
    class MySeriesHelper extends SeriesModel<MySeriesHelper> {
      @Tag() server_name!: string;
      @Tag() other_tag!: string;
      @Field({ type: 'integer' }) some_stat!: number;
    }
    const servers = ['us.east-1', 'fr.paris-10', 'lu.lux', 'uk.london', 'us.east-1', 'fr.paris-10'];
    const made = servers.map((server_name, i) => {
      const p = new MySeriesHelper({ server_name, other_tag: 'ello', some_stat: 159 - i });
      // like the Python test: nothing is written before the 5th point, all five are on the 5th
      expect(MySeriesHelper.pending()).toHaveLength(i < 4 ? i + 1 : i - 4);
      return p;
    });
    expect(MySeriesHelper.pending()).toEqual([
      {
        measurement: 'events.stats.fr.paris-10',
        tags: { server_name: 'fr.paris-10', other_tag: 'ello' },
        fields: { some_stat: 154n },
        time: expect.any(BigInt),
      },
    ]);
    await MySeriesHelper.commit();
    expect(MySeriesHelper.pending()).toEqual([]);
    const shown = await rawQuery('SHOW MEASUREMENTS', db);
    expect(
      shown.results[0].series[0].values.flat().filter((m: string) => m.startsWith('events.stats.')),
    ).toEqual([
      'events.stats.fr.paris-10',
      'events.stats.lu.lux',
      'events.stats.uk.london',
      'events.stats.us.east-1',
    ]);
    const rows = await rawQuery('SELECT * FROM /^events\\.stats\\./ GROUP BY *', db, { epoch: 'ns' });
    const stored = rows.results[0].series
      .flatMap((s: { name: string; tags: Record<string, string>; values: unknown[][] }) =>
        s.values.map((v) => ({ measurement: s.name, ...s.tags, time: v[0], some_stat: v[1] })),
      )
      .sort((a: { some_stat: number }, b: { some_stat: number }) => b.some_stat - a.some_stat);
    expect(stored).toEqual(
      servers.map((server_name, i) => ({
        measurement: `events.stats.${server_name}`,
        server_name,
        other_tag: 'ello',
        some_stat: 159 - i,
        time: expect.any(Number),
      })),
    );
    const fieldTypes = await rawQuery('SHOW FIELD KEYS FROM "events.stats.lu.lux"', db);
    expect(fieldTypes.results[0].series[0].values).toEqual([['some_stat', 'integer']]);
    expect(made[5]!.server_name).toBe('fr.paris-10');
    await registry.close();
  });
});
