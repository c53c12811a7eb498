import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDsn } from '../src/client/dsn.js';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { InfluxConfigError } from '../src/errors.js';
import { rawQuery, serverAddress, uniqueDatabase } from './helpers/server.js';

/** influxdb-python's from_dsn cases (CL07), plus percent-decoding, IPv6 and refusals. */
describe('parseDsn (CL07)', () => {
  it('parses a bare host and port', () => {
    expect(parseDsn('influxdb://192.168.0.1:1886')).toEqual({
      host: '192.168.0.1',
      port: 1886,
      ssl: false,
      useUdp: false,
    });
  });

  it('parses user, password and database', () => {
    expect(parseDsn('influxdb://uSr:pWd@my.host.fr:1886/db')).toEqual({
      host: 'my.host.fr',
      port: 1886,
      ssl: false,
      useUdp: false,
      username: 'uSr',
      password: 'pWd',
      database: 'db',
    });
  });

  it('udp+influxdb turns UDP on and keeps the HTTP port', () => {
    const o = parseDsn('udp+influxdb://uSr:pWd@my.host.fr:1886/db');
    expect(o).toMatchObject({ host: 'my.host.fr', port: 1886, useUdp: true, ssl: false, database: 'db' });
    expect(o.udpPort).toBeUndefined();
  });

  it('https+influxdb turns TLS on; an override turns it off', () => {
    expect(parseDsn('https+influxdb://uSr:pWd@my.host.fr:1886/db')).toMatchObject({ ssl: true, port: 1886 });
    expect(parseDsn('https+influxdb://uSr:pWd@my.host.fr:1886/db', { ssl: false })).toMatchObject({
      ssl: false,
      username: 'uSr',
    });
  });

  it('defaults the port to 8086 and applies overrides (udpPort)', () => {
    expect(parseDsn('udp+influxdb://h/db', { udpPort: 159 })).toEqual({
      host: 'h',
      port: 8086,
      ssl: false,
      useUdp: true,
      database: 'db',
      udpPort: 159,
    });
  });

  it('ignores undefined overrides and lets defined ones win', () => {
    expect(parseDsn('influxdb://h:1/db', { database: undefined, port: 2 })).toMatchObject({
      database: 'db',
      port: 2,
    });
  });

  it('percent-decodes user, password and database', () => {
    expect(parseDsn('influxdb://b%40b:p%3A%2F%40ss@h/my%20db')).toMatchObject({
      username: 'b@b',
      password: 'p:/@ss',
      database: 'my db',
    });
  });

  it("takes the last '@' as the end of the credentials", () => {
    expect(parseDsn('influxdb://u:p@ss@h:9/db')).toMatchObject({
      username: 'u',
      password: 'p@ss',
      host: 'h',
      port: 9,
    });
  });

  it('accepts a user without password, a trailing slash, IPv6 and an upper-case scheme', () => {
    expect(parseDsn('influxdb://bob@h/')).toEqual({
      host: 'h',
      port: 8086,
      ssl: false,
      useUdp: false,
      username: 'bob',
    });
    expect(parseDsn('INFLUXDB://[::1]:8087/db')).toMatchObject({ host: '::1', port: 8087, database: 'db' });
    expect(parseDsn('HTTPS+InfluxDB://[fe80::1]')).toMatchObject({ host: 'fe80::1', port: 8086, ssl: true });
  });

  const refused: Array<[string, RegExp]> = [
    ['http://h', /unknown scheme "http"/],
    ['foo+influxdb://h', /unknown modifier "foo"/],
    ['udp+https+influxdb://h', /more than one modifier/],
    ['influxdb:/h', /missing '<scheme>:\/\/'/],
    ['influxdb://', /host is missing/],
    ['influxdb://:8086/db', /host is missing/],
    ['influxdb://h1:1,,h2:2/db', /host is missing/],
    ['influxdb://h1:1,h2:0/db', /port "0" is not a number/],
    ['influxdb://h:0', /port "0" is not a number from 1 to 65535/],
    ['influxdb://h:65536', /port "65536"/],
    ['influxdb://h:80a', /port "80a"/],
    ['influxdb://h/db/rp', /single database name/],
    ['influxdb://h/db?timeout=1', /query string or fragment/],
    ['influxdb://::1/db', /IPv6 host must be written in brackets/],
    ['influxdb://[::1/db', /must be closed with '\]'/],
    ['influxdb://h h/db', /contains characters a host name cannot/],
    ['influxdb://h/%E0%A4%A', /database has invalid percent-encoding/],
  ];
  it.each(refused)('refuses %s', (dsn, message) => {
    expect(() => parseDsn(dsn)).toThrow(InfluxConfigError);
    expect(() => parseDsn(dsn)).toThrow(message);
  });

  it('reads a comma-separated list of servers as hosts', () => {
    expect(parseDsn('https+influxdb://u:p@a:8086,b,[::1]:9999/metrics')).toEqual({
      ssl: true,
      useUdp: false,
      username: 'u',
      password: 'p',
      hosts: [
        { host: 'a', port: 8086 },
        { host: 'b', port: 8086 },
        { host: '::1', port: 9999 },
      ],
      database: 'metrics',
    });
  });

  it('refuses a non-string DSN and non-object overrides', () => {
    expect(() => parseDsn(42 as unknown as string)).toThrow(/DSN: must be a string/);
    expect(() => parseDsn('influxdb://h', 'x' as never)).toThrow(/DSN overrides: must be an options object/);
  });

  it('never echoes the password, even when a stray character moves it into the host or port', () => {
    const secret = 'S3cr3tPw';
    const bad = [
      `influxdb://u:${secret}%ZZ@h/db`, // bad percent-encoding in the password
      `influxdb://u:${secret}/x@h/db`, // unencoded '/' in the password: looks like host 'u', port 'S3cr3tPw'
      `influxdb://u:${secret}?@h/db`,
      `influxdb://u:${secret}@h:99999/db`,
      `influxdb://u:${secret}@h1,h2:x/db`,
      `influxdb://u:${secret}@/db`,
      `ftp://u:${secret}@h/db`,
    ];
    for (const dsn of bad) {
      let error: unknown;
      try {
        parseDsn(dsn);
      } catch (e) {
        error = e;
      }
      expect(error, dsn).toBeInstanceOf(InfluxConfigError);
      expect(String((error as Error).message)).not.toContain(secret);
      expect(String((error as Error).stack)).not.toContain(secret);
    }
  });
});

describe('InfluxDBClient.fromDsn against the real server', () => {
  it('connects to the host, port and database of the DSN, keeping the password out of sight', async () => {
    const { host, port } = serverAddress();
    const db = uniqueDatabase('dsn');
    const secret = 'dsn-S3cret/pw';
    await rawQuery(`CREATE DATABASE "${db}"`);
    const client = InfluxDBClient.fromDsn(
      `influxdb://reader:${encodeURIComponent(secret)}@${host}:${port}/${db}`,
      {
        retries: 1,
      },
    );
    try {
      expect(await client.ping()).toMatch(/^1\.6\./);
      await client.write('dsn v=1 1\n');
      expect([...(await client.query('SELECT v FROM dsn')).getPoints()]).toEqual([
        { time: '1970-01-01T00:00:00.000000001Z', v: 1 },
      ]);
      expect(await client.listMeasurements()).toEqual([{ name: 'dsn' }]);
      for (const text of [String(client), inspect(client, { depth: 5 }), JSON.stringify(client) ?? '']) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(encodeURIComponent(secret));
      }
    } finally {
      await client.close();
      await rawQuery(`DROP DATABASE "${db}"`);
    }
  });

  it('udp+influxdb builds a client that writes over UDP to the overridden port', async () => {
    const { host, port } = serverAddress();
    const client = InfluxDBClient.fromDsn(`udp+influxdb://${host}:${port}/udpdb`, { udpPort: 9 });
    // Database 'udpdb' does not exist: over HTTP this write would fail with "database not found".
    // Over UDP (no listener on port 9) it is fire and forget, so it resolves.
    await client.writePoints([{ measurement: 'm', fields: { v: 1 } }]);
    const dbs = await rawQuery('SHOW DATABASES');
    expect((dbs.results[0].series?.[0]?.values ?? []).flat()).not.toContain('udpdb');
    expect(await client.ping()).toMatch(/^1\.6\./);
    await client.close();
  });
});
