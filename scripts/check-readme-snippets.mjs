#!/usr/bin/env node
// Type-checks every TypeScript snippet of README.md (fenced ```ts or ```typescript) against this
// checkout's sources: each snippet becomes a module of its own in .build-readme/ (the package
// names resolve through tsconfig.json's paths) and one tsc run checks them all, with the
// compiler options the README asks users for. Names that a snippet uses without declaring them
// (an open client, a user's model, an Arrow table) come from scripts/readme-snippets-prelude.d.ts,
// so a snippet may be a fragment; anything else it uses must be imported as a user would. A
// snippet importing './models/index.js' gets the models `pull` writes from the demo's database
// (scripts/readme-snippets-models.ts).
// A snippet that is meant not to compile (one showing the errors the types give) is fenced ```ts-error; it must fail.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const out = join(root, '.build-readme');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const fence = /^```(ts|typescript|ts-error)\s*\n([\s\S]*?)^```\s*$/gm;
const snippets = [];
for (const m of readme.matchAll(fence)) {
  const line = readme.slice(0, m.index).split('\n').length + 1;
  snippets.push({ line, kind: m[1] === 'ts-error' ? 'error' : 'ok', code: m[2] });
}
if (snippets.length === 0) throw new Error('README.md has no TypeScript snippet');

const files = [];
for (const s of snippets) {
  const file = join(out, `readme-line-${s.line}.ts`);
  // A module of its own (top-level await allowed, no clash between snippets).
  writeFileSync(file, `${s.code}\nexport {};\n`);
  files.push({ ...s, file });
}
copyFileSync(join(root, 'scripts', 'readme-snippets-prelude.d.ts'), join(out, 'prelude.d.ts'));
mkdirSync(join(out, 'models'));
copyFileSync(join(root, 'scripts', 'readme-snippets-models.ts'), join(out, 'models', 'index.ts'));

function tsc(list) {
  const config = join(out, `tsconfig.${list.length === 1 ? 'one' : 'all'}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '..', noUnusedLocals: false },
      files: ['prelude.d.ts', 'models/index.ts', ...list.map((f) => f.file)],
    }),
  );
  return spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', config], {
    cwd: root,
    encoding: 'utf8',
  });
}

const good = files.filter((f) => f.kind === 'ok');
const r = tsc(good);
if (r.status !== 0) {
  // Point at README lines: readme-line-N.ts(L,C) -> README.md line N + L - 1.
  const text = `${r.stdout}${r.stderr}`.replace(
    /\.build-readme\/readme-line-(\d+)\.ts\((\d+),(\d+)\)/g,
    (_, start, l, c) => `README.md:${Number(start) + Number(l) - 1}:${c}`,
  );
  console.error(text);
  console.error(`check-readme-snippets: type errors in README.md's TypeScript snippets`);
  process.exit(1);
}
for (const f of files.filter((x) => x.kind === 'error')) {
  if (tsc([f]).status === 0) {
    console.error(`README.md:${f.line}: a \`\`\`ts-error snippet compiles; fence it as ts`);
    process.exit(1);
  }
}
rmSync(out, { recursive: true, force: true });
console.log(`check-readme-snippets: ${good.length} TypeScript snippets of README.md type-check`);
