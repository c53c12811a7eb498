/**
 * A small NestJS application recording metrics through series models: it boots an application
 * context (no HTTP endpoint), records 250 requests through `MetricsService`, closes the application
 * (which writes every pending point, then closes the connection pool) and prints what is stored.
 *
 * Run (against INFLUXDB_URL, or a throwaway influxd started here when it is not set):
 *   npx tsc -p tsconfig.build.json && node dist/examples/nestjs/main.js
 * Prints `stored 250 requests` on success.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createRepository, InfluxDBClient } from 'influx-models';
import { type InfluxdHandle, startInfluxd } from 'influx-models/testing';
import { AppModule } from './app-module.js';
import { HttpRequest } from './http-request-model.js';
import { MetricsService } from './metrics-service.js';

async function main(): Promise<void> {
  let server: InfluxdHandle | undefined;
  let url = process.env.INFLUXDB_URL;
  if (!url) {
    console.error('INFLUXDB_URL is not set: starting a throwaway influxd');
    server = await startInfluxd();
    url = server.url;
  }
  const { hostname: host, port } = new URL(url);
  const database = process.env.EXAMPLE_DATABASE ?? 'example_nestjs';
  const admin = new InfluxDBClient({ host, port: Number(port || 8086), database });
  try {
    await admin.createDatabase(database);
    const app = await NestFactory.createApplicationContext(
      AppModule.forConnection({ host, port: Number(port || 8086), database }),
      { logger: ['error', 'warn'] },
    );
    app.enableShutdownHooks(); // SIGTERM/SIGINT close the app, which flushes the points too
    const metrics = app.get(MetricsService);
    const routes = ['/users', '/orders', '/health'];
    for (let i = 0; i < 250; i++) {
      const route = routes[i % routes.length] as string;
      metrics.recordRequest(
        i % 10 === 0 ? 'POST' : 'GET',
        route,
        i % 50 === 0 ? 500 : 200,
        5 + (i % 17) * 1.5,
      );
    }
    console.log(`recorded 250 requests; ${metrics.pending()} buffered or in flight`);
    await app.close(); // writes the pending points, then closes the pool
    const stored = await createRepository(admin, HttpRequest).count();
    console.log(`stored ${stored} requests`);
    if (stored !== 250) process.exitCode = 1;
  } finally {
    await admin.dropDatabase(database).catch(() => undefined);
    await admin.close();
    await server?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
