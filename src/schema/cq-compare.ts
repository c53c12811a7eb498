import { durationNanos } from './durations.js';

/**
 * Compares `CREATE CONTINUOUS QUERY` statements as the server understands them. InfluxDB 1.x
 * stores a continuous query re-rendered, not as sent: identifiers unquoted where it can, measurement
 * references qualified with the database and the retention policy that was the default at creation
 * (`FROM "cpu"` → `FROM metrics.autogen.cpu`), durations in their largest unit (`60s` → `1m`) and
 * float literals with three decimals (`0.12345` → `0.123`). Both texts are read into tokens and
 * brought to that one form, so an unchanged query compares equal and any real change does not.
 * This only reads InfluxQL; it never builds it.
 */

type Token =
  | { readonly t: 'kw' | 'id' | 'str' | 're' | 'op' | 'dur' | 'num'; readonly v: string }
  | { readonly t: 'ref'; readonly v: string };

const KEYWORDS = new Set(
  (
    'ALL AND AS ASC BEGIN BY CONTINUOUS CREATE DESC END EVERY FALSE FILL FOR FROM GROUP INTO LIMIT NOT OFFSET ON ' +
    'OR ORDER QUERY RESAMPLE SELECT SLIMIT SOFFSET TRUE TZ WHERE'
  ).split(' '),
);
const OPERATORS = [
  '::',
  '=~',
  '!~',
  '!=',
  '<>',
  '<=',
  '>=',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '(',
  ')',
  ',',
  '.',
  ';',
  '&',
  '|',
  '^',
];
const NUMBER = /\d+(?:\.\d*)?(?:[eE][+-]?\d+)?/y;
const DURATION = /(?:\d+(?:ns|u|µ|ms|s|m|h|d|w))+(?![\p{L}\p{N}_])/uy;
const WORD = /[\p{L}_][\p{L}\p{N}_]*/uy;

function quotedText(text: string, start: number, quote: string): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!;
      out += next === quote || next === '\\' ? next : `\\${next}`;
      i += 2;
    } else out += text[i++];
  }
  return [out, i + 1];
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let lastKeyword = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const prev = out[out.length - 1];
    if (c === '"' || c === "'") {
      const [v, end] = quotedText(text, i, c);
      out.push({ t: c === '"' ? 'id' : 'str', v });
      i = end;
      continue;
    }
    if (
      c === '/' &&
      prev !== undefined &&
      ((prev.t === 'op' && ['=~', '!~', '.'].includes(prev.v)) ||
        (prev.t === 'kw' && prev.v === 'FROM') ||
        (prev.t === 'op' && prev.v === ',' && lastKeyword === 'FROM'))
    ) {
      let j = i + 1;
      while (j < text.length && text[j] !== '/') j += text[j] === '\\' ? 2 : 1;
      out.push({ t: 're', v: text.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (c === ':' && text[i + 1] !== ':') {
      WORD.lastIndex = i + 1;
      const m = WORD.exec(text);
      out.push({ t: 'id', v: `:${m?.[0] ?? ''}` });
      i = WORD.lastIndex > i ? i + 1 + (m?.[0].length ?? 0) : i + 1;
      continue;
    }
    DURATION.lastIndex = i;
    const d = DURATION.exec(text);
    if (d !== null) {
      out.push({ t: 'dur', v: String(durationNanos(d[0])) });
      i += d[0].length;
      continue;
    }
    NUMBER.lastIndex = i;
    const n = NUMBER.exec(text);
    if (n !== null && /\d/.test(c)) {
      const isFloat = /[.eE]/.test(n[0]);
      out.push({ t: 'num', v: isFloat ? Number(n[0]).toFixed(3) : n[0] });
      i += n[0].length;
      continue;
    }
    WORD.lastIndex = i;
    const w = WORD.exec(text);
    if (w !== null) {
      const upper = w[0].toUpperCase();
      if (KEYWORDS.has(upper)) {
        out.push({ t: 'kw', v: upper });
        lastKeyword = upper;
      } else out.push({ t: 'id', v: w[0] });
      i += w[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    out.push({ t: 'op', v: op ?? c });
    i += op?.length ?? 1;
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
  return qualify(tokenize(statement), database, defaultRp)
    .map((t) => `${t.t}:${t.v}`)
    .join('\u0000');
}
