import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileStatement } from '../src/influxql/compiler.js';
import type { StatementNode } from '../src/influxql/statement-ast.js';
import { statement } from './helpers/influxql-arbitraries.js';
import { rawQuery, rawWrite, serverUrl, uniqueDatabase } from './helpers/server.js';

/**
 * What the compiler writes is InfluxQL the real server reads: generated trees of the statements
 * that do not change server-wide state (SELECT without INTO, every SHOW, DROP SERIES and DELETE in
 * a throwaway database) are compiled with their values inline and sent to influxd 1.6; none may be
 * answered with a parse error. (The admin statements that do change state run against the server in
 * client-admin.test.ts and schema-apply.test.ts.)
 */

const SAFE = new Set<StatementNode['kind']>([
  'select',
  'showDatabases',
  'showMeasurements',
  'showTagKeys',
  'showFieldKeys',
  'showSeries',
  'showTagValues',
  'showRetentionPolicies',
  'showUsers',
  'showContinuousQueries',
  'showQueries',
  'showShards',
  'showShardGroups',
  'showSubscriptions',
  'showGrants',
  'dropSeries',
  'delete',
]);

const db = uniqueDatabase('influxql');

/** The first statement error of a /query answer, or the HTTP error. */
async function serverError(q: string): Promise<string | undefined> {
  const res = await fetch(`${serverUrl()}/query`, { method: 'POST', body: new URLSearchParams({ q, db }) });
  const body = (await res.json()) as { error?: string; results?: Array<{ error?: string }> };
  return body.error ?? body.results?.find((r) => r.error !== undefined)?.error;
}

describe('compiled InfluxQL against influxd', () => {
  beforeAll(async () => {
    await rawQuery(`CREATE DATABASE "${db}"`);
    expect((await rawWrite('cpu,host=a v=1 1000000000\nm,host=b v=2i 2000000000', db)).status).toBe(204);
  });
  afterAll(async () => {
    await rawQuery(`DROP DATABASE "${db}"`);
  });

  it('parses every generated statement it is sent (no "error parsing query")', async () => {
    const samples = fc
      .sample(
        statement.filter((n) => SAFE.has(n.kind) && !(n.kind === 'select' && n.into !== undefined)),
        { numRuns: 400, seed: 1616 },
      )
      .filter((n) => n.kind !== 'select' || n.from.kind !== 'subquery' || n.from.query.into === undefined);
    const kinds = new Set<string>();
    const parseErrors: string[] = [];
    for (const node of samples) {
      let text: string;
      try {
        text = compileStatement(node, { inline: true }).query;
      } catch {
        continue; // refused before sending (a typed error; see influxql-roundtrip.test.ts)
      }
      kinds.add(node.kind);
      const error = await serverError(text);
      if (error?.startsWith('error parsing query')) parseErrors.push(`${text}\n  -> ${error}`);
    }
    expect(parseErrors.map((e) => e.split('->')[1])).toEqual([]);
    expect(kinds.size).toBeGreaterThanOrEqual(SAFE.size - 1);
  });
});
