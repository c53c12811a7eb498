import { serverUrl } from './server.js';

/**
 * Reading data back from the real server EXACTLY, for the line-protocol tests: queries ask for
 * MessagePack, decoded here by a minimal reader that returns every msgpack integer as a `bigint`
 * (int64 values and nanosecond times are never rounded) and every float as a `number` (so an
 * integer field and a float field holding a whole value stay distinguishable: `1n` vs `1`).
 * Independent of the client under test.
 */

/** A decoded msgpack value. */
export type Mp = null | boolean | number | bigint | string | Uint8Array | Mp[] | { [k: string]: Mp };

/** Decodes one msgpack document: integers as bigint, floats as number. */
export function decodeMsgpack(buf: Uint8Array): Mp {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  const str = (n: number): string => {
    const s = text.decode(buf.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const arr = (n: number): Mp[] => {
    const out: Mp[] = [];
    for (let i = 0; i < n; i++) out.push(read());
    return out;
  };
  const map = (n: number): { [k: string]: Mp } => {
    const out: { [k: string]: Mp } = {};
    for (let i = 0; i < n; i++) {
      const k = read();
      out[String(k)] = read();
    }
    return out;
  };
  const read = (): Mp => {
    const b = buf[pos++] as number;
    if (b <= 0x7f) return BigInt(b);
    if (b >= 0xe0) return BigInt(b - 0x100);
    if (b >= 0xa0 && b <= 0xbf) return str(b & 0x1f);
    if (b >= 0x90 && b <= 0x9f) return arr(b & 0x0f);
    if (b >= 0x80 && b <= 0x8f) return map(b & 0x0f);
    let v: Mp;
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xca:
        v = view.getFloat32(pos);
        pos += 4;
        return v;
      case 0xcb:
        v = view.getFloat64(pos);
        pos += 8;
        return v;
      case 0xcc:
        return BigInt(view.getUint8(pos++));
      case 0xcd:
        v = BigInt(view.getUint16(pos));
        pos += 2;
        return v;
      case 0xce:
        v = BigInt(view.getUint32(pos));
        pos += 4;
        return v;
      case 0xcf:
        v = view.getBigUint64(pos);
        pos += 8;
        return v;
      case 0xd0:
        return BigInt(view.getInt8(pos++));
      case 0xd1:
        v = BigInt(view.getInt16(pos));
        pos += 2;
        return v;
      case 0xd2:
        v = BigInt(view.getInt32(pos));
        pos += 4;
        return v;
      case 0xd3:
        v = view.getBigInt64(pos);
        pos += 8;
        return v;
      case 0xd9:
        return str(view.getUint8(pos++));
      case 0xda: {
        const n = view.getUint16(pos);
        pos += 2;
        return str(n);
      }
      case 0xdb: {
        const n = view.getUint32(pos);
        pos += 4;
        return str(n);
      }
      case 0xdc: {
        const n = view.getUint16(pos);
        pos += 2;
        return arr(n);
      }
      case 0xdd: {
        const n = view.getUint32(pos);
        pos += 4;
        return arr(n);
      }
      case 0xde: {
        const n = view.getUint16(pos);
        pos += 2;
        return map(n);
      }
      case 0xdf: {
        const n = view.getUint32(pos);
        pos += 4;
        return map(n);
      }
      default:
        throw new Error(`msgpack type 0x${b.toString(16)} not handled by the test reader`);
    }
  };
  const out = read();
  if (pos !== buf.length) throw new Error(`msgpack: ${buf.length - pos} trailing bytes`);
  return out;
}

/** One series of a query result. */
export interface Series {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values: Mp[][];
}

/**
 * Runs one InfluxQL statement with `epoch=ns`, reading the answer as msgpack; throws on any error.
 * `params` are InfluxDB bind parameters (sent verbatim as JSON).
 */
export async function query(q: string, db?: string, params?: Record<string, string>): Promise<Series[]> {
  const body = new URLSearchParams({ q, epoch: 'ns' });
  if (db) body.set('db', db);
  if (params) body.set('params', JSON.stringify(params));
  const res = await fetch(`${serverUrl()}/query`, {
    method: 'POST',
    body,
    headers: { accept: 'application/x-msgpack' },
  });
  const buf = new Uint8Array(await res.arrayBuffer());
  if (!res.ok)
    throw new Error(`query ${JSON.stringify(q)} failed: ${res.status} ${new TextDecoder().decode(buf)}`);
  const doc = decodeMsgpack(buf) as { results?: { error?: string; series?: Series[] }[]; error?: string };
  if (doc.error) throw new Error(`query ${JSON.stringify(q)} failed: ${doc.error}`);
  const r = doc.results?.[0];
  if (r?.error) throw new Error(`query ${JSON.stringify(q)} failed: ${r.error}`);
  return r?.series ?? [];
}

/** All values of the first column of every series (SHOW MEASUREMENTS, SHOW TAG KEYS...). */
export function firstColumn(series: Series[]): Mp[] {
  return series.flatMap((s) => s.values.map((v) => v[0] as Mp));
}

/** Writes a body (string or bytes); returns status and text. */
export async function write(
  body: string | Uint8Array,
  db: string,
  precision = 'n',
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${serverUrl()}/write?db=${encodeURIComponent(db)}&precision=${precision}`, {
    method: 'POST',
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** Everything a database holds, read back through every view the server offers. */
export interface Snapshot {
  measurements: Mp[];
  tagKeys: Mp[];
  /** [key, value] pairs from SHOW TAG VALUES WITH KEY =~ /.* / */
  tagValues: Mp[][];
  /** [fieldKey, fieldType] pairs */
  fieldKeys: Mp[][];
  /** SELECT * FROM /.* / */
  rows: { name: string | undefined; columns: string[]; values: Mp[][] }[];
}

/** Reads back a whole (small) database. */
export async function snapshot(db: string): Promise<Snapshot> {
  const [measurements, tagKeys, tagValues, fieldKeys, rows] = await Promise.all([
    query('SHOW MEASUREMENTS', db),
    query('SHOW TAG KEYS', db),
    query('SHOW TAG VALUES WITH KEY =~ /.*/', db),
    query('SHOW FIELD KEYS', db),
    query('SELECT * FROM /.*/', db),
  ]);
  return {
    measurements: firstColumn(measurements),
    tagKeys: firstColumn(tagKeys),
    tagValues: tagValues.flatMap((s) => s.values),
    fieldKeys: fieldKeys.flatMap((s) => s.values),
    rows: rows.map((s) => ({ name: s.name, columns: s.columns, values: s.values })),
  };
}

/** Creates a database, runs `fn`, drops the database. */
export async function withDatabase<T>(db: string, fn: (db: string) => Promise<T>): Promise<T> {
  await query(`CREATE DATABASE "${db}"`);
  try {
    return await fn(db);
  } finally {
    await query(`DROP DATABASE "${db}"`);
  }
}
