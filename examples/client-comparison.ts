/**
 * influx-models beside node-influx and the v2 client (@influxdata/influxdb-client) on the same
 * InfluxDB 1.x: four things a user runs into, each tried for real, and a Markdown table of what
 * happened (the table in README.md's "Why" section comes from this script).
 *
 *   1. a string (`'0.5'`, e.g. straight from a request) given to a float field;
 *   2. a newline in a tag value (`'web-1\nevil value=1'`);
 *   3. an integer above 2^53 (9007199254740993), read back;
 *   4. writing to a database that does not exist: does the caller hear of it?
 *
 * Run: `npm run example -- client-comparison` (a throwaway influxd, or INFLUXDB_URL).
 */
import { InfluxDB as V2Client, Point as V2Point } from '@influxdata/influxdb-client';
import { FieldType, InfluxDB as NodeInflux } from 'influx';
import { Field, InfluxDBClient, Measurement, SeriesModel, SeriesRegistry, Tag } from 'influx-models';
import { MemorySink } from 'influx-models/testing';
import { exampleServer, run } from './example-server.js';

const sink = new MemorySink();
const registry = new SeriesRegistry({ sink, flushInterval: 0 });

@Measurement({ name: 'cpu', registry })
class Cpu extends SeriesModel<Cpu> {
  @Tag() host!: string;
  @Field({ type: 'float' }) usage!: number;
}

type Outcome = string;
const short = (e: unknown) =>
  (e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 60) ?? String(e);

async function main(): Promise<void> {
  const server = await exampleServer();
  const db = 'client_comparison';
  const ours = new InfluxDBClient({ host: server.host, port: server.port, database: db });
  const ni = new NodeInflux({
    host: server.host,
    port: server.port,
    database: db,
    schema: [{ measurement: 'cpu_ni', tags: ['host'], fields: { usage: FieldType.FLOAT } }],
  });
  const v2 = new V2Client({ url: server.url, token: '' });
  const rows: [string, Outcome, Outcome, Outcome][] = [];
  try {
    await ours.createDatabase(db);
    const fieldType = async (measurement: string, field: string) => {
      const rs = await ours.query(`SHOW FIELD KEYS FROM "${measurement}"`);
      const row = [...rs.getPoints()].find((p) => p.fieldKey === field);
      return row === undefined ? 'nothing stored' : `stored as ${String(row.fieldType)}`;
    };

    // 1. A string into a float field.
    let a: Outcome;
    try {
      new Cpu({ host: 'web-1', usage: '0.5' as unknown as number });
      a = 'accepted';
    } catch (e) {
      a = `refused: \`${(e as Error).name}\` (${short(e)})`;
    }
    let b: Outcome;
    try {
      await ni.writePoints([{ measurement: 'cpu_ni', tags: { host: 'web-1' }, fields: { usage: '0.5' } }]);
      b = `accepted, ${await fieldType('cpu_ni', 'usage')}`;
    } catch (e) {
      b = `refused (${short(e)})`;
    }
    let c: Outcome;
    try {
      c = `accepted: \`${new V2Point('cpu').floatField('usage', '0.5').timestamp('').toLineProtocol()}\` (the string parsed)`;
    } catch (e) {
      c = `refused (${short(e)})`;
    }
    rows.push(["`usage: '0.5'` into a float field", a, b, c]);

    // 2. A newline in a tag value.
    const evil = 'web-1\nevil value=1';
    try {
      new Cpu({ host: evil, usage: 0.5 });
      a = 'accepted';
    } catch (e) {
      a = `refused: \`${(e as Error).name}\``;
    }
    let answer = 'resolves';
    try {
      await ni.writePoints([{ measurement: 'inject', tags: { host: evil }, fields: { usage: 0.5 } }]);
    } catch (e) {
      answer = `rejects (${short(e)})`;
    }
    const names = [...(await ours.query('SHOW MEASUREMENTS')).getPoints()].map((p) => String(p.name));
    const injected = names.find((n) => n.startsWith('evil'));
    b =
      injected !== undefined
        ? `sent as two lines: the write ${answer.startsWith('rejects') ? 'rejects (partial write)' : 'resolves'}, yet the server stored a point in a new measurement \`${injected}\``
        : `${answer}; measurements: ${names.join(', ')}`;
    const v2Line = new V2Point('inject')
      .tag('host', evil)
      .floatField('usage', 0.5)
      .timestamp('')
      .toLineProtocol();
    c = `sent as \`${v2Line?.replaceAll('\n', '\\n')}\`: InfluxDB 1.x keeps \`\\n\` as a backslash and an \`n\`, so the tag value changes`;
    rows.push(['a newline in a tag value', a, b, c]);

    // 3. An integer above 2^53, read back.
    const big = 9007199254740993n;
    await ours.writePoints([{ measurement: 'big', fields: { n: big }, time: 1n }], { timePrecision: 'n' });
    const back = [...(await ours.query('SELECT "n" FROM "big"')).getPoints()][0]?.n;
    a = `\`${String(back)}\`${back === big ? ' (exact, a bigint)' : ''}`;
    await ni.writePoints([{ measurement: 'big_ni', fields: { n: Number(big) }, timestamp: 1 }], {
      precision: 'n',
    });
    const niBack = (await ni.query<{ n: number }>('SELECT "n" FROM "big_ni"'))[0]?.n;
    b = `\`${String(niBack)}\` (a number: written as \`${String(Number(big))}\`)`;
    c = `written as \`${new V2Point('big').intField('n', big.toString()).toLineProtocol()?.split(' ')[1]}\`; reading needs Flux (not on 1.x)`;
    rows.push(['the integer 9007199254740993', a, b, c]);

    // 4. Writing to a database that does not exist.
    try {
      await ours.writePoints([{ measurement: 'm', fields: { v: 1 } }], { database: 'no_such_db' });
      a = 'resolved';
    } catch (e) {
      a = `rejects: \`${(e as Error).name}\` (${short(e)})`;
    }
    try {
      await ni.writePoints([{ measurement: 'm', fields: { v: 1 } }], { database: 'no_such_db' });
      b = 'resolved';
    } catch (e) {
      b = `rejects (${short(e)})`;
    }
    const writeApi = v2.getWriteApi('', 'no_such_db', 'ns', { flushInterval: 200, maxRetries: 0 });
    const silence = console.error; // the v2 client logs its failure to the console
    let logged = '';
    console.error = (...args: unknown[]) => {
      logged ||= String(args[0]);
    };
    try {
      writeApi.writePoint(new V2Point('m').floatField('v', 1));
      await new Promise((r) => setTimeout(r, 1000)); // its flushInterval passes
      await writeApi.close();
      c = `\`close()\` resolves; the point is lost${logged ? ` (logged: ${short(logged)})` : ''}`;
    } catch (e) {
      c = `rejects (${short(e)})`;
    } finally {
      console.error = silence;
    }
    rows.push(['writing to a database that does not exist', a, b, c]);

    const cell = (s: string) => s.replaceAll('|', '\\|');
    console.log('| | influx-models | node-influx | @influxdata/influxdb-client (v2) |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.map(cell).join(' | ')} |`);
    console.log(
      '| query results typed | rows typed from the model or the builder | `any` fields (`IResults<any>`) | rows typed by a generic you assert |',
    );
  } finally {
    await ours.dropDatabase(db).catch(() => undefined);
    await ours.close();
    await server.stop();
  }
}

run(main);
