import { Injectable } from '@nestjs/common';
import type { Repository, SeriesRegistry } from 'influx-models';
import { InjectSeriesRegistry, InjectSeriesRepository } from 'influx-models/nestjs';
import { HttpRequest } from './http-request-model.js';

/** Records request metrics through the model and reads them back through the repository. */
@Injectable()
export class MetricsService {
  constructor(
    @InjectSeriesRepository(HttpRequest) private readonly requests: Repository<HttpRequest>,
    @InjectSeriesRegistry() private readonly registry: SeriesRegistry,
  ) {}

  /** Records one request (buffered; the registry autocommits in bulk). */
  recordRequest(method: string, route: string, status: number, durationMs: number): void {
    new HttpRequest({ method, route, status, durationMs });
  }

  /** Points recorded and not yet written. */
  pending(): number {
    return this.registry.pendingCount;
  }

  /**
   * The slowest stored requests of a route.
   * `SELECT ... FROM "http_requests" WHERE "route"::tag = $p0 ORDER BY time DESC LIMIT 3`
   */
  latest(route: string): Promise<HttpRequest[]> {
    return this.requests.find({ where: { route }, orderBy: 'desc', limit: 3 });
  }
}
