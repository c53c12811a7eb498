import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** Base URL of the shared test server (started by test/global-setup.ts). */
export function serverUrl(): string {
  return inject('influxUrl');
}

/** Host and port of the shared test server. */
export function serverAddress(): { host: string; port: number } {
  const u = new URL(serverUrl());
  return { host: u.hostname, port: Number(u.port || 8086) };
}

/** A database name unique to this call, so test files never see each other's data. */
export function uniqueDatabase(prefix = 'test'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/**
 * Runs one InfluxQL statement against the shared server with plain fetch (independent of the
 * client under test) and returns the parsed JSON.
 */
export async function rawQuery(q: string, db?: string, extra: Record<string, string> = {}): Promise<any> {
  const params = new URLSearchParams({ q, ...extra });
  if (db) params.set('db', db);
  const res = await fetch(`${serverUrl()}/query`, { method: 'POST', body: params });
  const body = await res.json();
  if (!res.ok) throw new Error(`query failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Writes line protocol with plain fetch; returns the status and body. */
export async function rawWrite(
  body: string,
  db: string,
  precision = 'n',
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${serverUrl()}/write?db=${encodeURIComponent(db)}&precision=${precision}`, {
    method: 'POST',
    body,
  });
  return { status: res.status, text: await res.text() };
}
