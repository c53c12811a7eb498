// What README.md's snippets use without declaring it: the things a reader already has at that
// point of the guide (the quick start's client and Cpu model, an Arrow table, points to write).
// Checked by scripts/check-readme-snippets.mjs; keep it short.
import type { Table } from 'apache-arrow';
import type { InfluxDBClient, Point, SeriesModel } from 'influx-models';

declare global {
  /** An open client, as made in the quick start. */
  const client: InfluxDBClient;
  /** The quick start's model. */
  class Cpu extends SeriesModel<Cpu> {
    host: string;
    usage: number;
    cores: number;
    time?: Date;
  }
  /** An Apache Arrow table. */
  const table: Table;
  /** Points to write. */
  const points: Point[];
}
