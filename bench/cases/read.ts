/**
 * Reading case: `--case NAME --rows N --url URL --db DB`. Reads the N rows the runner wrote into
 * DB with `SELECT * FROM "cpu"` (nanosecond epoch times) and prints a CaseResult; a case that gets
 * another row count fails. Every client makes one small query first (connection open, HTTP parser
 * warm), as in a running service.
 *   - `queryStream`: `InfluxDBClient#queryStream` (chunked, msgpack), counting the decoded rows;
 *   - `queryStream-json`: the same with `responseFormat: 'json'` (chunked JSON, decoded exactly);
 *   - `query`: `InfluxDBClient#query` into a ResultSet, iterating every point object;
 *   - `instances`: `client.repository(CpuDeclared).find()`, one frozen model instance per row;
 *   - `instances-stream`: `client.repository(CpuDeclared).stream()`, one instance at a time;
 *   - `node-influx`: node-influx `query` with `precision: 'n'`.
 */
import { InfluxDB as NodeInflux } from 'influx';
import { InfluxDBClient } from '../../src/index.js';
import { CpuDeclared } from '../lib/models.js';
import { arg, READ_QUERY, report, since, start } from '../lib/shape.js';

const name = arg('--case');
const n = Number(arg('--rows'));
const url = new URL(arg('--url'));
const db = arg('--db');
const WARM = `${READ_QUERY} LIMIT 10`;

async function main(): Promise<void> {
  let rows = 0;
  let seconds = 0;
  if (name === 'node-influx') {
    const influx = new NodeInflux({ host: url.hostname, port: Number(url.port), database: db });
    await influx.query(WARM, { precision: 'n' });
    const t0 = start();
    const result = await influx.query(READ_QUERY, { precision: 'n' });
    seconds = since(t0);
    rows = result.length;
  } else {
    const client = new InfluxDBClient({
      host: url.hostname,
      port: Number(url.port),
      database: db,
      ...(name === 'queryStream-json' ? { responseFormat: 'json' as const } : {}),
    });
    await client.query(WARM, { epoch: 'n' });
    const t0 = start();
    switch (name) {
      case 'queryStream':
      case 'queryStream-json':
        for await (const rs of client.queryStream(READ_QUERY, { epoch: 'n', chunkSize: 10_000 })) {
          for (const s of rs.series) rows += s.values?.length ?? 0;
        }
        break;
      case 'query': {
        const rs = await client.query(READ_QUERY, { epoch: 'n' });
        for (const _ of rs.getPoints()) rows++;
        break;
      }
      case 'instances':
        rows = (await client.repository(CpuDeclared).find()).length;
        break;
      case 'instances-stream':
        for await (const _ of client.repository(CpuDeclared).stream()) rows++;
        break;
      default:
        throw new Error(`unknown read case ${name}`);
    }
    seconds = since(t0);
    await client.close();
  }
  if (rows !== n) throw new Error(`${name} read ${rows} rows, expected ${n}`);
  report(seconds, n);
}

await main();
