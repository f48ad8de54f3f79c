/**
 * The import arrows between lib/ folders, checked against the floors of docs/architecture.md:
 * `node bin/run-ts.js scripts/layers.ts` prints every arrow that runs up or sideways, and every
 * cycle, and exits 1 when there is one (test/unit/architecture-layers.test.ts keeps it at none).
 * The floors live in the doc's table so the map a newcomer reads is the rule that is enforced.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ARCHITECTURE_DOC = join(ROOT, 'docs', 'architecture.md');

export interface Arrow {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

/** `| 3 | store |` rows between the `<!-- floors -->` markers: floor number, then folders. */
export function readFloors(doc = readFileSync(ARCHITECTURE_DOC, 'utf8')): Map<string, number> {
  const section = /<!-- floors -->([\s\S]*?)<!-- \/floors -->/.exec(doc)?.[1];
  if (!section) throw new Error('docs/architecture.md has no <!-- floors --> table');
  const floors = new Map<string, number>();
  for (const row of section.split('\n')) {
    const cells = /^\|\s*(\d+)\s*\|([^|]+)\|/.exec(row);
    if (!cells) continue;
    for (const folder of cells[2]!.split(',')) {
      const name = folder.trim().replace(/`/g, '');
      if (name) floors.set(name, Number(cells[1]));
    }
  }
  return floors;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** lib/store/alerts.ts → `store`; lib/config.ts → `config`. */
function folderOf(libPath: string): string {
  const [first] = libPath.split(sep);
  return first!.replace(/\.ts$/, '');
}

const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)'(\.[^']+)'/g;

/** Every import in lib/ that crosses from one lib folder into another. */
export function libArrows(root = ROOT): Arrow[] {
  const lib = join(root, 'lib');
  const arrows: Arrow[] = [];
  for (const file of tsFiles(lib)) {
    const from = folderOf(relative(lib, file));
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = relative(lib, resolve(dirname(file), match[1]!));
      if (target.startsWith('..')) continue; // outside lib/: tests of the lib boundary catch those
      const to = folderOf(target);
      if (to !== from) arrows.push({ from, to, file: relative(root, file), specifier: match[1]! });
    }
  }
  return arrows;
}

export interface LayerReport {
  arrows: Arrow[];
  /** Arrows into a folder on the same or a higher floor. */
  upward: Arrow[];
  /** Folders that the floors table does not place. */
  unplaced: string[];
  /** Groups of folders that import each other, directly or round a loop. */
  cycles: string[][];
}

export function checkLayers(floors = readFloors(), arrows = libArrows()): LayerReport {
  const unplaced = [...new Set(arrows.flatMap((a) => [a.from, a.to]))].filter((f) => !floors.has(f)).sort();
  const upward = arrows.filter((a) => floors.has(a.from) && floors.has(a.to) && floors.get(a.to)! >= floors.get(a.from)!);
  return { arrows, upward, unplaced, cycles: cyclesOf(arrows) };
}

/** Folders that reach each other (strongly connected components of more than one folder, Tarjan). */
function cyclesOf(arrows: Arrow[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const a of arrows) next.set(a.from, (next.get(a.from) ?? new Set()).add(a.to));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (folder: string): void => {
    index.set(folder, index.size);
    low.set(folder, index.get(folder)!);
    stack.push(folder);
    for (const to of next.get(folder) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(folder, Math.min(low.get(folder)!, low.get(to)!));
      } else if (stack.includes(to)) low.set(folder, Math.min(low.get(folder)!, index.get(to)!));
    }
    if (low.get(folder) === index.get(folder)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        component.push(member);
      } while (member !== folder);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const folder of next.keys()) if (!index.has(folder)) visit(folder);
  return components;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = checkLayers();
  const pairs = new Map<string, number>();
  for (const a of report.upward) pairs.set(`${a.from} -> ${a.to}`, (pairs.get(`${a.from} -> ${a.to}`) ?? 0) + 1);
  console.log(`${report.arrows.length} imports between lib folders, ${report.upward.length} upward or sideways, ${report.cycles.length} cycles`);
  for (const [pair, count] of pairs) console.log(`  up: ${pair} (${count})`);
  for (const a of report.upward) console.log(`    ${a.file}: '${a.specifier}'`);
  for (const cycle of report.cycles) console.log(`  cycle between: ${cycle.join(', ')}`);
  for (const folder of report.unplaced) console.log(`  not in the floors table: lib/${folder}`);
  process.exitCode = report.upward.length + report.cycles.length + report.unplaced.length > 0 ? 1 : 0;
}
