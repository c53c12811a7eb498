import type { PrivilegeName } from './literals.js';
import type { ConditionNode, MeasurementNode, SelectNode } from './select-ast.js';

/*
 * Every InfluxQL statement the library sends or reads, as plain frozen-shaped objects: built by the
 * admin helpers, the repository, the query builder, Arrow's frame client and the test server, read
 * by the parser (`parser.ts`) and the in-memory engine, and turned into text only by the compiler
 * (`compiler.ts`). Names are kept unquoted and values unescaped: the compiler quotes and checks
 * them. Durations are kept as their InfluxQL literal text (`'1d'`, `'1h30m'`, `'INF'`), so a
 * statement is sent exactly as its caller wrote it; `parseDuration` gives their nanoseconds.
 */

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

/** `SHOW TAG KEYS`, `SHOW FIELD KEYS`, `SHOW SERIES` `[ON db] [FROM m] [WHERE …]` (WHERE: SERIES only). */
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

/** The `SHOW` statements that take no argument, by kind. */
export const SHOW_KEYWORDS = {
  showUsers: 'USERS',
  showContinuousQueries: 'CONTINUOUS QUERIES',
  showQueries: 'QUERIES',
  showShards: 'SHARDS',
  showShardGroups: 'SHARD GROUPS',
  showSubscriptions: 'SUBSCRIPTIONS',
  showStats: 'STATS',
  showDiagnostics: 'DIAGNOSTICS',
} as const;

/** `SHOW USERS`, `SHOW CONTINUOUS QUERIES`, `SHOW QUERIES`, `SHOW SHARDS`, … (no argument). */
export interface ShowSimpleNode {
  readonly kind: keyof typeof SHOW_KEYWORDS;
}

/** `SHOW GRANTS FOR user`. */
export interface ShowGrantsNode {
  readonly kind: 'showGrants';
  readonly user: string;
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
  /** Duration literal, or `'INF'` (keep forever). */
  readonly duration: string;
  readonly replication: number;
  /** Shard group duration literal; `'0s'` lets the server choose. */
  readonly shardDuration: string | undefined;
  readonly makeDefault: boolean;
}

/** `ALTER RETENTION POLICY name ON db [DURATION d] [SHARD DURATION d] [REPLICATION n] [DEFAULT]` (at least one). */
export interface AlterRetentionPolicyNode {
  readonly kind: 'alterRetentionPolicy';
  readonly name: string;
  readonly database: string;
  readonly duration: string | undefined;
  readonly shardDuration: string | undefined;
  readonly replication: number | undefined;
  readonly makeDefault: boolean;
}

/** `DROP RETENTION POLICY name ON db`. */
export interface DropRetentionPolicyNode {
  readonly kind: 'dropRetentionPolicy';
  readonly name: string;
  readonly database: string;
}

/** `CREATE USER name WITH PASSWORD 'pw' [WITH ALL PRIVILEGES]`. */
export interface CreateUserNode {
  readonly kind: 'createUser';
  readonly name: string;
  readonly password: string;
  readonly admin: boolean;
}

/** `SET PASSWORD FOR user = 'pw'`. */
export interface SetPasswordNode {
  readonly kind: 'setPassword';
  readonly user: string;
  readonly password: string;
}

/** `DROP USER name`, `GRANT ALL PRIVILEGES TO user`, `REVOKE ALL PRIVILEGES FROM user`. */
export interface UserNode {
  readonly kind: 'dropUser' | 'grantAdmin' | 'revokeAdmin';
  readonly user: string;
}

/** `GRANT privilege ON db TO user` / `REVOKE privilege ON db FROM user`. */
export interface GrantNode {
  readonly kind: 'grant' | 'revoke';
  readonly privilege: PrivilegeName;
  readonly database: string;
  readonly user: string;
}

/**
 * A SELECT statement given as text by a caller (`createContinuousQuery(name, 'SELECT …')`): sent
 * verbatim once the lexer has checked it is exactly one SELECT the server can read.
 */
export interface RawSelectNode {
  readonly kind: 'rawSelect';
  readonly text: string;
}

/** `CREATE CONTINUOUS QUERY name ON db [RESAMPLE [EVERY d] [FOR d]] BEGIN select END`. */
export interface CreateContinuousQueryNode {
  readonly kind: 'createContinuousQuery';
  readonly name: string;
  readonly database: string;
  /** `RESAMPLE EVERY … FOR …`; at least one part when present. */
  readonly resample: { readonly every: string | undefined; readonly for: string | undefined } | undefined;
  /** The query; a {@link SelectNode} is written with its values inline (the server stores the text). */
  readonly query: SelectNode | RawSelectNode;
}

/** `DROP CONTINUOUS QUERY name ON db`. */
export interface DropContinuousQueryNode {
  readonly kind: 'dropContinuousQuery';
  readonly name: string;
  readonly database: string;
}

/** `KILL QUERY id [ON host]`. */
export interface KillQueryNode {
  readonly kind: 'killQuery';
  readonly id: number;
  readonly host: string | undefined;
}

/** Every statement the library sends, and the parser reads. */
export type StatementNode =
  | SelectNode
  | ShowDatabasesNode
  | ShowMeasurementsNode
  | ShowKeysNode
  | ShowTagValuesNode
  | ShowRetentionPoliciesNode
  | ShowSimpleNode
  | ShowGrantsNode
  | NamedNode
  | DeleteNode
  | CreateRetentionPolicyNode
  | AlterRetentionPolicyNode
  | DropRetentionPolicyNode
  | CreateUserNode
  | SetPasswordNode
  | UserNode
  | GrantNode
  | CreateContinuousQueryNode
  | DropContinuousQueryNode
  | KillQueryNode;
