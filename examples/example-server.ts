/**
 * Shared by the examples (not an example itself): the InfluxDB an example talks to.
 *
 * - `INFLUXDB_URL` set: that server is used (credentials from `INFLUXDB_USERNAME` /
 *   `INFLUXDB_PASSWORD`, never from the URL; the UDP port from `INFLUXDB_UDP_PORT`).
 * - otherwise: a throwaway `influxd` is started on free loopback ports in a temp dir (with auth or
 *   a UDP listener when the example needs one), and `stop()` removes it.
 */
import {
  freeUdpPort,
  type InfluxdHandle,
  type StartInfluxdOptions,
  startInfluxd,
} from 'influx-models/testing';

/** The server an example runs against. */
export interface ExampleServer {
  readonly host: string;
  readonly port: number;
  /** Base URL, without credentials. */
  readonly url: string;
  /** The UDP listener's port, when one was asked for. */
  readonly udpPort?: number;
  /** Admin credentials, when the server has authentication on. */
  readonly username?: string;
  readonly password?: string;
  /** True when the server was started here (and is removed by `stop()`). */
  readonly throwaway: boolean;
  /** Stops a throwaway server; does nothing for a server given by `INFLUXDB_URL`. */
  stop(): Promise<void>;
}

/** What an example needs from its server. */
export interface ExampleServerNeeds {
  /** Authentication on, with this admin user. */
  auth?: { username: string; password: string };
  /** A UDP listener writing into this database. */
  udp?: { database: string };
}

/**
 * Connects to `INFLUXDB_URL` or starts a throwaway `influxd`, saying which on stderr.
 *
 * ```ts
 * const server = await exampleServer({ udp: { database: 'udp_example' } });
 * try { ... } finally { await server.stop(); }
 * ```
 */
export async function exampleServer(needs: ExampleServerNeeds = {}): Promise<ExampleServer> {
  const configured = process.env.INFLUXDB_URL;
  const udpConfigured = process.env.INFLUXDB_UDP_PORT;
  if (configured && (needs.udp === undefined || udpConfigured)) {
    const u = new URL(configured);
    if (u.username || u.password) {
      throw new Error(
        'INFLUXDB_URL must not carry credentials; set INFLUXDB_USERNAME and INFLUXDB_PASSWORD instead',
      );
    }
    const username = process.env.INFLUXDB_USERNAME ?? needs.auth?.username;
    const password = process.env.INFLUXDB_PASSWORD ?? needs.auth?.password;
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 8086));
    console.error(`Using the InfluxDB at ${u.origin} (INFLUXDB_URL)`);
    return {
      host: u.hostname,
      port,
      url: u.origin,
      ...(udpConfigured ? { udpPort: Number(udpConfigured) } : {}),
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      throwaway: false,
      stop: async () => {},
    };
  }
  const options: StartInfluxdOptions = {};
  if (needs.auth) options.auth = needs.auth;
  // The UDP listener is configured here rather than with `startInfluxd({ udp })`, which waits for
  // the listener's database to appear; InfluxDB 1.6 creates it only when the first packet arrives,
  // so that wait lasts the whole start timeout (30 s). The database is created below instead.
  let udpPort: number | undefined;
  if (needs.udp) {
    udpPort = await freeUdpPort();
    options.extraConfig = [
      '[[udp]]',
      '  enabled = true',
      `  bind-address = "127.0.0.1:${udpPort}"`,
      `  database = ${JSON.stringify(needs.udp.database)}`,
      '  batch-timeout = "10ms"',
    ].join('\n');
  }
  const why = configured
    ? 'INFLUXDB_URL is set but INFLUXDB_UDP_PORT is not, and this example needs a UDP listener'
    : 'INFLUXDB_URL is not set';
  const extras = [needs.auth ? 'auth on' : '', needs.udp ? 'a UDP listener' : ''].filter(Boolean).join(', ');
  console.error(
    `${why}: starting a throwaway InfluxDB (influxd in a temp dir${extras ? `, ${extras}` : ''})...`,
  );
  const server: InfluxdHandle = await startInfluxd(options);
  if (needs.udp) {
    const headers: Record<string, string> = needs.auth
      ? {
          authorization: `Basic ${Buffer.from(`${needs.auth.username}:${needs.auth.password}`).toString('base64')}`,
        }
      : {};
    const q = `CREATE DATABASE "${needs.udp.database.replace(/["\\]/g, '\\$&')}"`;
    const res = await fetch(`${server.url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q }),
      headers,
    });
    if (!res.ok) {
      await server.stop();
      throw new Error(`could not create the UDP database: HTTP ${res.status} ${await res.text()}`);
    }
  }
  console.error(`Throwaway InfluxDB listening on ${server.url}; it is removed when the example ends.`);
  return {
    host: server.host,
    port: server.port,
    url: server.url,
    ...(udpPort !== undefined ? { udpPort } : {}),
    ...(needs.auth ? { username: needs.auth.username, password: needs.auth.password } : {}),
    throwaway: true,
    stop: () => server.stop(),
  };
}

/** Runs `main` and sets a failing exit code (printing the error) when it rejects. */
export function run(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
