/**
 * Aggregate case: `--case server|memory --rows N --url URL --db DB`. The same InfluxQL aggregate
 * (mean, count and max per host per 1ms window) over the first AGGREGATE_POINTS points of the read
 * database, answered by:
 *   - `server`: influxd, through `InfluxDBClient#query` (msgpack);
 *   - `memory`: `MemoryInflux` from influx-models/testing, loaded with the same points first
 *     (loading is not timed; the query is parsed, evaluated and shaped as a ResultSet).
 * Both check the row count (100 hosts x 100 windows).
 */
import { InfluxDBClient } from '../../src/index.js';
import { MemoryInflux } from '../../src/testing/index.js';
import { AGGREGATE_POINTS, AGGREGATE_QUERY, arg, point, report, since, start } from '../lib/shape.js';

const name = arg('--case');
const url = new URL(arg('--url'));
const db = arg('--db');
const EXPECTED_ROWS = 100 * 100;

function rowsOf(rs: { raw: { series?: Array<{ values?: unknown[] }> } }): number {
  let n = 0;
  for (const s of rs.raw.series ?? []) n += s.values?.length ?? 0;
  return n;
}

async function main(): Promise<void> {
  let rows = 0;
  let seconds = 0;
  if (name === 'server') {
    const client = new InfluxDBClient({ host: url.hostname, port: Number(url.port), database: db });
    await client.query(`${AGGREGATE_QUERY} LIMIT 1`);
    const t0 = start();
    rows = rowsOf(await client.query(AGGREGATE_QUERY));
    seconds = since(t0);
    await client.close();
  } else if (name === 'memory') {
    const memory = new MemoryInflux({ database: db });
    const points = Array.from({ length: AGGREGATE_POINTS }, (_, i) => point(i));
    for (let i = 0; i < points.length; i += 5000) await memory.writePoints(points.slice(i, i + 5000));
    await memory.query(`${AGGREGATE_QUERY} LIMIT 1`);
    const t0 = start();
    rows = rowsOf(await memory.query(AGGREGATE_QUERY));
    seconds = since(t0);
  } else throw new Error(`unknown aggregate case ${name}`);
  if (rows !== EXPECTED_ROWS) throw new Error(`${name} returned ${rows} rows, expected ${EXPECTED_ROWS}`);
  report(seconds, AGGREGATE_POINTS);
}

await main();
