/**
 * The README's "Architecture" table is in step with scripts/check-imports.mjs: every unit of
 * LAYERS appears once with its layer, and no unit is listed that the script does not know.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ES module script without type declarations
import { LAYERS } from '../scripts/check-imports.mjs';

function architectureTable(): Map<string, number> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('\n## Architecture\n');
  expect(start).toBeGreaterThan(0);
  const section = readme.slice(start + 1, readme.indexOf('\n## ', start + 1));
  const units = new Map<string, number>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | units | layer | role | may import |
    if (cells.length < 6 || !/^\d+$/.test(cells[2] ?? '')) continue;
    for (const m of (cells[1] ?? '').matchAll(/`([^`]+)`/g)) {
      const unit = (m[1] as string).replace(/\/$/, '');
      expect(units.has(unit), `${unit} listed twice`).toBe(false);
      units.set(unit, Number(cells[2]));
    }
  }
  return units;
}

describe('README Architecture', () => {
  it('lists every unit of check-imports LAYERS with its layer, and nothing else', () => {
    const table = architectureTable();
    expect(Object.fromEntries([...table].sort())).toEqual(
      Object.fromEntries(Object.entries(LAYERS as Record<string, number>).sort()),
    );
  });
});
