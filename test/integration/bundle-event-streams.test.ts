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

describe('the event-stream stub', () => {
  it('replaces a dynamic import of @smithy/core/event-streams with a module that fails clearly', async () => {
    const entry = join(dir, 'entry.mjs');
    writeFileSync(entry, "export const load = () => import('@smithy/core/event-streams');\n");
    const outfile = join(dir, 'out.mjs');
    await build({ ...bundleOptions(entry, outfile), absWorkingDir: join(import.meta.dirname, '..', '..'), nodePaths: [join(import.meta.dirname, '..', '..', 'node_modules')] });
    expect(readFileSync(outfile, 'utf8')).not.toContain('EventStreamSerde');
    const { load } = (await import(pathToFileURL(outfile).href)) as { load: () => Promise<unknown> };
    await expect(load()).rejects.toThrow(/event-stream operations are not included in this Lambda bundle/);
  });

  it('leaves a static import of it alone', async () => {
    const entry = join(dir, 'static.mjs');
    writeFileSync(entry, "import { EventStreamSerde } from '@smithy/core/event-streams';\nexport const serde = EventStreamSerde;\n");
    const outfile = join(dir, 'static-out.mjs');
    await build({ ...bundleOptions(entry, outfile), absWorkingDir: join(import.meta.dirname, '..', '..'), nodePaths: [join(import.meta.dirname, '..', '..', 'node_modules')] });
    const { serde } = (await import(pathToFileURL(outfile).href)) as { serde: unknown };
    expect(typeof serde).toBe('function');
  });
});
