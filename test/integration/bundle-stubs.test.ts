import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/bundle';

/**
 * The deployed bundles carry a stub for the SDK's event-stream serde, which HttpProtocol imports
 * dynamically and only for event-stream operations (scripts/bundle.ts, stubEventStreams). A
 * bundle that reaches it must fail with a message that says so, not with a missing export.
 */
const dir = mkdtempSync(join(tmpdir(), 'sagewatch-event-streams-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = join(import.meta.dirname, '..', '..');

/** Bundles `source` with the deployed functions' options; the output file's path. */
async function bundle(name: string, source: string): Promise<string> {
  const entry = join(dir, `${name}.mjs`);
  writeFileSync(entry, source);
  const outfile = join(dir, `${name}-out.mjs`);
  await build({ ...bundleOptions(entry, outfile), absWorkingDir: root, nodePaths: [join(root, 'node_modules')] });
  return outfile;
}

describe('the event-stream stub', () => {
  it('replaces a dynamic import of @smithy/core/event-streams with a module that fails clearly', async () => {
    const outfile = await bundle('entry', "export const load = () => import('@smithy/core/event-streams');\n");
    expect(readFileSync(outfile, 'utf8')).not.toContain('EventStreamSerde');
    const { load } = (await import(pathToFileURL(outfile).href)) as { load: () => Promise<unknown> };
    await expect(load()).rejects.toThrow(/event-stream operations are not included in this Lambda bundle/);
  });

  it('leaves a static import of it alone', async () => {
    const outfile = await bundle('static', "import { EventStreamSerde } from '@smithy/core/event-streams';\nexport const serde = EventStreamSerde;\n");
    const { serde } = (await import(pathToFileURL(outfile).href)) as { serde: unknown };
    expect(typeof serde).toBe('function');
  });
});

describe('the lean LRU cache behind the endpoint-discovery cache', () => {
  it('keeps the capacity most recently used entries, as mnemonist does, and EndpointCache works on it', async () => {
    const outfile = await bundle('lru', "import LRUCache from 'mnemonist/lru-cache';\nimport { EndpointCache } from '@aws-sdk/endpoint-cache';\nexport { LRUCache, EndpointCache };\n");
    expect(readFileSync(outfile, 'utf8')).not.toContain('obliterator');
    const { LRUCache, EndpointCache } = (await import(pathToFileURL(outfile).href)) as {
      LRUCache: new (capacity: number) => { get(k: string): unknown; set(k: string, v: unknown): unknown; has(k: string): boolean; peek(k: string): unknown; size: number };
      EndpointCache: new (
        capacity: number,
      ) => { set(k: string, e: { Address: string; CachePeriodInMinutes: number }[]): void; getEndpoint(k: string): string | undefined; has(k: string): boolean; delete(k: string): void };
    };
    const lru = new LRUCache(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3); // evicts b
    expect([lru.has('a'), lru.has('b'), lru.has('c'), lru.size]).toEqual([true, false, true, 2]);
    expect(lru.peek('a')).toBe(1);
    const endpoints = new EndpointCache(10);
    endpoints.set('k', [{ Address: 'dynamodb.example', CachePeriodInMinutes: 5 }]);
    expect(endpoints.getEndpoint('k')).toBe('dynamodb.example');
    endpoints.delete('k');
    expect([endpoints.has('k'), endpoints.getEndpoint('k')]).toEqual([false, undefined]);
  });
});
