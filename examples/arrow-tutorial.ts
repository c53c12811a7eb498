/**
 * influxdb-python's examples/tutorial_pandas.py, ported to Apache Arrow tables with FrameClient:
 * create a database, write a frame of 30 hourly rows, write it again with tags, query it back into
 * frames, drop the database.
 *
 * Run (against INFLUXDB_URL, or a throwaway influxd started here when it is not set):
 *   npx tsc -p tsconfig.build.json && node dist/examples/arrow-tutorial.js
 */
import { Float64, makeData, makeVector, Table, TimestampNanosecond, vectorFromArray } from 'apache-arrow';
import { FrameClient } from '../src/arrow/index.js';
import { type InfluxdHandle, startInfluxd } from '../src/testing/index.js';

async function main(): Promise<void> {
  let server: InfluxdHandle | undefined;
  let url = process.env.INFLUXDB_URL;
  if (!url) {
    console.log('INFLUXDB_URL is not set: starting a throwaway influxd');
    server = await startInfluxd();
    url = server.url;
  }
  const { hostname, port } = new URL(url);
  const dbname = 'demo';
  const frames = new FrameClient({ host: hostname, port: Number(port || 8086), database: dbname });
  try {
    console.log('Create an Arrow table (the pandas DataFrame of the seed): 30 hourly rows from 2014-11-16');
    const start = BigInt(Date.UTC(2014, 10, 16)) * 1_000_000n;
    const hour = 3_600_000_000_000n;
    const times = BigInt64Array.from({ length: 30 }, (_, i) => start + BigInt(i) * hour);
    const table = new Table({
      time: makeVector(makeData({ type: new TimestampNanosecond('UTC'), length: 30, data: times })),
      '0': vectorFromArray(
        Array.from({ length: 30 }, (_, i) => i),
        new Float64(),
      ),
    });

    console.log(`Create database: ${dbname}`);
    await frames.client.createDatabase(dbname);

    console.log('Write the table');
    console.log(await frames.writeFrame(table, 'demo'));

    console.log('Write the table with tags');
    console.log(await frames.writeFrame(table, 'demo', { tags: { k1: 'v1', k2: 'v2' } }));

    console.log('Read the frames: select * from demo');
    const result = await frames.queryFrames('select * from demo');
    for (const [key, t] of result) {
      console.log(
        `${key}: ${t.numRows} rows, columns ${t.schema.fields.map((f) => `${f.name}: ${f.type}`).join(', ')}`,
      );
      console.log(t.slice(0, 3).toString());
    }

    console.log('Read one table with the tags as columns: select * from demo group by *');
    const one = await frames.queryTable('select * from demo group by *');
    console.log(`${one.numRows} rows, columns ${one.schema.fields.map((f) => f.name).join(', ')}`);

    console.log(`Delete database: ${dbname}`);
    await frames.client.dropDatabase(dbname);
  } finally {
    await frames.close();
    await server?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
