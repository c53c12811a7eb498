/**
 * `influx-models/testing`: helpers for tests — a throwaway real InfluxDB and an in-memory sink.
 */

export type { InfluxdHandle, StartInfluxdOptions } from './influxd.js';
export { findInfluxd, freeTcpPort, freeUdpPort, startInfluxd } from './influxd.js';
export { MemoryInflux, type MemoryInfluxOptions } from './memory-influx.js';
export { MemorySink, type RecordedCommit } from './memory-sink.js';
