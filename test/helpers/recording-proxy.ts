import { Agent, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A recording HTTP proxy on loopback in front of a REAL influxd: every request is forwarded as it
 * is and the server's answer relayed; the bodies of the writes the server accepted (2xx) are kept
 * in the order the server answered them, which is what a test of per-server order and duplicates
 * needs (influxd stores an identical point once, so it cannot show a batch sent twice or late).
 * When the server cannot be reached (killed), the client's connection is destroyed, as a server
 * that is down would look through a load balancer. `delayMs` makes the server slow: each request is
 * forwarded that much later.
 */
export interface RecordingProxy {
  readonly port: number;
  /** Bodies of `/write` requests the server answered 2xx, in answer order. */
  readonly stored: string[];
  /** Wait before forwarding each request, in ms (0 by default). */
  delayMs: number;
  close(): Promise<void>;
}

export async function recordingProxy(target: { host: string; port: number }): Promise<RecordingProxy> {
  const stored: string[] = [];
  const sockets = new Set<Socket>();
  const agent = new Agent({ keepAlive: false });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => setTimeout(forward, proxy.delayMs));
    const forward = () => {
      const body = Buffer.concat(chunks);
      const up = request(
        {
          agent,
          host: target.host,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: `${target.host}:${target.port}` },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const status = answer.statusCode ?? 502;
            if (req.url?.startsWith('/write') && status >= 200 && status < 300)
              stored.push(body.toString('utf8'));
            const { 'transfer-encoding': _te, 'content-length': _cl, ...headers } = answer.headers;
            res.writeHead(status, headers);
            res.end(Buffer.concat(parts));
          });
          answer.on('error', () => req.socket.destroy());
        },
      );
      up.on('error', () => req.socket.destroy());
      up.end(body);
    };
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy: RecordingProxy = {
    port: (server.address() as AddressInfo).port,
    stored,
    delayMs: 0,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        agent.destroy();
        server.close(() => r());
      }),
  };
  return proxy;
}

/** The `seq=<n>i` field of every line of `bodies`, in order. */
export function seqsOf(bodies: readonly string[]): number[] {
  const out: number[] = [];
  for (const b of bodies) for (const m of b.matchAll(/ seq=(\d+)i/g)) out.push(Number(m[1]));
  return out;
}
