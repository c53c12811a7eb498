export type {
  InfluxDBClientOptions,
  QueryOptions,
  WriteOptions,
  WritePointsOptions,
} from './client-options.js';
export { parseDsn } from './dsn.js';
export {
  InfluxDBClient,
  type InfluxDBClientConfig,
  type InfluxResponse,
  type RequestOptions,
  type SendPacketOptions,
} from './influxdb-client.js';
export { UdpSender } from './udp-sender.js';
