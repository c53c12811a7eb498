"""influxdb-python (Debian's python3-influxdb) as a benchmark peer of influx-models.

    python3 bench/python/peer.py encode|write|read --rows N [--url URL --db DB]

Does what bench/cases/{encode,write,read}.ts do with influxdb-python 5.x on the same data
(bench/lib/shape.ts; the values are computed the same way, so the lines are the same), and
prints the same JSON result line: seconds of the timed part, points, peak RSS in MiB.
  - encode: line_protocol.make_lines on batches of 5000 point dicts;
  - write: InfluxDBClient.write_points(points, time_precision='n', batch_size=5000) (one request
    at a time: the client is synchronous);
  - read: InfluxDBClient.query(q, epoch='ns'), then every point of the ResultSet.
"""
import argparse
import json
import resource
import sys
import time
from urllib.parse import urlparse

from influxdb import InfluxDBClient
from influxdb.line_protocol import make_lines

T0 = 1_700_000_000_000_000_000
BATCH = 5000
READ_QUERY = 'SELECT * FROM "cpu"'


def point(i):
    return {
        'measurement': 'cpu',
        'tags': {'host': 'host-%d' % (i % 100), 'region': 'region-%d' % (i % 5)},
        'fields': {'cores': 1 + i % 64, 'ok': i % 3 != 0, 'usage': ((i * 7919) % 100003 + 1) / 1000.7},
        'time': T0 + i * 1000,
    }


CPU0 = [0.0]


def start():
    CPU0[0] = time.process_time()
    return time.perf_counter()


def report(seconds, points, **extra):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    out = {'seconds': seconds, 'points': points, 'peakRssMb': peak,
           'cpuSeconds': time.process_time() - CPU0[0]}
    out.update(extra)
    sys.stdout.write(json.dumps(out) + '\n')


def client_for(args):
    u = urlparse(args.url)
    return InfluxDBClient(host=u.hostname, port=u.port, database=args.db)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['encode', 'write', 'read'])
    p.add_argument('--rows', type=int, required=True)
    p.add_argument('--url')
    p.add_argument('--db')
    args = p.parse_args()
    n = args.rows

    if args.mode == 'encode':
        batches = [[point(i) for i in range(s, min(n, s + BATCH))] for s in range(0, n, BATCH)]
        size = 0
        sample = ''
        t0 = start()
        for k, b in enumerate(batches):
            text = make_lines({'points': b}, precision='n')
            size += len(text)
            if k == 0:
                sample = text.split('\n', 1)[0]
        report(time.perf_counter() - t0, n, bytes=size, sample=sample)
    elif args.mode == 'write':
        client = client_for(args)
        points = [point(i) for i in range(n)]
        client.write_points([{'measurement': 'warm', 'fields': {'v': 1}, 'time': 1}], time_precision='n')
        t0 = start()
        client.write_points(points, time_precision='n', batch_size=BATCH)
        report(time.perf_counter() - t0, n)
    else:
        client = client_for(args)
        client.query(READ_QUERY + ' LIMIT 10', epoch='ns')
        t0 = start()
        rs = client.query(READ_QUERY, epoch='ns')
        rows = sum(1 for _ in rs.get_points())
        seconds = time.perf_counter() - t0
        if rows != n:
            raise SystemExit('read %d rows, expected %d' % (rows, n))
        report(seconds, n)


if __name__ == '__main__':
    main()
