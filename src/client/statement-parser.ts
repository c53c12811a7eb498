/**
 * Splits InfluxQL text into statements at `;` outside quoted strings, quoted identifiers and
 * comments, and classifies them (reads go by GET, statements that change state by POST).
 */

/** Returns the statements of `q` (trimmed, empty ones and comment-only ones left out). */
export function splitStatements(q: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  let hasCode = false;
  const n = q.length;
  while (i < n) {
    const c = q.charCodeAt(i);
    if (c === 39 /* ' */ || c === 34 /* " */) {
      hasCode = true;
      i++;
      while (i < n) {
        const d = q.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === c) {
          i++;
          break;
        } else i++;
      }
    } else if (c === 45 /* - */ && q.charCodeAt(i + 1) === 45) {
      const nl = q.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === 47 /* / */ && q.charCodeAt(i + 1) === 42 /* * */) {
      const end = q.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === 47 /* / */ && /[=!]~\s*$/.test(q.slice(Math.max(0, start), i))) {
      // A regex literal after =~ or !~: a ';' or quote inside it does not end the statement.
      hasCode = true;
      i++;
      while (i < n) {
        const d = q.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 47) {
          i++;
          break;
        } else i++;
      }
    } else if (c === 59 /* ; */) {
      if (hasCode) out.push(q.slice(start, i).trim());
      start = i + 1;
      hasCode = false;
      i++;
    } else {
      if (c > 32) hasCode = true;
      i++;
    }
  }
  if (hasCode) out.push(q.slice(start).trim());
  return out;
}

/** The statement with comments removed and string/identifier contents blanked, upper-cased. */
function skeleton(statement: string): string {
  return statement
    .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .trim()
    .toUpperCase();
}

const MUTATING = /^(CREATE|DROP|ALTER|GRANT|REVOKE|KILL|DELETE|SET)\b/;

/**
 * True for statements that change state and must go by POST: `SELECT … INTO`, `CREATE`, `DROP`,
 * `ALTER`, `GRANT`, `REVOKE`, `KILL`, `DELETE`, `SET PASSWORD`.
 */
export function isMutatingStatement(statement: string): boolean {
  const s = skeleton(statement);
  if (MUTATING.test(s)) return true;
  return /^SELECT\b/.test(s) && /\bINTO\b/.test(s);
}
