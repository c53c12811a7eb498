/**
 * influxdb-python's examples/tutorial.py, ported: create a database and a retention policy, switch
 * to a less privileged user, write points, query them (plainly and with bound parameters), switch
 * back and drop the database.
 *
 * The seed assumes a server with auth on, an admin `root`/`root` and an existing user `smly`; here
 * the throwaway server has auth on and the tutorial creates `smly` (and drops it at the end).
 *
 * Run: `npm run example -- basic-tutorial` (a throwaway influxd), or with INFLUXDB_URL,
 * INFLUXDB_USERNAME and INFLUXDB_PASSWORD set to use your server.
 */
import { InfluxDBClient, type Point } from 'influx-models';
import { exampleServer, run } from './example-server.js';

async function main(): Promise<void> {
  const user = 'root';
  const password = 'root';
  const dbname = 'example';
  const dbuser = 'smly';
  const dbuserPassword = 'my_secret_password';
  const query = 'select Float_value from cpu_load_short;';
  const queryWhere = 'select Int_value from cpu_load_short where host=$host;';
  const bindParams = { host: 'server01' };
  // The seed writes at 2009-11-10T23:00:00Z, which a 3-day default retention policy rejects today
  // (InfluxDB answers with a partial write: "points beyond retention policy"); midnight UTC of
  // today is inside it.
  const time = `${new Date().toISOString().slice(0, 10)}T00:00:00Z`;
  // A JS number is a float: an integer field is written from a bigint (or a model field declared
  // `integer`), so Int_value stays an integer in InfluxDB, as the seed's Python int did.
  const jsonBody: Point[] = [
    {
      measurement: 'cpu_load_short',
      tags: { host: 'server01', region: 'us-west' },
      time,
      fields: { Float_value: 0.64, Int_value: 3n, String_value: 'Text', Bool_value: true },
    },
  ];

  const server = await exampleServer({ auth: { username: user, password } });
  const client = new InfluxDBClient({
    host: server.host,
    port: server.port,
    username: server.username ?? user,
    password: server.password ?? password,
    database: dbname,
  });
  try {
    console.log(`Create database: ${dbname}`);
    await client.createDatabase(dbname);

    console.log('Create a retention policy');
    await client.createRetentionPolicy('awesome_policy', '3d', 3, { default: true });

    // The seed's user exists beforehand; create it with write and read rights on the database.
    await client.createUser(dbuser, dbuserPassword);
    await client.grantPrivilege('all', dbname, dbuser);

    console.log(`Switch user: ${dbuser}`);
    client.switchUser(dbuser, dbuserPassword);

    console.log('Write points:', jsonBody);
    await client.writePoints(jsonBody);

    console.log(`Querying data: ${query}`);
    let result = await client.query(query);
    console.log(`Result: ${result}`, [...result.getPoints()]);

    console.log(`Querying data: ${queryWhere}`);
    result = await client.query(queryWhere, { bindParams });
    console.log(`Result: ${result}`, [...result.getPoints()]);

    console.log(`Switch user: ${user}`);
    client.switchUser(server.username ?? user, server.password ?? password);

    console.log(`Drop database: ${dbname}`);
    await client.dropDatabase(dbname);
    await client.dropUser(dbuser);
  } finally {
    await client.close();
    await server.stop();
  }
}

run(main);
