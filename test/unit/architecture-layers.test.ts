import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLayers, readFloors, ROOT, type Arrow } from '../../scripts/layers';

describe('lib/ floors (docs/architecture.md)', () => {
  const floors = readFloors();

  it('places every lib folder on a floor', () => {
    const folders = readdirSync(join(ROOT, 'lib'), { withFileTypes: true }).map((e) => e.name.replace(/\.ts$/, ''));
    expect(folders.filter((f) => !floors.has(f))).toEqual([]);
  });

  it('has no import running up or sideways between lib folders, and no cycle', () => {
    const report = checkLayers(floors);
    expect(report.arrows.length).toBeGreaterThan(100);
    expect(report.upward.map((a) => `${a.file}: ${a.specifier}`)).toEqual([]);
    expect(report.cycles).toEqual([]);
    expect(report.unplaced).toEqual([]);
  });

  it('reports an upward arrow, a sideways one and the cycle they make', () => {
    const arrow = (from: string, to: string): Arrow => ({ from, to, file: `lib/${from}/x.ts`, specifier: `../${to}/y` });
    const report = checkLayers(
      new Map([
        ['store', 4],
        ['alerts', 6],
        ['detect', 5],
        ['correlate', 5],
      ]),
      [arrow('alerts', 'store'), arrow('store', 'alerts'), arrow('detect', 'correlate')],
    );
    expect(report.upward.map((a) => `${a.from}->${a.to}`)).toEqual(['store->alerts', 'detect->correlate']);
    expect(report.cycles).toEqual([['alerts', 'store']]);
  });
});
