import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { InfluxConfigError, InfluxDBClientError } from '../src/errors.js';
import { type InfluxdHandle, startInfluxd } from '../src/testing/index.js';
import { rawQuery, rawWrite, serverAddress, uniqueDatabase } from './helpers/server.js';

/** Every admin helper against the real influxd; users and privileges on a second server with auth. */

const names = (rows: Array<{ name: string }>) => rows.map((r) => r.name);

describe('admin helpers (shared server, no auth)', () => {
  let client: InfluxDBClient;
  const db = uniqueDatabase('admin');
  // A database name that needs quoting: quotes, a space, a comma, unicode.
  const oddDb = `${uniqueDatabase('odd')} "q" 'x',é`;

  beforeAll(() => {
    client = new InfluxDBClient({ ...serverAddress(), retries: 1 });
  });
  afterAll(async () => {
    for (const d of [db, oddDb]) await rawQuery(`DROP DATABASE "${d.replaceAll('"', '\\"')}"`);
    await client.close();
  });

  it('creates, lists and drops databases with any printable name', async () => {
    await client.createDatabase(db);
    await client.createDatabase(oddDb);
    const listed = names(await client.listDatabases());
    expect(listed).toContain(db);
    expect(listed).toContain(oddDb);
    await client.dropDatabase(oddDb);
    expect(names(await client.listDatabases())).not.toContain(oddDb);
    // What the server sees, independently of the client:
    const raw = await rawQuery('SHOW DATABASES');
    expect(raw.results[0].series[0].values.flat()).toContain(db);
  });

  it('lists measurements, series, tag keys and field keys; deletes series and measurements', async () => {
    const body = [
      'cpu,host=a,region=eu usage=0.5,cores=4i 1',
      'cpu,host=b,region=us usage=0.7,cores=8i 1',
      'mem,host=a free=1024i,ok=true,label="x" 1',
      'odd\\ m\\,x,k\\ 1=v\\=1 f=1 1',
    ].join('\n');
    expect((await rawWrite(body, db)).status).toBe(204);

    expect(names(await client.listMeasurements(db))).toEqual(['cpu', 'mem', 'odd m,x']);
    client.switchDatabase(db);
    expect(names(await client.listMeasurements())).toEqual(['cpu', 'mem', 'odd m,x']);

    expect(await client.listSeries({ database: db })).toEqual([
      'cpu,host=a,region=eu',
      'cpu,host=b,region=us',
      'mem,host=a',
      'odd\\ m\\,x,k\\ 1=v\\=1',
    ]);
    expect(await client.listSeries({ measurement: 'cpu', tags: { host: 'b' } })).toEqual([
      'cpu,host=b,region=us',
    ]);
    expect(await client.listSeries({ tags: { 'k 1': 'v=1' } })).toEqual(['odd\\ m\\,x,k\\ 1=v\\=1']);
    expect(await client.listSeries({ measurement: 'cpu', tags: { host: "it's\nnot" } })).toEqual([]);

    expect(await client.listTagKeys({ measurement: 'cpu' })).toEqual([
      { measurement: 'cpu', tagKey: 'host' },
      { measurement: 'cpu', tagKey: 'region' },
    ]);
    expect((await client.listTagKeys()).map((k) => `${k.measurement}.${k.tagKey}`)).toEqual([
      'cpu.host',
      'cpu.region',
      'mem.host',
      'odd m,x.k 1',
    ]);
    expect(await client.listFieldKeys({ measurement: 'mem' })).toEqual([
      { measurement: 'mem', fieldKey: 'free', fieldType: 'integer' },
      { measurement: 'mem', fieldKey: 'label', fieldType: 'string' },
      { measurement: 'mem', fieldKey: 'ok', fieldType: 'boolean' },
    ]);
    expect((await client.listFieldKeys()).filter((k) => k.measurement === 'cpu')).toEqual([
      { measurement: 'cpu', fieldKey: 'cores', fieldType: 'integer' },
      { measurement: 'cpu', fieldKey: 'usage', fieldType: 'float' },
    ]);

    await client.deleteSeries({ measurement: 'cpu', tags: { host: 'a' } });
    expect(await client.listSeries({ measurement: 'cpu' })).toEqual(['cpu,host=b,region=us']);
    await client.deleteSeries({ tags: { 'k 1': 'v=1' } });
    expect(await client.listSeries({ database: db })).toEqual(['cpu,host=b,region=us', 'mem,host=a']);

    await client.dropMeasurement('mem', db);
    expect(names(await client.listMeasurements(db))).toEqual(['cpu']);
    const raw = await rawQuery('SELECT count(*) FROM mem', db);
    expect(raw.results[0].series).toBeUndefined();
  });

  it('creates, alters, lists and drops retention policies', async () => {
    await client.createRetentionPolicy('week', '7d', 1, { database: db, shardDuration: '1d' });
    await client.createRetentionPolicy('forever "rp"', 'INF', 1, { database: db, default: true });
    let rps = await client.listRetentionPolicies(db);
    expect(rps).toEqual([
      { name: 'autogen', duration: '0s', shardGroupDuration: '168h0m0s', replicaN: 1, default: false },
      { name: 'week', duration: '168h0m0s', shardGroupDuration: '24h0m0s', replicaN: 1, default: false },
      { name: 'forever "rp"', duration: '0s', shardGroupDuration: '168h0m0s', replicaN: 1, default: true },
    ]);
    await client.alterRetentionPolicy('week', {
      database: db,
      duration: '2w',
      shardDuration: '2h',
      default: true,
    });
    rps = await client.listRetentionPolicies(db);
    expect(rps.find((r) => r.name === 'week')).toEqual({
      name: 'week',
      duration: '336h0m0s',
      shardGroupDuration: '2h0m0s',
      replicaN: 1,
      default: true,
    });
    expect(rps.find((r) => r.name === 'forever "rp"')?.default).toBe(false);
    await client.dropRetentionPolicy('forever "rp"', db);
    expect((await client.listRetentionPolicies(db)).map((r) => r.name)).toEqual(['autogen', 'week']);
  });

  it('surfaces server refusals as InfluxDBClientError', async () => {
    const err = await client
      .createRetentionPolicy('rp', '1d', 1, { database: uniqueDatabase('missing') })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxDBClientError);
    expect((err as InfluxDBClientError).content).toMatch(/database not found/);
    // A duration shorter than the 1h minimum passes our syntax check; the server explains.
    const short = await client
      .createRetentionPolicy('tiny', '1m', 1, { database: db })
      .catch((e: unknown) => e);
    expect(short).toBeInstanceOf(InfluxDBClientError);
    expect((short as InfluxDBClientError).content).toMatch(
      /retention policy duration must be at least 1h0m0s/,
    );
  });

  it('creates, lists and drops continuous queries, with RESAMPLE', async () => {
    const select = 'SELECT mean("usage") INTO "cpu_1h" FROM "cpu" GROUP BY time(1h), *';
    await client.createContinuousQuery('cq "1"', select, {
      database: db,
      resample: { every: '10m', for: '2h' },
    });
    await client.createContinuousQuery('cq2', `${select};`, { database: db, resampleOpts: 'EVERY 30m' });
    // Regexes in FROM and WHERE pass the single-statement check. (With a ';' inside a regex our
    // check passes too (see client-influxql-validate.test.ts), but query()'s own statement splitter
    // does not know regex literals yet and refuses the text as several statements.)
    await client.createContinuousQuery(
      'cq_re',
      'SELECT mean(*) INTO "autogen".:MEASUREMENT FROM /cpu|mem/ WHERE host =~ /a|b/ GROUP BY time(1h), *',
      { database: db },
    );
    await client.dropContinuousQuery('cq_re', db);
    const all = await client.listContinuousQueries();
    const mine = all.find((entry) => Object.hasOwn(entry, db));
    expect(mine).toBeDefined();
    const cqs = mine![db]!;
    expect(cqs.map((c) => c.name)).toEqual(['cq "1"', 'cq2']);
    expect(cqs[0]!.query).toContain('RESAMPLE EVERY 10m FOR 2h');
    expect(cqs[0]!.query).toContain('mean(usage) INTO');
    expect(cqs[1]!.query).toContain('RESAMPLE EVERY 30m');
    await client.dropContinuousQuery('cq "1"', db);
    await client.dropContinuousQuery('cq2');
    const after = (await client.listContinuousQueries()).find((entry) => Object.hasOwn(entry, db));
    expect(after).toEqual({ [db]: [] });
  });

  it('refuses bad arguments before sending anything', async () => {
    await expect(client.createDatabase('a/b')).rejects.toThrow(InfluxConfigError);
    await expect(
      client.createRetentionPolicy('rp', '1d; DROP DATABASE x', 1, { database: db }),
    ).rejects.toThrow(/createRetentionPolicy\(duration\)/);
    // Nothing was created or dropped by the refused calls.
    expect(names(await client.listDatabases())).toContain(db);
    expect((await client.listRetentionPolicies(db)).map((r) => r.name)).toEqual(['autogen', 'week']);
  });
});

describe('users and privileges (second server with auth)', () => {
  const adminPassword = 'Adm1n-P4ss!word';
  let server: InfluxdHandle;
  let admin: InfluxDBClient;
  const db = uniqueDatabase('authdb');

  beforeAll(async () => {
    server = await startInfluxd({ auth: { username: 'admin', password: adminPassword } });
    admin = new InfluxDBClient({
      host: server.host,
      port: server.port,
      username: 'admin',
      password: adminPassword,
    });
    await admin.createDatabase(db);
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  function as(username: string, password: string): InfluxDBClient {
    return new InfluxDBClient({
      host: server.host,
      port: server.port,
      username,
      password,
      database: db,
      retries: 1,
    });
  }

  it('creates users, changes passwords, grants and revokes privileges', async () => {
    const pw1 = 'first\'pw"\\1';
    const pw2 = 'second pw ünïcode';
    await admin.createUser('bob "the" user', pw1);
    const again = await admin.createUser('bob "the" user', 'another-Secret-pw').catch((e: unknown) => e);
    expect(again).toBeInstanceOf(InfluxDBClientError);
    expect((again as InfluxDBClientError).content).toBe('user already exists');
    expect(inspect(again)).not.toContain('another-Secret-pw');
    expect(await admin.listUsers()).toEqual([
      { user: 'admin', admin: true },
      { user: 'bob "the" user', admin: false },
    ]);

    const bob = as('bob "the" user', pw1);
    // No privilege yet: reading the database is forbidden.
    const denied = await bob.query('SELECT * FROM m').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(InfluxDBClientError);
    expect(String((denied as Error).message)).not.toContain(pw1);

    await admin.grantPrivilege('read', db, 'bob "the" user');
    expect(await admin.listPrivileges('bob "the" user')).toEqual([{ database: db, privilege: 'READ' }]);
    await bob.query('SELECT * FROM m');
    const noWrite = await bob.write('m v=1 1\n').catch((e: unknown) => e);
    expect(noWrite).toBeInstanceOf(InfluxDBClientError);
    expect((noWrite as InfluxDBClientError).status).toBe(403);

    // GRANT replaces the privilege on the database (it does not add to it).
    await admin.grantPrivilege('WRITE', db, 'bob "the" user');
    expect(await admin.listPrivileges('bob "the" user')).toEqual([{ database: db, privilege: 'WRITE' }]);
    await bob.write('m v=1 1\n');
    await admin.grantPrivilege('all', db, 'bob "the" user');
    expect(await admin.listPrivileges('bob "the" user')).toEqual([
      { database: db, privilege: 'ALL PRIVILEGES' },
    ]);
    // REVOKE clears only the privilege named: ALL minus READ is WRITE.
    await admin.revokePrivilege('read', db, 'bob "the" user');
    expect(await admin.listPrivileges('bob "the" user')).toEqual([{ database: db, privilege: 'WRITE' }]);
    await admin.revokePrivilege('all', db, 'bob "the" user');
    expect(await admin.listPrivileges('bob "the" user')).toEqual([
      { database: db, privilege: 'NO PRIVILEGES' },
    ]);

    // A non-admin cannot create users; the error never shows the password it tried.
    const secret = 'n0t-L34ked-pw';
    const refused = await bob.createUser('eve', secret).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InfluxDBClientError);
    expect(String((refused as Error).message)).toMatch(/admin/);
    expect(`${(refused as Error).message} ${(refused as InfluxDBClientError).content}`).not.toContain(secret);

    await admin.setUserPassword('bob "the" user', pw2);
    const oldPw = await bob.query('SHOW DATABASES').catch((e: unknown) => e);
    expect(oldPw).toBeInstanceOf(InfluxDBClientError);
    expect((oldPw as InfluxDBClientError).status).toBe(401);
    expect(String((oldPw as Error).message)).not.toContain(pw1);
    const bob2 = as('bob "the" user', pw2);
    await bob2.query('SHOW DATABASES');

    await admin.grantAdminPrivileges('bob "the" user');
    expect((await admin.listUsers()).find((u) => u.user === 'bob "the" user')?.admin).toBe(true);
    await bob2.createUser('eve', secret); // bob is admin now
    await admin.revokeAdminPrivileges('bob "the" user');
    expect((await admin.listUsers()).find((u) => u.user === 'bob "the" user')?.admin).toBe(false);

    await admin.dropUser('eve');
    await admin.dropUser('bob "the" user');
    expect(await admin.listUsers()).toEqual([{ user: 'admin', admin: true }]);
    const gone = await admin.listPrivileges('bob "the" user').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(InfluxDBClientError);
    expect((gone as InfluxDBClientError).content).toMatch(/user not found/);
    await Promise.all([bob.close(), bob2.close()]);
  });

  it('creates an admin user directly', async () => {
    await admin.createUser('root2', 'pw-root2', true);
    expect((await admin.listUsers()).find((u) => u.user === 'root2')).toEqual({ user: 'root2', admin: true });
    const root2 = as('root2', 'pw-root2');
    await root2.createDatabase(uniqueDatabase('byroot2'));
    await root2.close();
    await admin.dropUser('root2');
  });
});
