import type { TestProject } from 'vitest/node';
import { type InfluxdHandle, startInfluxd } from '../src/testing/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the InfluxDB the integration tests use (no credentials). */
    influxUrl: string;
  }
}

let server: InfluxdHandle | undefined;

/**
 * Starts one throwaway influxd for the whole run (or uses INFLUXDB_URL when set). Tests that need
 * auth or UDP start their own instance with startInfluxd().
 */
export async function setup(project: TestProject): Promise<void> {
  const configured = process.env.INFLUXDB_URL;
  if (configured) {
    project.provide('influxUrl', configured);
    return;
  }
  server = await startInfluxd();
  project.provide('influxUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
