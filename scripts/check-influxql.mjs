#!/usr/bin/env node
// Checks that no InfluxQL text is assembled outside the InfluxQL layer: every statement the library
// sends is a node of src/influxql/statement-ast.ts or select-ast.ts compiled by
// src/influxql/compiler.ts. Reads every .ts file of src/ outside src/influxql/ with the TypeScript
// scanner and reports a string literal or template-literal text holding a statement keyword
// followed by a blank (`SHOW `, `CREATE `, `DROP `, `GRANT `, `REVOKE `, `ALTER `, `SELECT `,
// `DELETE `, `KILL `, `SET PASSWORD`). Comments (doc comments and their examples included) are not
// literals and are never reported.
//
// ALLOWED lists the literals that are not InfluxQL sent anywhere but text meant for people (error
// messages that name a statement), each with its reason. Keep it short.
// Exit code 1 with one line per finding; `--json` prints the findings. Run by `npm test`
// (test/influxql-check.test.ts) and by .ci/run.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { walk } from './check-imports.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Statement keywords followed by a blank, upper case as the library writes them. */
export const KEYWORDS = /\b(?:SHOW|CREATE|DROP|GRANT|REVOKE|ALTER|SELECT|DELETE|KILL) |\bSET PASSWORD\b/;

/**
 * Literals that name a statement in text for people, not InfluxQL: `file: literal text` -> reason.
 */
export const ALLOWED = new Map([
  [
    `src/testing/memory-influx.ts: DROP SERIES doesn't support time in WHERE clause`,
    "the in-memory engine answers with the server's own error message, word for word",
  ],
  [
    'src/testing/select-evaluator.ts: SELECT … INTO',
    'the in-memory engine names the part it does not evaluate in InfluxUnsupportedQueryError',
  ],
  [
    'src/testing/select-evaluator.ts:  in the SELECT list',
    'the in-memory engine names the part it does not evaluate in InfluxUnsupportedQueryError',
  ],
  [
    'src/schema/schema-definition.ts: .query: must be a query builder (see continuousQuery()) or a SELECT statement, got ',
    'an InfluxConfigError message saying what defineSchema() accepts',
  ],
  [
    "src/schema/model-codegen.ts: // Field types are the server's (SHOW FIELD KEYS). Pull again rather than edit by hand.",
    'a comment line written into the generated model file, for its reader',
  ],
]);

const LITERALS = new Set([
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateHead,
  ts.SyntaxKind.TemplateMiddle,
  ts.SyntaxKind.TemplateTail,
]);

/** The string and template-literal pieces of a source text, with their line numbers. */
export function literalsOf(text, fileName = 'x.ts') {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const out = [];
  const visit = (node) => {
    if (LITERALS.has(node.kind)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      out.push({ line: line + 1, text: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Findings over src/ outside src/influxql/: `{ file, line, text }`; `allowed` lists the ALLOWED hits. */
export function checkInfluxQL(dir = join(root, 'src')) {
  const findings = [];
  const allowed = [];
  let files = 0;
  for (const file of walk(dir)) {
    const rel = relative(root, file).split('\\').join('/');
    if (rel.startsWith('src/influxql/')) continue;
    files++;
    for (const lit of literalsOf(readFileSync(file, 'utf8'), file)) {
      if (!KEYWORDS.test(lit.text)) continue;
      const key = `${rel}: ${lit.text}`;
      if (ALLOWED.has(key)) allowed.push(key);
      else findings.push({ file: rel, line: lit.line, text: lit.text });
    }
  }
  return { files, findings, allowed };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = checkInfluxQL();
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  for (const f of result.findings) {
    console.error(`${f.file}:${f.line}: InfluxQL text outside src/influxql/: ${JSON.stringify(f.text)}`);
  }
  if (result.findings.length > 0) {
    console.error(
      `check-influxql: ${result.findings.length} literal(s) assemble InfluxQL outside the compiler; build a statement node and call compileStatement (src/influxql/compiler.ts)`,
    );
    process.exit(1);
  }
  console.log(`check-influxql: ${result.files} files outside src/influxql/, no InfluxQL text assembled`);
}
