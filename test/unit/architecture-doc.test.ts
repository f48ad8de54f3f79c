import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCHITECTURE_DOC, ROOT } from '../../scripts/layers';

const doc = readFileSync(ARCHITECTURE_DOC, 'utf8');
// `lib/alerts/cooldown.ts` names a file; `lib/alerts/cooldown.ts:repeatPolicy` a declaration in it.
const REFERENCE = /`((?:lib|functions|local|cli|infra|bench|scripts|statemachines|test|docs|events)\/[\w./-]*)(?::(\w+))?`/g;
const references = [...doc.matchAll(REFERENCE)].map((m) => ({ path: m[1]!, name: m[2] }));

function declares(source: string, name: string): boolean {
  const declaration = new RegExp(`\\b(?:function|const|class|interface|type|let|enum)\\s+${name}\\b`);
  const method = new RegExp(`^\\s+(?:async\\s+)?${name}\\s*\\(`, 'm');
  return declaration.test(source) || method.test(source);
}

describe('docs/architecture.md stays true', () => {
  it('names many files and declarations', () => {
    expect(references.length).toBeGreaterThan(60);
    expect(references.filter((r) => r.name).length).toBeGreaterThan(40);
  });

  it('every file or folder it names exists', () => {
    expect(references.filter((r) => !existsSync(join(ROOT, r.path))).map((r) => r.path)).toEqual([]);
  });

  it('every declaration it names is in that file', () => {
    const missing = references.filter((r) => r.name && existsSync(join(ROOT, r.path)) && !declares(readFileSync(join(ROOT, r.path), 'utf8'), r.name));
    expect(missing.map((r) => `${r.path}:${r.name}`)).toEqual([]);
  });

  it('places each of the eight behaviours a newcomer looks for', () => {
    for (const behaviour of ['ModelCacheHit', 'duplicate notification', 'Slack `429`', '"stuck"', 'training jobs', 'Kinesis record', 'binds a task', 'cooldown']) {
      expect(doc).toContain(behaviour);
    }
  });
});
