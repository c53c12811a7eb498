#!/usr/bin/env node
// Lists the public names (exports of the entry points, and public members of exported classes)
// whose JSDoc is missing or has no example (a ``` block or @example). Exit status 1 when any is
// missing entirely. Usage: node scripts/check-jsdoc.mjs
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = [
  'src/index.ts',
  'src/testing/index.ts',
  'src/nestjs/index.ts',
  'src/arrow/index.ts',
  'src/schema/index.ts',
  'src/wire.ts',
];
const cfg = ts.getParsedCommandLineOfConfigFile(
  join(root, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => {},
  },
);
const program = ts.createProgram(
  entries.map((e) => join(root, e)),
  cfg.options,
);
const checker = program.getTypeChecker();
const out = [];
const seen = new Set();
const docsOf = (node) =>
  ts
    .getJSDocCommentsAndTags(node)
    .map((d) => d.getText())
    .join('\n');
const hasExample = (docs) => /```|@example/.test(docs);
const exportsOf = (e) => {
  const mod = checker.getSymbolAtLocation(program.getSourceFile(join(root, e)));
  return checker
    .getExportsOfModule(mod)
    .map((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s));
};
for (const e of entries) {
  for (const sym of exportsOf(e)) {
    const decl = sym.declarations?.[0];
    if (!decl) continue;
    const file = decl.getSourceFile().fileName.slice(root.length + 1);
    const key = `${sym.getName()} (${file})`;
    if (seen.has(key)) continue;
    seen.add(key);
    const isType = (sym.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) !== 0;
    const docs = docsOf(decl);
    if (!docs.trim()) out.push(`no doc      ${isType ? 'type ' : ''}${key}`);
    else if (!isType && !hasExample(docs)) out.push(`no example  ${key}`);
    if (!(sym.flags & ts.SymbolFlags.Class) || !ts.isClassDeclaration(decl)) continue;
    // Overloads: the docs of all declarations of one name count together.
    const byName = new Map();
    for (const m of decl.members) {
      if (!(ts.isMethodDeclaration(m) || ts.isGetAccessor(m)) || !m.name || ts.isPrivateIdentifier(m.name))
        continue;
      if (ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      const name = m.name.getText();
      const entry = byName.get(name) ?? { docs: '', getter: ts.isGetAccessor(m) };
      entry.docs += docsOf(m);
      byName.set(name, entry);
    }
    for (const [name, { docs: mdocs, getter }] of byName) {
      if (/@internal/.test(mdocs)) continue;
      const mkey = `${sym.getName()}.${name} (${file})`;
      if (!mdocs.trim()) out.push(`no doc      ${mkey}`);
      else if (!getter && !hasExample(mdocs)) out.push(`no example  ${mkey}`);
    }
  }
}
out.sort();
for (const line of out) console.log(line);
const missing = out.filter((l) => l.startsWith('no doc')).length;
console.log(`\n${missing} public names without JSDoc, ${out.length - missing} without an example.`);
process.exitCode = missing > 0 ? 1 : 0;
