import type { ResultSet } from '../results/result-set.js';
import type { QueryOptions } from './client-options.js';

/**
 * The database, retention-policy, user, privilege and continuous-query helpers of influxdb-python,
 * built on `query`. `InfluxDBClient` extends this class.
 */
export abstract class InfluxAdminApi {
  /** Runs one InfluxQL statement (implemented by InfluxDBClient). */
  abstract query(q: string, options?: QueryOptions): Promise<ResultSet>;
  /** The client's current default database (see switchDatabase). */
  protected abstract currentDatabase(): string | undefined;
}
