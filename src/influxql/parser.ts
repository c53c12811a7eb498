import { InfluxDBClientError, InfluxUnsupportedQueryError } from '../errors.js';
import { parseRfc3339 } from '../line-protocol/time.js';
import { durationPartsNanos } from './duration.js';
import { isSignificant, splitStatements, type Token, tokenize } from './lexer.js';
import { checkPrivilege, validationFail } from './literals.js';
import type {
  ComparisonOperator,
  ConditionNode,
  ExprNode,
  FillNode,
  GroupByNode,
  IntoNode,
  KeyRefNode,
  MeasurementNode,
  ScalarValue,
  SelectItemNode,
  SelectNode,
  SubqueryNode,
  TimeValueNode,
} from './select-ast.js';
import {
  type CreateContinuousQueryNode,
  SHOW_KEYWORDS,
  type ShowSimpleNode,
  type StatementNode,
} from './statement-ast.js';

/** Values of `$name` placeholders (the client's `bindParams`). */
export type ParseParams = Readonly<Record<string, string | number | bigint | boolean>>;

/**
 * Nanoseconds of an InfluxQL duration literal (`5m`, `1h30m`, `500ms`, `-1h`).
 *
 * ```ts
 * parseDuration('1h30m'); // 5400000000000n
 * ```
 */
export function parseDuration(text: string): bigint {
  const negative = text.startsWith('-');
  const total = durationPartsNanos(negative ? text.slice(1) : text, false);
  if (total === undefined) throw new InfluxDBClientError(`error parsing query: invalid duration ${text}`);
  return negative ? -total : total;
}

/**
 * Parses InfluxQL text into statement nodes: `SELECT` into the same {@link SelectNode} the query
 * builder produces (bound `$name` values are resolved from `params`), and the `SHOW`, `CREATE`,
 * `ALTER`, `DROP`, `DELETE`, `SET PASSWORD`, `GRANT`, `REVOKE` and `KILL QUERY` statements of
 * {@link StatementNode} (the nodes the compiler writes back as text). Syntax errors throw
 * `InfluxDBClientError` ("error parsing query: …"); valid InfluxQL outside what the parser knows
 * throws `InfluxUnsupportedQueryError` naming the part.
 *
 * ```ts
 * parseStatements('SELECT mean("usage") AS "avg" FROM "cpu" WHERE "host" = $h GROUP BY time(5m)', { h: 'a' });
 * // [{ kind: 'select', fields: [{ expr: { kind: 'call', name: 'mean', args: [{ kind: 'key', key: 'usage' }] },
 * //    alias: 'avg' }], from: { kind: 'measurement', name: 'cpu', … }, where: [{ kind: 'comparison',
 * //    left: { kind: 'key', key: 'host' }, op: '=', value: 'a' }], groupBy: { time: { interval: '5m', … } }, … }]
 * ```
 */
export function parseStatements(text: string, params: ParseParams = {}): StatementNode[] {
  return splitStatements(text).map((s) => new Parser(s.text, params).statement());
}

/** Parses a text of exactly one SELECT statement. */
export function parseSelect(text: string, params: ParseParams = {}): SelectNode {
  const all = parseStatements(text, params);
  if (all.length !== 1 || all[0]!.kind !== 'select') {
    throw new InfluxDBClientError('error parsing query: expected exactly one SELECT statement');
  }
  return all[0] as SelectNode;
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  /** A WHERE time string without a zone was read (as UTC; influxd reads it in the tz() zone). */
  private zoneless = false;

  constructor(
    private readonly text: string,
    private readonly params: ParseParams,
  ) {
    this.tokens = tokenize(text).filter(isSignificant);
    const bad = this.tokens.find((t) => t.kind === 'illegal');
    if (bad) this.fail(`${bad.error ?? 'illegal token'} at ${bad.start}`);
  }

  // --- token helpers ----------------------------------------------------------------------------

  private fail(why: string): never {
    throw new InfluxDBClientError(`error parsing query: ${why}`);
  }

  private unsupported(what: string): never {
    throw new InfluxUnsupportedQueryError(what);
  }

  private peek(k = 0): Token | undefined {
    return this.tokens[this.i + k];
  }

  private next(): Token {
    const t = this.tokens[this.i++];
    if (t === undefined) this.fail('unexpected end of statement');
    return t;
  }

  private isKeyword(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.kind === 'keyword' && t.value === word;
  }

  private acceptKeyword(word: string): boolean {
    if (this.isKeyword(word)) {
      this.i++;
      return true;
    }
    return false;
  }

  private expectKeyword(word: string): void {
    const t = this.peek();
    if (!this.acceptKeyword(word)) this.fail(`found ${t?.text ?? 'EOF'}, expected ${word}`);
  }

  private isPunct(p: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && (t.kind === 'punctuation' || t.kind === 'operator') && t.value === p;
  }

  private acceptPunct(p: string): boolean {
    if (this.isPunct(p)) {
      this.i++;
      return true;
    }
    return false;
  }

  private expectPunct(p: string): void {
    const t = this.peek();
    if (!this.acceptPunct(p)) this.fail(`found ${t?.text ?? 'EOF'}, expected ${p}`);
  }

  private ident(): string {
    const t = this.next();
    if (t.kind === 'identifier' || t.kind === 'quotedIdentifier') return t.value;
    return this.fail(`found ${t.text}, expected identifier`);
  }

  private isIdent(k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && (t.kind === 'identifier' || t.kind === 'quotedIdentifier');
  }

  private int(): number {
    const t = this.next();
    if (t.kind !== 'integer') this.fail(`found ${t.text}, expected integer`);
    const n = Number(t.value || t.text);
    if (!Number.isSafeInteger(n)) this.unsupported(`integer ${t.text} beyond 2^53 in LIMIT/OFFSET`);
    return n;
  }

  private done(): void {
    const t = this.peek();
    if (t !== undefined) this.fail(`found ${t.text}, expected end of statement`);
  }

  // --- statements -------------------------------------------------------------------------------

  statement(): StatementNode {
    const t = this.peek();
    if (t === undefined) this.fail('empty statement');
    let node: StatementNode;
    if (this.isKeyword('SELECT')) node = this.select();
    else if (this.acceptKeyword('SHOW')) node = this.show();
    else if (this.acceptKeyword('CREATE')) node = this.create();
    else if (this.acceptKeyword('DROP')) node = this.drop();
    else if (this.acceptKeyword('DELETE')) node = this.deleteStatement('delete');
    else if (this.acceptKeyword('ALTER')) node = this.alter();
    else if (this.acceptKeyword('SET')) node = this.setPassword();
    else if (this.acceptKeyword('GRANT')) node = this.grant('grant');
    else if (this.acceptKeyword('REVOKE')) node = this.grant('revoke');
    else if (this.acceptKeyword('KILL')) node = this.kill();
    else return this.unsupported(`statement ${t.text.toUpperCase()}`);
    this.done();
    return node;
  }

  private onDatabase(): string | undefined {
    return this.acceptKeyword('ON') ? this.ident() : undefined;
  }

  private show(): StatementNode {
    if (this.acceptKeyword('DATABASES')) return { kind: 'showDatabases' };
    for (const [kind, words] of Object.entries(SHOW_KEYWORDS) as Array<[ShowSimpleNode['kind'], string]>) {
      const parts = words.split(' ');
      if (parts.every((w, k) => this.isKeyword(w, k))) {
        this.i += parts.length;
        return { kind };
      }
    }
    if (this.acceptKeyword('GRANTS')) {
      this.expectKeyword('FOR');
      return { kind: 'showGrants', user: this.ident() };
    }
    if (this.acceptKeyword('MEASUREMENTS')) {
      const database = this.onDatabase();
      let name: { op: '=' | '=~' | '!~' | '!='; value: string } | undefined;
      if (this.acceptKeyword('WITH')) {
        this.expectKeyword('MEASUREMENT');
        const op = this.next();
        if (op.value === '=~' || op.value === '!~') {
          const r = this.next();
          if (r.kind !== 'regex') this.fail(`found ${r.text}, expected regex`);
          name = { op: op.value, value: r.value };
        } else if (op.value === '=') name = { op: op.value, value: this.ident() };
        if (name === undefined || name.op === '!~') this.fail(`found ${op.text}, expected =, =~`);
      }
      if (this.isKeyword('WHERE')) this.unsupported('SHOW MEASUREMENTS … WHERE');
      const limit = this.acceptKeyword('LIMIT') ? this.int() : undefined;
      const offset = this.acceptKeyword('OFFSET') ? this.int() : undefined;
      return { kind: 'showMeasurements', database, name, limit, offset };
    }
    if (this.acceptKeyword('RETENTION')) {
      this.expectKeyword('POLICIES');
      return { kind: 'showRetentionPolicies', database: this.onDatabase() };
    }
    let kind: 'showTagKeys' | 'showFieldKeys' | 'showSeries' | 'showTagValues';
    if (this.acceptKeyword('TAG')) {
      if (this.acceptKeyword('KEYS')) kind = 'showTagKeys';
      else {
        this.expectKeyword('VALUES');
        kind = 'showTagValues';
      }
    } else if (this.acceptKeyword('FIELD')) {
      this.expectKeyword('KEYS');
      kind = 'showFieldKeys';
    } else if (this.acceptKeyword('SERIES')) kind = 'showSeries';
    else return this.unsupported(`statement SHOW ${this.peek()?.text ?? ''}`);
    const database = this.onDatabase();
    let from: MeasurementNode | undefined;
    if (this.acceptKeyword('FROM')) {
      const src = this.source();
      if (src.kind === 'subquery') this.fail('subquery not allowed in SHOW');
      from = src;
    }
    if (kind === 'showTagValues') {
      this.expectKeyword('WITH');
      this.expectKeyword('KEY');
      let key: ShowTagValuesKey;
      if (this.acceptKeyword('IN')) {
        this.expectPunct('(');
        const names = [this.ident()];
        while (this.acceptPunct(',')) names.push(this.ident());
        this.expectPunct(')');
        key = { op: 'in', names };
      } else {
        const op = this.next();
        if (op.value === '=~' || op.value === '!~') {
          const r = this.next();
          if (r.kind !== 'regex') this.fail(`found ${r.text}, expected regex`);
          key = { op: op.value, regex: r.value };
        } else if (op.value === '=' || op.value === '!=') key = { op: op.value, names: [this.ident()] };
        else return this.fail(`found ${op.text}, expected =, !=, =~, !~ or IN`);
      }
      const where = this.acceptKeyword('WHERE') ? this.conditionList() : [];
      this.noShowTail();
      return { kind, database, from, key, where };
    }
    const where = this.acceptKeyword('WHERE') ? this.conditionList() : [];
    if (where.length > 0 && kind !== 'showSeries')
      this.unsupported(`SHOW ${kind === 'showTagKeys' ? 'TAG' : 'FIELD'} KEYS … WHERE`);
    this.noShowTail();
    return { kind, database, from, where };
  }

  private noShowTail(): void {
    for (const w of ['LIMIT', 'OFFSET', 'SLIMIT', 'SOFFSET', 'ORDER', 'GROUP']) {
      if (this.isKeyword(w)) this.unsupported(`${w} in SHOW statements`);
    }
  }

  private create(): StatementNode {
    if (this.acceptKeyword('DATABASE')) {
      const name = this.ident();
      if (this.isKeyword('WITH')) this.unsupported('CREATE DATABASE … WITH');
      return { kind: 'createDatabase', name };
    }
    if (this.acceptKeyword('USER')) {
      const name = this.ident();
      this.expectKeyword('WITH');
      this.expectKeyword('PASSWORD');
      const password = this.string();
      let admin = false;
      if (this.acceptKeyword('WITH')) {
        this.expectKeyword('ALL');
        this.expectKeyword('PRIVILEGES');
        admin = true;
      }
      return { kind: 'createUser', name, password, admin };
    }
    if (this.acceptKeyword('CONTINUOUS')) return this.createContinuousQuery();
    if (this.acceptKeyword('RETENTION')) {
      this.expectKeyword('POLICY');
      const name = this.ident();
      this.expectKeyword('ON');
      const database = this.ident();
      this.expectKeyword('DURATION');
      const duration = this.rpDuration();
      this.expectKeyword('REPLICATION');
      const replication = this.int();
      let shardDuration: string | undefined;
      if (this.acceptKeyword('SHARD')) {
        this.expectKeyword('DURATION');
        shardDuration = this.rpDuration();
      }
      const makeDefault = this.acceptKeyword('DEFAULT');
      return {
        kind: 'createRetentionPolicy',
        name,
        database,
        duration,
        replication,
        shardDuration,
        makeDefault,
      };
    }
    return this.unsupported(`statement CREATE ${this.peek()?.text ?? ''}`);
  }

  /** A duration literal's text (checked), or `INF` where `infinite`. */
  private rpDuration(infinite = true): string {
    const t = this.next();
    if (infinite && t.kind === 'keyword' && t.value === 'INF') return 'INF';
    if (t.kind !== 'duration') this.fail(`found ${t.text}, expected duration`);
    parseDuration(t.text);
    return t.text;
  }

  private string(): string {
    const t = this.next();
    if (t.kind !== 'string') this.fail(`found ${t.text}, expected string`);
    return t.value;
  }

  private createContinuousQuery(): CreateContinuousQueryNode {
    this.expectKeyword('QUERY');
    const name = this.ident();
    this.expectKeyword('ON');
    const database = this.ident();
    let resample: CreateContinuousQueryNode['resample'];
    if (this.acceptKeyword('RESAMPLE')) {
      const every = this.acceptKeyword('EVERY') ? this.rpDuration(false) : undefined;
      const forPart = this.acceptKeyword('FOR') ? this.rpDuration(false) : undefined;
      if (every === undefined && forPart === undefined) this.fail('RESAMPLE needs EVERY, FOR or both');
      resample = { every, for: forPart };
    }
    this.expectKeyword('BEGIN');
    const query = this.select();
    this.expectKeyword('END');
    return { kind: 'createContinuousQuery', name, database, resample, query };
  }

  private alter(): StatementNode {
    if (!this.acceptKeyword('RETENTION'))
      return this.unsupported(`statement ALTER ${this.peek()?.text ?? ''}`);
    this.expectKeyword('POLICY');
    const name = this.ident();
    this.expectKeyword('ON');
    const database = this.ident();
    let duration: string | undefined;
    let shardDuration: string | undefined;
    let replication: number | undefined;
    let makeDefault = false;
    for (let any = false; ; any = true) {
      if (this.acceptKeyword('DURATION')) duration = this.rpDuration();
      else if (this.acceptKeyword('SHARD')) {
        this.expectKeyword('DURATION');
        shardDuration = this.rpDuration(false);
      } else if (this.acceptKeyword('REPLICATION')) replication = this.int();
      else if (this.acceptKeyword('DEFAULT')) makeDefault = true;
      else {
        if (!any)
          this.fail(`found ${this.peek()?.text ?? 'EOF'}, expected DURATION, SHARD, REPLICATION or DEFAULT`);
        break;
      }
    }
    return {
      kind: 'alterRetentionPolicy',
      name,
      database,
      duration,
      shardDuration,
      replication,
      makeDefault,
    };
  }

  private setPassword(): StatementNode {
    this.expectKeyword('PASSWORD');
    this.expectKeyword('FOR');
    const user = this.ident();
    this.expectPunct('=');
    return { kind: 'setPassword', user, password: this.string() };
  }

  private grant(kind: 'grant' | 'revoke'): StatementNode {
    const to = kind === 'grant' ? 'TO' : 'FROM';
    const t = this.next();
    const word = t.kind === 'keyword' ? t.value : '';
    if (word === 'ALL') this.acceptKeyword('PRIVILEGES');
    else if (word !== 'READ' && word !== 'WRITE') this.fail(`found ${t.text}, expected READ, WRITE or ALL`);
    if (word === 'ALL' && this.acceptKeyword(to)) {
      return { kind: kind === 'grant' ? 'grantAdmin' : 'revokeAdmin', user: this.ident() };
    }
    this.expectKeyword('ON');
    const database = this.ident();
    this.expectKeyword(to);
    const privilege = checkPrivilege(word, validationFail(kind, 'privilege'));
    return { kind, privilege, database, user: this.ident() };
  }

  private kill(): StatementNode {
    this.expectKeyword('QUERY');
    const id = this.int();
    return { kind: 'killQuery', id, host: this.acceptKeyword('ON') ? this.ident() : undefined };
  }

  private drop(): StatementNode {
    if (this.acceptKeyword('DATABASE')) return { kind: 'dropDatabase', name: this.ident() };
    if (this.acceptKeyword('USER')) return { kind: 'dropUser', user: this.ident() };
    if (this.acceptKeyword('CONTINUOUS')) {
      this.expectKeyword('QUERY');
      const name = this.ident();
      this.expectKeyword('ON');
      return { kind: 'dropContinuousQuery', name, database: this.ident() };
    }
    if (this.acceptKeyword('MEASUREMENT')) return { kind: 'dropMeasurement', name: this.ident() };
    if (this.acceptKeyword('SERIES')) return this.deleteStatement('dropSeries');
    if (this.acceptKeyword('RETENTION')) {
      this.expectKeyword('POLICY');
      const name = this.ident();
      this.expectKeyword('ON');
      return { kind: 'dropRetentionPolicy', name, database: this.ident() };
    }
    return this.unsupported(`statement DROP ${this.peek()?.text ?? ''}`);
  }

  private deleteStatement(kind: 'dropSeries' | 'delete'): StatementNode {
    let from: MeasurementNode | undefined;
    if (this.acceptKeyword('FROM')) {
      const src = this.source();
      if (src.kind === 'subquery') this.fail('subquery not allowed here');
      from = src;
      if (this.isPunct(',')) this.unsupported('several measurements in DROP SERIES/DELETE');
    }
    const where = this.acceptKeyword('WHERE') ? this.conditionList() : [];
    if (from === undefined && where.length === 0) this.fail('DROP SERIES/DELETE needs FROM or WHERE');
    return { kind, from, where };
  }

  // --- SELECT -------------------------------------------------------------------------------------

  private select(): SelectNode {
    this.expectKeyword('SELECT');
    const fields: SelectItemNode[] = [];
    do {
      const expr = this.expr();
      let alias: string | undefined;
      if (this.acceptKeyword('AS')) alias = this.ident();
      fields.push({ expr, alias });
    } while (this.acceptPunct(','));
    let into: IntoNode | undefined;
    if (this.acceptKeyword('INTO')) into = this.into();
    this.expectKeyword('FROM');
    const from = this.source();
    if (this.isPunct(',')) this.unsupported('several sources in FROM');
    const where = this.acceptKeyword('WHERE') ? this.conditionList() : [];
    let groupBy: GroupByNode | undefined;
    if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY');
      let time: GroupByNode['time'];
      const tags: string[] = [];
      let all = false;
      do {
        if (this.isIdent() && this.peek()!.value.toLowerCase() === 'time' && this.isPunct('(', 1)) {
          this.i += 2;
          if (time !== undefined) this.fail('multiple time dimensions');
          const iv = this.next();
          if (iv.kind !== 'duration') this.fail(`time dimension expected a duration, found ${iv.text}`);
          let offset: string | undefined;
          if (this.acceptPunct(',')) {
            const neg = this.acceptPunct('-');
            const o = this.next();
            if (o.kind !== 'duration') this.unsupported(`GROUP BY time offset ${o.text} (only durations)`);
            offset = neg ? `-${o.text}` : o.text;
          }
          this.expectPunct(')');
          time = { interval: iv.text, offset };
        } else if (this.acceptPunct('*')) all = true;
        else if (this.peek()?.kind === 'regex') this.unsupported('GROUP BY /regex/');
        else tags.push(this.ident());
      } while (this.acceptPunct(','));
      groupBy = { time, tags, all };
    }
    let fill: FillNode | undefined;
    if (this.isIdent() && this.peek()!.value.toLowerCase() === 'fill' && this.isPunct('(', 1)) {
      this.i += 2;
      const t = this.next();
      const neg = t.value === '-';
      const v = neg ? this.next() : t;
      if (v.kind === 'integer') fill = { value: BigInt(neg ? `-${v.text}` : v.text) };
      else if (v.kind === 'number') fill = { value: Number(neg ? `-${v.text}` : v.text) };
      else if (!neg && (v.kind === 'identifier' || v.kind === 'keyword')) {
        const w = v.value.toLowerCase();
        if (w === 'null' || w === 'none' || w === 'previous' || w === 'linear') fill = w;
        else this.fail(`unknown fill option ${v.text}`);
      } else this.fail(`unknown fill option ${v.text}`);
      this.expectPunct(')');
    }
    let orderDesc = false;
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      const f = this.ident();
      if (f.toLowerCase() !== 'time') this.fail('only ORDER BY time supported at this time');
      if (this.acceptKeyword('DESC')) orderDesc = true;
      else this.acceptKeyword('ASC');
      if (this.isPunct(',')) this.fail('only ORDER BY time supported at this time');
    }
    const limit = this.acceptKeyword('LIMIT') ? this.int() : undefined;
    const offset = this.acceptKeyword('OFFSET') ? this.int() : undefined;
    const slimit = this.acceptKeyword('SLIMIT') ? this.int() : undefined;
    const soffset = this.acceptKeyword('SOFFSET') ? this.int() : undefined;
    let tz: string | undefined;
    if (this.isIdent() && this.peek()!.value.toLowerCase() === 'tz' && this.isPunct('(', 1)) {
      this.i += 2;
      const s = this.next();
      if (s.kind !== 'string') this.fail(`tz() expects a string, found ${s.text}`);
      tz = s.value;
      this.expectPunct(')');
      if (this.zoneless && tz !== 'UTC') {
        this.unsupported(
          `a WHERE time string without a zone offset under tz('${tz}') (influxd reads it in that zone)`,
        );
      }
    }
    return {
      kind: 'select',
      fields,
      into,
      from,
      where,
      groupBy,
      fill,
      orderDesc,
      limit,
      offset,
      slimit,
      soffset,
      tz,
    };
  }

  private into(): IntoNode {
    const parts: Array<string | undefined> = [];
    let back = false;
    // influxd needs at least one name before `:MEASUREMENT` (`INTO "rp".:MEASUREMENT`).
    if (this.isPunct(':')) this.fail('found :, expected identifier');
    for (;;) {
      if (this.acceptPunct(':')) {
        this.expectKeyword('MEASUREMENT');
        back = true;
        parts.push(undefined);
        break;
      }
      if (this.isPunct('.')) parts.push(undefined);
      else parts.push(this.ident());
      if (!this.acceptPunct('.')) break;
    }
    if (parts.length > 3) this.fail('too many name parts in INTO');
    const measurement = parts[parts.length - 1];
    if (measurement === undefined && !back) this.fail('INTO needs a measurement');
    const database = parts.length === 3 ? parts[0] : undefined;
    const retentionPolicy = parts.length === 3 ? parts[1] : parts.length === 2 ? parts[0] : undefined;
    return { database, retentionPolicy, measurement };
  }

  private source(): MeasurementNode | SubqueryNode {
    if (this.acceptPunct('(')) {
      const query = this.select();
      this.expectPunct(')');
      return { kind: 'subquery', query };
    }
    const parts: Array<{ name?: string; regex?: string } | undefined> = [];
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'regex') {
        this.i++;
        parts.push({ regex: t.value });
      } else if (this.isPunct('.')) parts.push(undefined);
      else parts.push({ name: this.ident() });
      if (!this.acceptPunct('.')) break;
    }
    if (parts.length > 3) this.fail('too many name parts in FROM');
    const last = parts[parts.length - 1];
    if (last === undefined) this.fail('FROM needs a measurement');
    for (const p of parts.slice(0, -1))
      if (p?.regex !== undefined) this.fail('regex database or retention policy');
    const database = parts.length === 3 ? parts[0]?.name : undefined;
    const retentionPolicy =
      parts.length === 3 ? parts[1]?.name : parts.length === 2 ? parts[0]?.name : undefined;
    return { kind: 'measurement', database, retentionPolicy, name: last.name, regex: last.regex };
  }

  // --- select expressions -----------------------------------------------------------------------

  private expr(): ExprNode {
    let left = this.term();
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'operator' && (t.value === '+' || t.value === '-')) {
        this.i++;
        left = { kind: 'arithmetic', op: t.value, left, right: this.term() };
      } else return left;
    }
  }

  private term(): ExprNode {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'operator' && (t.value === '*' || t.value === '/' || t.value === '%')) {
        this.i++;
        left = { kind: 'arithmetic', op: t.value, left, right: this.unary() };
      } else if (t?.kind === 'operator' && (t.value === '&' || t.value === '|' || t.value === '^')) {
        this.unsupported(`bitwise operator ${t.value}`);
      } else return left;
    }
  }

  private unary(): ExprNode {
    if (this.isPunct('-')) {
      this.i++;
      const t = this.peek();
      if (t?.kind === 'integer') {
        this.i++;
        return { kind: 'number', value: intValue(`-${t.text}`), integer: true };
      }
      if (t?.kind === 'number') {
        this.i++;
        return { kind: 'number', value: Number(`-${t.text}`), integer: false };
      }
      return {
        kind: 'arithmetic',
        op: '*',
        left: { kind: 'number', value: -1, integer: true },
        right: this.unary(),
      };
    }
    return this.primary();
  }

  private cast(): 'tag' | 'field' | undefined {
    if (!this.acceptPunct('::')) return undefined;
    const t = this.next();
    const w = t.value.toLowerCase();
    if (w === 'tag' || w === 'field') return w;
    return this.unsupported(`cast ::${t.text}`);
  }

  private primary(): ExprNode {
    const t = this.next();
    switch (t.kind) {
      case 'integer':
        return { kind: 'number', value: intValue(t.text), integer: true };
      case 'number':
        return { kind: 'number', value: Number(t.text), integer: false };
      case 'duration':
        return { kind: 'duration', value: t.text };
      case 'operator':
        if (t.value === '*') {
          const cast = this.cast();
          return cast === undefined ? { kind: 'wildcard' } : { kind: 'wildcard', cast };
        }
        break;
      case 'punctuation':
        if (t.value === '(') {
          const e = this.expr();
          this.expectPunct(')');
          return e;
        }
        break;
      case 'regex':
        return this.unsupported('regular expression in the SELECT list');
      case 'string':
        return this.unsupported('string literal in the SELECT list');
      case 'boundParam':
        return this.unsupported('bound parameter in the SELECT list');
      case 'identifier':
        if (this.isPunct('(')) {
          this.i++;
          const args: ExprNode[] = [];
          if (!this.isPunct(')')) {
            do {
              if (this.peek()?.kind === 'regex') this.unsupported(`regex argument of ${t.value}()`);
              args.push(this.expr());
            } while (this.acceptPunct(','));
          }
          this.expectPunct(')');
          return { kind: 'call', name: t.value.toLowerCase(), args };
        }
        return this.keyRef(t.value);
      case 'quotedIdentifier':
        return this.keyRef(t.value);
      default:
        break;
    }
    if (t.kind === 'keyword' && t.value === 'DISTINCT') {
      // `distinct(f)` (a keyword in InfluxQL) or `DISTINCT f`, both the call distinct(f).
      if (this.acceptPunct('(')) {
        const arg = this.expr();
        this.expectPunct(')');
        return { kind: 'call', name: 'distinct', args: [arg] };
      }
      const n = this.next();
      if (n.kind !== 'identifier' && n.kind !== 'quotedIdentifier')
        this.fail(`found ${n.text}, expected field`);
      return { kind: 'call', name: 'distinct', args: [this.keyRef(n.value)] };
    }
    if (t.kind === 'keyword' && (t.value === 'TRUE' || t.value === 'FALSE')) {
      this.unsupported('boolean literal in the SELECT list');
    }
    return this.fail(`found ${t.text}, expected field, function or number`);
  }

  private keyRef(key: string): KeyRefNode {
    const cast = this.cast();
    return cast === undefined ? { kind: 'key', key } : { kind: 'key', key, cast };
  }

  // --- conditions -------------------------------------------------------------------------------

  /** A WHERE clause as the builder's list: the operands of a top-level AND, or one condition. */
  private conditionList(): ConditionNode[] {
    const c = this.orCondition();
    return c.kind === 'and' ? [...c.operands] : [c];
  }

  private orCondition(): ConditionNode {
    const first = this.andCondition();
    if (!this.isKeyword('OR')) return first;
    const operands = [first];
    while (this.acceptKeyword('OR')) operands.push(this.andCondition());
    return { kind: 'or', operands };
  }

  private andCondition(): ConditionNode {
    const first = this.atomCondition();
    if (!this.isKeyword('AND')) return first;
    const operands = [first];
    while (this.acceptKeyword('AND')) operands.push(this.atomCondition());
    return { kind: 'and', operands };
  }

  private atomCondition(): ConditionNode {
    if (this.acceptPunct('(')) {
      const c = this.orCondition();
      this.expectPunct(')');
      return c;
    }
    const t = this.next();
    if (t.kind !== 'identifier' && t.kind !== 'quotedIdentifier') {
      return this.unsupported(
        `condition starting with ${t.text} (the left side must be a tag, field or time)`,
      );
    }
    const cast = this.cast();
    const opTok = this.next();
    if (opTok.kind !== 'operator') this.fail(`found ${opTok.text}, expected comparison operator`);
    const op = opTok.value as ComparisonOperator;
    if (!['=', '!=', '<>', '<', '<=', '>', '>=', '=~', '!~'].includes(op)) {
      this.unsupported(`operator ${op} in WHERE`);
    }
    if (t.value.toLowerCase() === 'time' && cast === undefined) {
      if (op === '=~' || op === '!~') this.fail('time cannot be compared with a regex');
      return { kind: 'time', op: op as '=', value: this.timeValue() };
    }
    const left: KeyRefNode =
      cast === undefined ? { kind: 'key', key: t.value } : { kind: 'key', key: t.value, cast };
    if (op === '=~' || op === '!~') {
      const r = this.next();
      if (r.kind === 'regex') return { kind: 'regex', left, op, source: r.value };
      return this.fail(`found ${r.text}, expected regular expression`);
    }
    const value = this.scalar();
    if (this.peek()?.kind === 'operator' && /^[-+*/%]$/.test(this.peek()!.value)) {
      this.unsupported('arithmetic in WHERE');
    }
    return { kind: 'comparison', left, op, value };
  }

  private scalar(): ScalarValue {
    const neg = this.acceptPunct('-');
    const t = this.next();
    if (t.kind === 'integer') return intValue(neg ? `-${t.text}` : t.text);
    if (t.kind === 'number') return Number(neg ? `-${t.text}` : t.text);
    if (neg) this.fail(`found ${t.text}, expected number`);
    if (t.kind === 'string') return t.value;
    if (t.kind === 'keyword' && (t.value === 'TRUE' || t.value === 'FALSE')) return t.value === 'TRUE';
    if (t.kind === 'boundParam') return this.param(t.value);
    if (t.kind === 'identifier' || t.kind === 'quotedIdentifier') {
      return this.unsupported('comparing two keys in WHERE (the right side must be a value)');
    }
    return this.fail(`found ${t.text}, expected a value`);
  }

  private param(name: string): ScalarValue {
    if (!Object.hasOwn(this.params, name)) this.fail(`missing parameter: ${name}`);
    return this.params[name]!;
  }

  private timeValue(): TimeValueNode {
    const t = this.peek();
    if (t?.kind === 'identifier' && t.value.toLowerCase() === 'now' && this.isPunct('(', 1)) {
      this.i += 2;
      this.expectPunct(')');
      const op = this.peek();
      if (op?.kind === 'operator' && (op.value === '+' || op.value === '-')) {
        this.i++;
        const d = this.next();
        if (d.kind !== 'duration') this.unsupported(`now() ${op.value} ${d.text} (only durations)`);
        return { kind: 'now', offset: d.text, sign: op.value };
      }
      return { kind: 'now', offset: undefined, sign: '+' };
    }
    const v = this.scalar();
    let nanos: bigint;
    if (typeof v === 'string') {
      nanos = timeLiteral(v);
      if (!/[Zz]$|[+-]\d{2}:?\d{2}$/.test(v)) this.zoneless = true;
    } else if (typeof v === 'bigint') nanos = v;
    else if (typeof v === 'number' && Number.isInteger(v)) nanos = BigInt(v);
    else return this.unsupported(`time compared with ${String(v)}`);
    const op = this.peek();
    if (op?.kind === 'operator' && (op.value === '+' || op.value === '-'))
      this.unsupported('arithmetic on a time literal');
    return { kind: 'absolute', nanos };
  }
}

type ShowTagValuesKey =
  | { op: '=' | '!='; names: string[] }
  | { op: 'in'; names: string[] }
  | { op: '=~' | '!~'; regex: string };

function intValue(text: string): number | bigint {
  const v = BigInt(text);
  if (v < -(2n ** 63n) || v >= 2n ** 63n)
    throw new InfluxDBClientError(`error parsing query: unable to parse integer ${text}`);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * A time string of a WHERE clause: RFC3339 with a zone, `YYYY-MM-DD HH:MM:SS[.f]` or a bare date
 * (both read as UTC here; influxd reads them in the statement's tz(), see `zoneless`).
 */
function timeLiteral(text: string): bigint {
  if (/^\d{4}-\d{2}-\d{2}T[^Zz+-]*$/.test(text)) {
    // influxd parses "T" times with RFC3339 only, which needs a zone.
    throw new InfluxDBClientError('invalid timestamp string');
  }
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  try {
    return parseRfc3339(date);
  } catch {
    throw new InfluxDBClientError(`invalid operation: time and *influxql.StringLiteral are not compatible`);
  }
}
