export type { Privilege } from '../influxql/literals.js';
export type { ResampleOptions } from './admin-api.js';
export {
  type AlterRetentionPolicyOptions,
  type ContinuousQueryInfo,
  type CreateContinuousQueryOptions,
  type CreateRetentionPolicyOptions,
  type DatabaseOption,
  type FieldKeyInfo,
  type FieldKeysOptions,
  InfluxAdminApi,
  type KeysOptions,
  type PrivilegeInfo,
  type RetentionPolicyInfo,
  type SeriesFilter,
  type SeriesTags,
  type TagKeyInfo,
  type UserInfo,
} from './admin-api.js';
export type {
  InfluxDBClientOptions,
  QueryOptions,
  WriteOptions,
  WritePointsOptions,
} from './client-options.js';
export { parseDsn } from './dsn.js';
export type { HostOptions, HostState } from './host-pool.js';
export type { AbortedRequest } from './http-transport.js';
export {
  type CloseReport,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_REQUEST_TIMEOUT,
  InfluxDBClient,
  type InfluxDBClientConfig,
  type InfluxResponse,
  type RequestOptions,
  type SendPacketOptions,
} from './influxdb-client.js';
export type { FlushReport, ReplicaBacklog } from './replicated-writer.js';
export { parseRetryAfter, type RetryOptions, RetryPolicy, type RetrySettings } from './retry-policy.js';
export {
  DEFAULT_MAX_DATAGRAM_BYTES,
  MAX_UDP_PAYLOAD,
  UdpSender,
  type UdpSenderOptions,
  type UdpSendOptions,
} from './udp-sender.js';
