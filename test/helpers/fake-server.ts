import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local fake HTTP server for faults a real influxd cannot be made to show (a 503 with
 * Retry-After, a stalled socket, a body that never ends). `handle` gets the 0-based request number.
 */
export interface FakeServer {
  port: number;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; at: number }[];
  /** Destroys open sockets and stops listening (idempotent). */
  close(): Promise<void>;
}

const running = new Set<FakeServer>();

/** Starts a fake server on a free loopback port. */
export async function fakeServer(
  handle: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const n = requests.length;
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: Date.now() });
    req.resume();
    handle(req, res, n);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let closing: Promise<void> | undefined;
  const f: FakeServer = {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => {
      running.delete(f);
      closing ??= new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      });
      return closing;
    },
  };
  running.add(f);
  return f;
}

/** Closes every fake server still running (for afterEach). */
export async function closeFakeServers(): Promise<void> {
  await Promise.all([...running].map((f) => f.close()));
}
