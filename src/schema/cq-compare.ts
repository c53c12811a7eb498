import { isSignificant, tokenize } from '../influxql/lexer.js';
import { durationNanos } from './durations.js';

/**
 * Compares `CREATE CONTINUOUS QUERY` statements as the server understands them. InfluxDB 1.x
 * stores a continuous query re-rendered, not as sent: identifiers unquoted where it can, measurement
 * references qualified with the database and the retention policy that was the default at creation
 * (`FROM "cpu"` → `FROM metrics.autogen.cpu`), durations in their largest unit (`60s` → `1m`) and
 * float literals with three decimals (`0.12345` → `0.123`). Both texts are read into tokens and
 * brought to that one form, so an unchanged query compares equal and any real change does not.
 * This only reads InfluxQL (through the one lexer, src/influxql/lexer.ts); it never builds it.
 */

interface Token {
  readonly t: 'kw' | 'id' | 'fn' | 'str' | 're' | 'op' | 'dur' | 'num' | 'param' | 'ref';
  readonly v: string;
}

/** The statement's tokens (read by the one InfluxQL lexer), with literals in the server's form. */
function tokens(text: string): Token[] {
  const out: Token[] = [];
  const lexed = tokenize(text).filter(isSignificant);
  for (let i = 0; i < lexed.length; i++) {
    const tok = lexed[i]!;
    const next = lexed[i + 1];
    switch (tok.kind) {
      case 'keyword':
        out.push({ t: 'kw', v: tok.value });
        break;
      case 'identifier':
        // A call (`mean(`, `fill(`, `TZ(`): function and clause names are case-insensitive, and the
        // server writes some in its own case (`TZ('…')`).
        if (next?.text === '(') out.push({ t: 'fn', v: tok.value.toLowerCase() });
        else out.push({ t: 'id', v: tok.value });
        break;
      case 'quotedIdentifier':
        out.push({ t: 'id', v: tok.value });
        break;
      case 'string':
        out.push({ t: 'str', v: tok.value });
        break;
      case 'regex':
        out.push({ t: 're', v: tok.value });
        break;
      case 'integer':
        out.push({ t: 'num', v: tok.text });
        break;
      case 'number':
        out.push({ t: 'num', v: Number(tok.text).toFixed(3) });
        break;
      case 'duration':
        out.push({ t: 'dur', v: String(durationNanos(tok.text)) });
        break;
      case 'boundParam':
        out.push({ t: 'param', v: tok.value });
        break;
      default:
        // `:MEASUREMENT` (INTO's "same name as the source") reads as one name.
        if (tok.text === ':' && next !== undefined && next.value.toUpperCase() === 'MEASUREMENT') {
          out.push({ t: 'id', v: ':MEASUREMENT' });
          i++;
        } else out.push({ t: 'op', v: tok.text });
    }
  }
  return out;
}

/**
 * Replaces each measurement reference after FROM and INTO (`m`, `rp.m`, `db.rp.m`, `db..m`, a regex,
 * `:MEASUREMENT`) by one token naming database, retention policy and measurement.
 */
function qualify(tokens: Token[], database: string, defaultRp: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    const tok = tokens[i]!;
    out.push(tok);
    i++;
    if (tok.t !== 'kw' || (tok.v !== 'FROM' && tok.v !== 'INTO')) continue;
    for (;;) {
      const parts: Array<string | undefined> = [];
      let current: string | undefined;
      while (i < tokens.length) {
        const t = tokens[i]!;
        if (t.t === 'id' || t.t === 're') {
          current = `${t.t}:${t.v}`;
          i++;
        } else if (t.t === 'op' && t.v === '.') {
          parts.push(current);
          current = undefined;
          i++;
        } else break;
      }
      parts.push(current);
      if (parts.length === 1 && parts[0] === undefined) break; // a subquery or nothing
      while (parts.length < 3) parts.unshift(undefined);
      const [db, rp, m] = parts;
      out.push({ t: 'ref', v: JSON.stringify([db ?? `id:${database}`, rp ?? `id:${defaultRp}`, m ?? '']) });
      const next = tokens[i];
      if (tok.v === 'FROM' && next?.t === 'op' && next.v === ',') {
        out.push(next);
        i++;
        continue;
      }
      break;
    }
  }
  return out;
}

/**
 * The canonical form of a `CREATE CONTINUOUS QUERY` statement on `database`, whose default
 * retention policy is `defaultRp`; two statements the server treats alike have equal forms.
 *
 * ```ts
 * continuousQueryForm('CREATE CONTINUOUS QUERY "c" ON "db" BEGIN SELECT mean("v") INTO "x" FROM "m" GROUP BY time(60s) END', 'db', 'autogen')
 *   === continuousQueryForm('CREATE CONTINUOUS QUERY c ON db BEGIN SELECT mean(v) INTO db.autogen.x FROM db.autogen.m GROUP BY time(1m) END', 'db', 'autogen');
 * // true
 * ```
 */
export function continuousQueryForm(statement: string, database: string, defaultRp: string): string {
  return qualify(tokens(statement), database, defaultRp)
    .map((t) => `${t.t}:${t.v}`)
    .join('\u0000');
}
