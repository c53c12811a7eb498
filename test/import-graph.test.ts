/**
 * The layering of DESIGN.md, checked on the import graph of src/ and decorators/ by
 * scripts/check-imports.mjs (also runnable alone: `node scripts/check-imports.mjs`).
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ES module script without type declarations
import { checkImports } from '../scripts/check-imports.mjs';

describe('import graph', () => {
  it('depends downward only, with no cycle between decorators, models and registry', () => {
    const result = checkImports() as { files: string[]; folderEdges: string[]; violations: string[] };
    expect(result.files.length).toBeGreaterThan(50);
    expect(result.violations).toEqual([]);
    // the direction the issue names: models use the registry and the decorator records; the
    // registry and the decorators use neither
    expect(result.folderEdges).toContain('models->registry');
    expect(result.folderEdges).toContain('models->decorators');
    for (const edge of [
      'registry->models',
      'registry->decorators',
      'decorators->models',
      'decorators->registry',
    ]) {
      expect(result.folderEdges).not.toContain(edge);
    }
  });
});
