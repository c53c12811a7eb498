import { describe, expect, it } from 'vitest';
import { makeLines } from '../src/index.js';
import { rawQuery, rawWrite, uniqueDatabase } from './helpers/server.js';

describe('test server', () => {
  it('stores a point written with makeLines and reads it back', async () => {
    const db = uniqueDatabase('smoke');
    await rawQuery(`CREATE DATABASE ${db}`);
    const body = makeLines([
      { measurement: 'cpu', tags: { host: 'a' }, fields: { usage: 0.5, cores: 4n }, time: 1n },
    ]);
    expect(body).toBe('cpu,host=a cores=4i,usage=0.5 1\n');
    expect((await rawWrite(body, db)).status).toBe(204);
    const res = await rawQuery('SELECT * FROM cpu', db);
    expect(res.results[0].series[0].values).toEqual([['1970-01-01T00:00:00.000000001Z', 4, 'a', 0.5]]);
    await rawQuery(`DROP DATABASE ${db}`);
  });
});
