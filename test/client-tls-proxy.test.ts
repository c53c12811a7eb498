import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxDBClient } from '../src/client/influxdb-client.js';
import { InfluxConnectionError } from '../src/errors.js';
import { serverAddress } from './helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'c1-tls-'));
const file = (n: string) => join(dir, n);
let certs: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
let tlsServer: Server;
let tlsPort: number;
const seenClientCerts: boolean[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

beforeAll(async () => {
  // a CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=test-ca',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
  );
  for (const who of ['server', 'client']) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${who}`,
      '-keyout',
      file(`${who}.key`),
      '-out',
      file(`${who}.csr`),
    );
    writeExtFile(who);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${who}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      file(`${who}.ext`),
      '-out',
      file(`${who}.crt`),
    );
  }
  certs = {
    ca: readFileSync(file('ca.crt'), 'utf8'),
    serverCert: readFileSync(file('server.crt'), 'utf8'),
    serverKey: readFileSync(file('server.key'), 'utf8'),
    clientCert: readFileSync(file('client.crt'), 'utf8'),
    clientKey: readFileSync(file('client.key'), 'utf8'),
  };
  tlsServer = createHttpsServer(
    {
      cert: certs.serverCert,
      key: certs.serverKey,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      seenClientCerts.push((req.socket as TLSSocket).authorized);
      res.writeHead(204, { 'X-Influxdb-Version': '1.2.3-tls' });
      res.end();
    },
  );
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  tlsPort = (tlsServer.address() as AddressInfo).port;
}, 60_000);

function writeExtFile(who: string): void {
  const ext =
    who === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' : 'extendedKeyUsage=clientAuth\n';
  execFileSync('sh', ['-c', `printf '${ext}' > ${file(`${who}.ext`)}`]);
}

afterAll(async () => {
  tlsServer.closeAllConnections();
  await new Promise((r) => tlsServer.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('verifies the server certificate by default: an unknown CA is refused, not retried', async () => {
    const c = new InfluxDBClient({ host: '127.0.0.1', port: tlsPort, ssl: true, retries: 3 });
    const err = await c.ping().catch((e) => e);
    expect(err).toBeInstanceOf(InfluxConnectionError);
    expect(err.message).toMatch(/certificate/i);
    expect(err.message).not.toMatch(/attempts/);
    await c.close();
  });

  it('trusts a given CA; verifySsl false skips verification', async () => {
    const withCa = new InfluxDBClient({ host: '127.0.0.1', port: tlsPort, ssl: true, ca: certs.ca });
    expect(await withCa.ping()).toBe('1.2.3-tls');
    await withCa.close();
    const noVerify = new InfluxDBClient({ host: '127.0.0.1', port: tlsPort, ssl: true, verifySsl: false });
    expect(await noVerify.ping()).toBe('1.2.3-tls');
    await noVerify.close();
    expect(noVerify.url).toBe(`https://127.0.0.1:${tlsPort}`);
  });

  it('sends a client certificate (mTLS) when cert and key are given', async () => {
    seenClientCerts.length = 0;
    const c = new InfluxDBClient({
      host: '127.0.0.1',
      port: tlsPort,
      ssl: true,
      ca: certs.ca,
      cert: certs.clientCert,
      key: certs.clientKey,
    });
    await c.ping();
    await c.close();
    const anon = new InfluxDBClient({ host: '127.0.0.1', port: tlsPort, ssl: true, ca: certs.ca });
    await anon.ping();
    await anon.close();
    expect(seenClientCerts).toEqual([true, false]);
  });
});

describe('proxy', () => {
  it('goes through an HTTP proxy (CONNECT) to the real server', async () => {
    const tunnels: string[] = [];
    const sockets = new Set<Socket>();
    const proxy = createHttpServer();
    proxy.on('connect', (req, client: Socket, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream).add(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyPort = (proxy.address() as AddressInfo).port;
    const { host, port } = serverAddress();
    const c = new InfluxDBClient({ host, port, proxy: `http://127.0.0.1:${proxyPort}` });
    expect(await c.ping()).toMatch(/^1\.6\.7/);
    const rs = await c.query('SHOW DATABASES');
    expect(rs.length).toBe(1);
    await c.close();
    expect(tunnels[0]).toBe(`${host}:${port}`);
    for (const s of sockets) s.destroy();
    await new Promise((r) => proxy.close(r));
  });
});
