import type { ConditionNode, MeasurementNode, SelectNode } from './select-ast.js';

/** `SHOW DATABASES`. */
export interface ShowDatabasesNode {
  readonly kind: 'showDatabases';
}

/** `SHOW MEASUREMENTS [ON db] [WITH MEASUREMENT =|=~ …] [LIMIT n] [OFFSET n]`. */
export interface ShowMeasurementsNode {
  readonly kind: 'showMeasurements';
  readonly database: string | undefined;
  readonly name: { readonly op: '=' | '=~' | '!~' | '!='; readonly value: string } | undefined;
  readonly limit: number | undefined;
  readonly offset: number | undefined;
}

/** `SHOW TAG KEYS`, `SHOW FIELD KEYS`, `SHOW SERIES` `[ON db] [FROM m]`. */
export interface ShowKeysNode {
  readonly kind: 'showTagKeys' | 'showFieldKeys' | 'showSeries';
  readonly database: string | undefined;
  readonly from: MeasurementNode | undefined;
  readonly where: readonly ConditionNode[];
}

/** `SHOW TAG VALUES [ON db] [FROM m] WITH KEY = "k" | IN ("a", "b") | =~ /re/ [WHERE …]`. */
export interface ShowTagValuesNode {
  readonly kind: 'showTagValues';
  readonly database: string | undefined;
  readonly from: MeasurementNode | undefined;
  readonly key:
    | { readonly op: '=' | '!='; readonly names: readonly string[] }
    | { readonly op: 'in'; readonly names: readonly string[] }
    | { readonly op: '=~' | '!~'; readonly regex: string };
  readonly where: readonly ConditionNode[];
}

/** `SHOW RETENTION POLICIES [ON db]`. */
export interface ShowRetentionPoliciesNode {
  readonly kind: 'showRetentionPolicies';
  readonly database: string | undefined;
}

/** `CREATE DATABASE name` / `DROP DATABASE name` / `DROP MEASUREMENT name`. */
export interface NamedNode {
  readonly kind: 'createDatabase' | 'dropDatabase' | 'dropMeasurement';
  readonly name: string;
}

/** `DROP SERIES [FROM m] [WHERE tags]` / `DELETE [FROM m] [WHERE tags and time]`. */
export interface DeleteNode {
  readonly kind: 'dropSeries' | 'delete';
  readonly from: MeasurementNode | undefined;
  readonly where: readonly ConditionNode[];
}

/** `CREATE RETENTION POLICY name ON db DURATION d REPLICATION n [SHARD DURATION d] [DEFAULT]`. */
export interface CreateRetentionPolicyNode {
  readonly kind: 'createRetentionPolicy';
  readonly name: string;
  readonly database: string;
  /** Nanoseconds; 0n = INF. */
  readonly duration: bigint;
  readonly replication: number;
  readonly shardDuration: bigint | undefined;
  readonly makeDefault: boolean;
}

/** `DROP RETENTION POLICY name ON db`. */
export interface DropRetentionPolicyNode {
  readonly kind: 'dropRetentionPolicy';
  readonly name: string;
  readonly database: string;
}

/** Every statement the parser reads. */
export type StatementNode =
  | SelectNode
  | ShowDatabasesNode
  | ShowMeasurementsNode
  | ShowKeysNode
  | ShowTagValuesNode
  | ShowRetentionPoliciesNode
  | NamedNode
  | DeleteNode
  | CreateRetentionPolicyNode
  | DropRetentionPolicyNode;
