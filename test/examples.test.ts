/**
 * Runs every example as a user would (`npm run example -- NAME`: the built dist/examples/NAME.js,
 * importing 'influx-models' by the package's own exports) and checks what it prints. Each example
 * starts its own throwaway influxd (INFLUXDB_URL is removed from its environment), so this also
 * checks that they stop it: a leftover server would keep the child alive until the timeout.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runner = join(root, 'scripts/run-example.mjs');

interface Output {
  stdout: string;
  stderr: string;
}

/** `node scripts/run-example.mjs NAME` with a bounded time; rejects with the output on failure. */
async function example(name: string, env: Record<string, string> = {}): Promise<Output> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, CI: '1', FORCE_COLOR: '0', NO_COLOR: '1' };
  delete childEnv.INFLUXDB_URL;
  delete childEnv.INFLUXDB_UDP_PORT;
  try {
    const { stdout, stderr } = await run(process.execPath, [runner, name], {
      cwd: root,
      env: childEnv,
      timeout: 90_000,
      killSignal: 'SIGINT',
      maxBuffer: 16 * 1024 * 1024,
    });
    return { stdout, stderr };
  } catch (e) {
    const err = e as Error & Partial<Output> & { code?: number; signal?: string };
    throw new Error(
      `example ${name} failed (exit ${err.code}, signal ${err.signal}):\n${err.stdout}\n--- stderr ---\n${err.stderr}`,
    );
  }
}

beforeAll(async () => {
  // Build once, as `npm run build` does; a type error anywhere fails here with tsc's output.
  try {
    await run(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: root,
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (e) {
    const err = e as Error & Partial<Output>;
    throw new Error(`tsc -p tsconfig.build.json failed:\n${err.stdout}${err.stderr}`);
  }
}, 300_000);

describe('examples', () => {
  it('lists every example (and only examples) when run without a name', async () => {
    const { stderr } = await example('');
    const listed = /Examples: (.*)/.exec(stderr)?.[1]?.split(', ') ?? [];
    const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts'));
    expect(listed).toContain('demo');
    expect(listed).not.toContain('example-server');
    for (const name of ['basic-tutorial', 'series-helper-tutorial', 'udp-tutorial', 'arrow-tutorial']) {
      expect(files).toContain(`${name}.ts`);
      expect(listed).toContain(name);
    }
  });

  it('demo: starts a server, writes, queries aggregates, checks them and stops', async () => {
    const { stdout, stderr } = await example('demo', { DEMO_POINTS: '20000' });
    expect(stderr).toContain('INFLUXDB_URL is not set: starting a throwaway InfluxDB');
    expect(stderr).toContain('Throwaway InfluxDB stopped and removed.');
    expect(stderr).toMatch(/writing: 100% 20,000\/20,000/); // plain progress lines (not a TTY)
    expect(stdout).toContain('Stored 20,000 points');
    expect(stdout).toContain('GROUP BY time(1m), "host", "region" fill(none)');
    expect(stdout).toContain('percentile("latency_ms"::field, 95) AS "p95"');
    expect(stdout).toMatch(/^web-05 {2}eu .*[▁▂▃▄▅▆▇█]{30}$/m); // a table row with its sparkline
    expect(stdout).toMatch(/^\/api\/checkout(\s+\d+\.\d){8}$/m); // the p95 matrix: 8 hosts
    expect(stdout).toContain('CPU samples stored:  11,000 of 11,000');
    expect(stdout).toContain('requests stored:     9,000 of 9,000');
    expect(stdout).toContain('4 of 4 exactly equal to the local nearest rank');
    expect(stdout).toContain('All checks passed.');
  });

  it('basic-tutorial: database, retention policy, switch user, write, bound query, drop', async () => {
    const { stdout, stderr } = await example('basic-tutorial');
    expect(stderr).toContain('auth on');
    const steps = [
      'Create database: example',
      'Create a retention policy',
      'Switch user: smly',
      'Write points:',
      'Querying data: select Float_value from cpu_load_short;',
      'Querying data: select Int_value from cpu_load_short where host=$host;',
      'Switch user: root',
      'Drop database: example',
    ];
    let at = 0;
    for (const step of steps) {
      const i = stdout.indexOf(step, at);
      expect(i, step).toBeGreaterThanOrEqual(at);
      at = i;
    }
    expect(stdout).toMatch(
      /Result: ResultSet\(cpu_load_short: 1 rows\) \[ \{ time: '[^']+', Float_value: 0\.64 \} \]/,
    );
    expect(stdout).toMatch(
      /Result: ResultSet\(cpu_load_short: 1 rows\) \[ \{ time: '[^']+', Int_value: 3 \} \]/,
    );
  });

  function expectSeriesHelperTutorial(stdout: string): void {
    expect(stdout).toContain('Pending after four constructions: 4');
    expect(stdout).toContain('Pending after the fifth (autocommitted): 0');
    expect(stdout).toContain('Instances are immutable: TypeError');
    expect(stdout).toMatch(
      /'events\.stats\.us\.east-1,server_name=us\.east-1 other_stat=50i,some_stat=155i \d{19}'/,
    );
    expect(stdout).toContain('Pending after commit(): 0');
    expect(stdout).toContain('Stored points: 6');
    expect(stdout).toContain('some_stat=156 other_stat=(none)');
  }

  it('series-helper-tutorial: bulk size 5 autocommits, commit() writes the rest', async () => {
    const { stdout } = await example('series-helper-tutorial');
    expectSeriesHelperTutorial(stdout);
  });

  it('series-helper-tutorial runs the same where code generation is forbidden (a CSP)', async () => {
    // new Function throws there: the models take the generic constructor tail and serializer, the
    // results their row loops (src/generated-code.ts).
    const { stdout } = await example('series-helper-tutorial', {
      NODE_OPTIONS: '--disallow-code-generation-from-strings',
    });
    expectSeriesHelperTutorial(stdout);
  });

  it('spool-tutorial: points spooled while the server is down are replayed by the next registry', async () => {
    const { stdout } = await example('spool-tutorial');
    expect(stdout).toContain('Segment files after the group commit: 1');
    expect(stdout).toContain(
      'First registry closed with the server down: {"written":0,"failed":0,"abandoned":250}',
    );
    expect(stdout).toContain('Unacknowledged points left on disk: yes');
    expect(stdout).toContain('Replayed from the spool: 250 points pending');
    expect(stdout).toContain('Second registry closed: {"written":250,"failed":0,"abandoned":0}');
    expect(stdout).toContain('Stored: 250 points');
    expect(stdout).toContain('Segment files left: 0');
  });

  it('udp-tutorial: packets reach the UDP listener and read back over HTTP', async () => {
    const { stdout, stderr } = await example('udp-tutorial');
    expect(stderr).toContain('a UDP listener');
    expect(stdout).toContain("writePoints with precision 's' over UDP is refused");
    expect(stdout).toContain('Read back over HTTP: 2 points of server01, 1 of server02');
    expect(stdout).toContain('2009-11-10T23:00:00Z value=0.64');
    expect(stdout).toContain('2009-11-10T23:05:00Z value=0.67');
  });

  it('replicated-pair: writes go on while one server is down, which catches up when back', async () => {
    const { stdout } = await example('replicated-pair');
    expect(stdout).toContain('Both up: a has 1000, b has 1000');
    expect(stdout).toContain("b is down: writes go on; b's queue holds 4 batches");
    expect(stdout).toContain('Reads go to a healthy server: count = 2000');
    expect(stdout).toMatch(/flush: b written=5 pending=0 failed=0/);
    expect(stdout).toContain('After b is back: a has 2000, b has 2000');
    // through a registry with a spool: b's backlog survives the restart, a is sent nothing again
    expect(stdout).toContain('registry.flush: a written=1000 pending=0 failed=0 failing=false');
    expect(stdout).toContain('registry.flush: b written=0 pending=1000 failed=0 failing=true');
    expect(stdout).toContain('registry.stats: b pendingBatches=4 failing=true');
    expect(stdout).toContain('After the restart: a was sent 0 points, pending=0');
    expect(stdout).toContain('After the restart: b was sent 1000 points, pending=0');
    expect(stdout).toContain('Readings: a has 1000, b has 1000');
  });

  it('dashboard-query: builder → InfluxQL with bound values → typed rows', async () => {
    const { stdout } = await example('dashboard-query');
    expect(stdout).toContain('Wrote 7200 api_call points');
    expect(stdout).toContain("params: { p0: '2024-01-01T10:00:00Z', p1: '2024-01-01T12:00:00Z' }");
    expect(stdout).toContain(`WHERE "status"::tag = $p0 AND time >= $p1`);
    expect(stdout).toMatch(/^search\s+12\s+[▁▂▃▄▅▆▇█]{12}$/m);
    expect(stdout).toMatch(/^search\s+2024-01-01T11:00:00\.000Z\s+176$/m);
    expect(stdout).toContain("Latest search calls: [ '2024-01-01T11:59:57.000Z 31 ms'");
  });

  it('client-comparison: the README table, each cell tried against the server', async () => {
    const { stdout } = await example('client-comparison');
    const table = stdout.split('\n').filter((l) => l.startsWith('|'));
    expect(table[0]).toBe('| | influx-models | node-influx | @influxdata/influxdb-client (v2) |');
    const row = (start: string) => table.find((l) => l.startsWith(`| ${start}`)) ?? '';
    expect(row("`usage: '0.5'`")).toContain('refused: `InfluxValidationError`');
    expect(row('a newline')).toMatch(/\| refused: `InfluxValidationError` \|.*new measurement `evil/);
    expect(row('the integer')).toContain('`9007199254740993` (exact, a bigint)');
    expect(row('writing to a database')).toMatch(
      /rejects: `InfluxDBClientError`.*`close\(\)` resolves; the point is lost/,
    );
  });

  it('arrow-tutorial: frames written and read back', async () => {
    const { stdout } = await example('arrow-tutorial');
    expect(stdout).toContain('Create database: demo');
    expect(stdout.match(/\{ written: 30, skipped: 0, requests: 1 \}/g)).toHaveLength(2);
    expect(stdout).toContain(
      'demo: 60 rows, columns time: Timestamp<NANOSECOND, UTC>, 0: Float64, k1: Utf8, k2: Utf8',
    );
    expect(stdout).toContain('60 rows, columns time, k1, k2, 0');
    expect(stdout).toContain('Delete database: demo');
  });

  it('schema-tutorial: applies a schema (dry run, run, nothing left to do) and pulls models', async () => {
    const { stdout } = await example('schema-tutorial');
    expect(stdout).toContain('Schema of database "schema_tutorial": 4 changes (dry run, nothing sent)');
    expect(stdout).toContain('Schema of database "schema_tutorial": 4 changes (applied)');
    expect(stdout).toContain('Schema of database "schema_tutorial": up to date, nothing to do');
    expect(stdout).toContain('[2/2] http request: 2 tags, 3 fields');
    expect(stdout).toContain("@Tag({ name: 'data center' }) dataCenter!: string;");
    expect(stdout).toContain("@Field({ name: \"it's ok\", type: 'boolean' }) itsOk!: boolean;");
    expect(stdout).toContain("export { HttpRequest } from './http-request.js';");
  });

  it('memory-sink.test: the example unit test passes under its own vitest config', async () => {
    const { stdout } = await example('memory-sink.test');
    expect(stdout).toMatch(/Tests\s+4 passed/);
  });

  it.runIf(readdirSync(join(root, 'examples')).includes('nestjs'))(
    'nestjs: the example app runs',
    async () => {
      const { stdout } = await example('nestjs');
      expect(stdout.length).toBeGreaterThan(0);
    },
  );
});
