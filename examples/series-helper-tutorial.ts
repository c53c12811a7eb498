/**
 * influxdb-python's examples/tutorial_serieshelper.py, ported: the SeriesHelper becomes a decorated,
 * immutable model class. Constructing an instance records a point; with `bulkSize: 5` and
 * autocommit, the fifth construction writes the five pending points in one request; `commit()`
 * writes the rest; `pending()` is the seed's `_json_body_()`.
 *
 * Run: `npm run example -- series-helper-tutorial` (a throwaway influxd), or with INFLUXDB_URL set.
 */
import { Field, InfluxDBClient, Measurement, SeriesModel, Tag, Timestamp } from 'influx-models';
import { exampleServer, run } from './example-server.js';

async function main(): Promise<void> {
  const dbname = 'example_series_helper';
  const server = await exampleServer();
  const myclient = new InfluxDBClient({
    host: server.host,
    port: server.port,
    ...(server.username !== undefined ? { username: server.username } : {}),
    ...(server.password !== undefined ? { password: server.password } : {}),
    database: dbname,
  });
  try {
    await myclient.createDatabase(dbname);
    await myclient.createRetentionPolicy('awesome_policy', '3d', 3, { default: true });

    /**
     * The seed's `MySeriesHelper` with its `Meta`: series name template, tags, fields, bulk size
     * 5, autocommit, and the client to write through (`sink`). Property names are camelCase; the
     * keys in InfluxDB keep the seed's snake_case.
     */
    @Measurement({ name: 'events.stats.{serverName}', bulkSize: 5, autocommit: true, sink: myclient })
    class MySeriesHelper extends SeriesModel<MySeriesHelper> {
      @Tag({ name: 'server_name' }) serverName!: string;
      @Field({ name: 'some_stat', type: 'integer' }) someStat!: number;
      @Field({ name: 'other_stat', type: 'integer' }) otherStat?: number;
      @Timestamp() time?: Date;
    }

    // The following creates *five* (immutable) points. Since bulkSize is 5, upon the fifth
    // construction *all* of them are written via the sink (myclient).
    new MySeriesHelper({ serverName: 'us.east-1', someStat: 159, otherStat: 10 });
    new MySeriesHelper({ serverName: 'us.east-1', someStat: 158, otherStat: 20 });
    new MySeriesHelper({ serverName: 'us.east-1', someStat: 157, otherStat: 30 });
    new MySeriesHelper({ serverName: 'us.east-1', someStat: 156, otherStat: 30 });
    console.log(`Pending after four constructions: ${MySeriesHelper.pending().length}`);
    new MySeriesHelper({ serverName: 'us.east-1', someStat: 156 });
    console.log(`Pending after the fifth (autocommitted): ${MySeriesHelper.pending().length}`);
    const sixth = new MySeriesHelper({ serverName: 'us.east-1', someStat: 155, otherStat: 50 });

    // Instances are frozen: changing one throws instead of silently diverging from what was written.
    try {
      (sixth as { someStat: number }).someStat = 0;
    } catch (e) {
      console.log(`Instances are immutable: ${(e as Error).constructor.name}`);
    }

    // To inspect what will be written, call pending() (the seed's _json_body_()):
    console.log('Pending points:', MySeriesHelper.pending());
    console.log('Pending lines:', MySeriesHelper.pendingLines());

    // To manually submit the points which are not yet written, call commit:
    await MySeriesHelper.commit();
    console.log(`Pending after commit(): ${MySeriesHelper.pending().length}`);

    const result = await myclient.query('SELECT * FROM "events.stats.us.east-1"');
    const points = [...result.getPoints()];
    console.log(`Stored points: ${points.length}`);
    for (const p of points) console.log(`  some_stat=${p.some_stat} other_stat=${p.other_stat ?? '(none)'}`);

    await myclient.dropDatabase(dbname);
  } finally {
    await myclient.close();
    await server.stop();
  }
}

run(main);
