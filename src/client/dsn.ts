import { InfluxConfigError } from '../errors.js';
import type { InfluxDBClientOptions } from './client-options.js';

/**
 * Parses a data source name into client options, as influxdb-python's `from_dsn`:
 *
 * - `influxdb://[user[:password]@]host[:port][/database]` — HTTP
 * - `https+influxdb://…` — HTTPS (`ssl: true`)
 * - `udp+influxdb://…` — writes over UDP (`useUdp: true`; the UDP port is `udpPort`, 4444 unless
 *   given in `overrides`; the DSN's port stays the HTTP port used for queries)
 *
 * The user name, password and database are percent-decoded (`p%40ss` is `p@ss`). An empty
 * password after `:` (`influxdb://u:@host`) is refused; `influxdb://u@host` is a user without a
 * password (Basic auth with an empty password). The port
 * defaults to 8086. `overrides` are applied on top (a key set to `undefined` is ignored), e.g.
 * `{ ssl: false }` turns an `https+influxdb` DSN back to HTTP. The scheme is case-insensitive.
 *
 * Differences from influxdb-python, on purpose: a DSN with several hosts (`h1:1,h2:2`) is refused
 * (influxdb-python silently used the first one and ignored the rest, which hides a
 * misconfiguration); so is a query string, a fragment, a path with more than one segment, a
 * port outside 1–65535 or bad percent-encoding. Errors are {@link InfluxConfigError}s that say
 * which part is wrong and never contain the password.
 *
 * ```ts
 * parseDsn('https+influxdb://bob:s%3Acret@db.example.com:8086/metrics');
 * // { host: 'db.example.com', port: 8086, ssl: true, useUdp: false,
 * //   username: 'bob', password: 's:cret', database: 'metrics' }
 * parseDsn('udp+influxdb://localhost/metrics', { udpPort: 8089 });
 * // { host: 'localhost', port: 8086, ssl: false, useUdp: true, database: 'metrics', udpPort: 8089 }
 * ```
 */
export function parseDsn(dsn: string, overrides?: InfluxDBClientOptions): InfluxDBClientOptions {
  if (typeof dsn !== 'string') {
    throw new InfluxConfigError(`DSN: must be a string such as 'influxdb://host:8086/db', got ${typeof dsn}`);
  }
  const text = dsn.trim();
  const sep = text.indexOf('://');
  if (sep <= 0) {
    throw new InfluxConfigError(
      "DSN: missing '<scheme>://'; use influxdb://, https+influxdb:// or udp+influxdb:// (e.g. 'influxdb://user:pass@host:8086/db')",
    );
  }
  const options: InfluxDBClientOptions = { ...schemeOptions(text.slice(0, sep)) };

  const rest = text.slice(sep + 3);
  if (/[?#]/.test(rest)) {
    throw new InfluxConfigError(
      'DSN: a query string or fragment (?… or #…) is not supported; pass other options as the second argument',
    );
  }
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);

  const at = authority.lastIndexOf('@');
  const userInfo = at < 0 ? undefined : authority.slice(0, at);
  const hostPort = at < 0 ? authority : authority.slice(at + 1);

  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    const user = colon < 0 ? userInfo : userInfo.slice(0, colon);
    const password = colon < 0 ? undefined : userInfo.slice(colon + 1);
    if (user !== '') options.username = decode(user, 'user name');
    if (password === '') {
      // `user:@host` is refused rather than read as "no password" (influxdb-python dropped it
      // silently): an empty password after ':' is usually an unset variable in a template.
      throw new InfluxConfigError(
        "DSN: the password after ':' is empty; write 'influxdb://user@host' for a user without a password",
      );
    }
    if (password !== undefined) options.password = decode(password, 'password');
  }

  const { host, port } = parseHostPort(hostPort, rest.includes('@'));
  options.host = host;
  options.port = port;

  if (path !== '') {
    if (path.includes('/')) {
      throw new InfluxConfigError(
        `DSN: the path must be a single database name ('/mydb'), got ${path.split('/').length} segments`,
      );
    }
    options.database = decode(path, 'database');
  }

  if (overrides !== undefined) {
    if (typeof overrides !== 'object' || overrides === null) {
      throw new InfluxConfigError(`DSN overrides: must be an options object, got ${typeof overrides}`);
    }
    for (const [key, value] of Object.entries(overrides)) {
      if (value !== undefined) (options as Record<string, unknown>)[key] = value;
    }
  }
  return options;
}

function schemeOptions(scheme: string): { ssl: boolean; useUdp: boolean } {
  const parts = scheme.toLowerCase().split('+');
  const base = parts[parts.length - 1];
  if (base !== 'influxdb' || !/^[a-z][a-z0-9+.-]*$/.test(scheme.toLowerCase())) {
    throw new InfluxConfigError(
      `DSN: unknown scheme ${JSON.stringify(shorten(scheme))}; use influxdb://, https+influxdb:// or udp+influxdb://`,
    );
  }
  if (parts.length === 1) return { ssl: false, useUdp: false };
  if (parts.length > 2) {
    throw new InfluxConfigError(
      `DSN: scheme ${JSON.stringify(shorten(scheme))} has more than one modifier; use https+influxdb:// or udp+influxdb://`,
    );
  }
  const modifier = parts[0];
  if (modifier === 'https') return { ssl: true, useUdp: false };
  if (modifier === 'udp') return { ssl: false, useUdp: true };
  throw new InfluxConfigError(
    `DSN: unknown modifier ${JSON.stringify(shorten(modifier ?? ''))} in the scheme; use https+influxdb:// or udp+influxdb://`,
  );
}

function parseHostPort(hostPort: string, hasCredentials: boolean): { host: string; port: number } {
  // When the DSN holds credentials, a misplaced '/', '?' or '#' in the password can move part of it
  // into what looks like the host or port: then those parts are not echoed.
  const show = (s: string) =>
    hasCredentials ? '(not shown: the DSN holds credentials)' : JSON.stringify(shorten(s));
  if (hostPort === '')
    throw new InfluxConfigError("DSN: the host is missing (e.g. 'influxdb://localhost:8086/db')");
  if (hostPort.includes(',')) {
    throw new InfluxConfigError(
      'DSN: several hosts are not supported; give one host (influxdb-python used only the first one)',
    );
  }
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0)
      throw new InfluxConfigError("DSN: an IPv6 host must be closed with ']' (e.g. '[::1]:8086')");
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) {
      throw new InfluxConfigError(`DSN: unexpected ${show(after)} after the IPv6 host`);
    }
    portText = after === '' ? undefined : after.slice(1);
    if (!/^[0-9a-fA-F:.]+$/.test(host))
      throw new InfluxConfigError('DSN: the IPv6 host is not an IPv6 address');
  } else {
    const colon = hostPort.lastIndexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    portText = colon < 0 ? undefined : hostPort.slice(colon + 1);
    if (host.includes(':')) {
      throw new InfluxConfigError(
        "DSN: an IPv6 host must be written in brackets (e.g. 'influxdb://[::1]:8086')",
      );
    }
    if (host === '')
      throw new InfluxConfigError("DSN: the host is missing (e.g. 'influxdb://localhost:8086/db')");
    if (!/^[A-Za-z0-9._~%-]+$/.test(host)) {
      throw new InfluxConfigError(`DSN: the host ${show(host)} contains characters a host name cannot`);
    }
  }
  let port = 8086;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new InfluxConfigError(`DSN: the port ${show(portText)} is not a number from 1 to 65535`);
    }
    port = Number(portText);
  }
  return { host, port };
}

/** Percent-decodes a DSN part; never echoes it (it may be a password). */
function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new InfluxConfigError(`DSN: the ${what} has invalid percent-encoding (write '%' as '%25')`);
  }
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
