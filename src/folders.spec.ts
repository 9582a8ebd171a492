import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The folder of src/ each file's relative imports reach, per folder (specs left out). */
function folderImports(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const folderOf = (file: string): string => relative(__dirname, file).split(sep)[0];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (dir !== __dirname && path.endsWith('.ts') && !path.endsWith('.spec.ts')) {
        for (const [, spec] of readFileSync(path, 'utf8').matchAll(/from\s+'(\.[^']+)'/g)) {
          const to = folderOf(resolve(dirname(path), spec));
          const from = folderOf(path);
          if (to !== from && statSync(join(__dirname, to), { throwIfNoEntry: false })?.isDirectory())
            (graph.get(from) ?? graph.set(from, new Set()).get(from)!).add(to);
        }
      }
    }
  };
  walk(__dirname);
  return graph;
}

describe('feature folders import downward', () => {
  const graph = folderImports();

  it('has no cycle between folders', () => {
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(graph.get(from) ?? [])].some((next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))));
    const cycles = [...graph.keys()].filter((folder) => reaches(folder, folder)).sort();
    expect(cycles).toEqual([]);
  });

  it('common/, config/ and database/ know no feature', () => {
    const shared = new Set(['common', 'config', 'database']);
    for (const folder of shared) expect([...(graph.get(folder) ?? [])].filter((to) => !shared.has(to))).toEqual([]);
  });
});
