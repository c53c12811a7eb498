import { describe, expect, it } from 'vitest';
import { CONNECTION_FLAGS, clientOptions, describeServer, parseArgs } from '../src/cli/cli-args.js';
import { InfluxConfigError } from '../src/errors.js';

const FLAGS = {
  ...CONNECTION_FLAGS,
  measurement: { value: true, repeat: true },
  'dry-run': { value: false },
};

describe('influx-models command line', () => {
  it('reads --flag value, --flag=value, short flags, booleans and repeats', () => {
    const args = parseArgs(
      [
        'pull',
        '-d',
        'db',
        '--port=9999',
        '--measurement',
        'a',
        '--measurement',
        '/b.*/',
        '--dry-run',
        '--ssl',
      ],
      FLAGS,
    );
    expect(args.command).toBe('pull');
    expect(Object.fromEntries(args.flags)).toEqual({
      database: ['db'],
      port: ['9999'],
      measurement: ['a', '/b.*/'],
      'dry-run': ['true'],
      ssl: ['true'],
    });
    expect(() => parseArgs(['pull', '--database'], FLAGS)).toThrow('option --database needs a value');
    expect(() => parseArgs(['pull', '-d', 'a', '-d', 'b'], FLAGS)).toThrow(
      'option --database was given twice',
    );
    expect(() => parseArgs(['pull', '--ssl=yes'], FLAGS)).toThrow('option --ssl takes no value');
    expect(() => parseArgs(['pull', '-z'], FLAGS)).toThrow(InfluxConfigError);
  });

  it('takes the connection from INFLUXDB_URL (URL or DSN) and the environment; flags win', () => {
    const env = { INFLUXDB_URL: 'https://bob:p%40ss@db.example.com/influx/', INFLUXDB_DATABASE: 'metrics' };
    const fromUrl = clientOptions(parseArgs(['pull'], FLAGS), env);
    expect(fromUrl).toEqual({
      host: 'db.example.com',
      port: 443,
      ssl: true,
      path: '/influx',
      username: 'bob',
      password: 'p@ss',
      database: 'metrics',
    });
    expect(describeServer(fromUrl)).toBe('https://db.example.com:443/influx');
    const fromDsn = clientOptions(parseArgs(['pull', '--port', '9000', '-u', 'ann'], FLAGS), {
      INFLUXDB_URL: 'influxdb://bob:pw@h:1234/db',
      INFLUXDB_PASSWORD: 'env-pw',
    });
    expect(fromDsn).toMatchObject({
      host: 'h',
      port: 9000,
      username: 'ann',
      password: 'env-pw',
      database: 'db',
    });
    expect(() => clientOptions(parseArgs(['pull', '--port', 'x'], FLAGS), {})).toThrow(
      '--port must be a whole number',
    );
    expect(() => clientOptions(parseArgs(['pull'], FLAGS), { INFLUXDB_URL: 'ftp://h' })).toThrow(
      /DSN: unknown scheme/,
    );
  });
});
