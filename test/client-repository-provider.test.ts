/**
 * `client.repository(Model)` is provided by the query layer (src/query/client-repository.ts): the
 * client module does not import the query layer. Loaded alone, the client refuses with a typed
 * error; once the query layer is loaded, the method builds a Repository.
 */
import { describe, expect, it } from 'vitest';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { InfluxConfigError } from '../src/errors.js';

class Cpu {
  host = '';
  usage = 0;
}

describe('client.repository() comes from the query layer', () => {
  it('without the query layer: InfluxConfigError naming the way out; with it: a Repository', async () => {
    const client = new InfluxDBClient({ database: 'metrics' });
    const call = () => client.repository(Cpu as never);
    expect(call).toThrow(InfluxConfigError);
    expect(call).toThrow(/query layer is not loaded.*createRepository\(client, Model\)/);

    const { Repository } = await import('../src/query/index.js');
    const { Measurement, Tag, Field } = await import('../decorators/index.js');
    @Measurement('cpu')
    class Load {
      @Tag() host!: string;
      @Field() usage!: number;
    }
    const repo = client.repository(Load);
    expect(repo).toBeInstanceOf(Repository);
    expect(repo.model).toBe(Load);
    await client.close();
  });
});
