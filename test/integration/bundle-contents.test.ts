import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/bundle';
import { FUNCTION_SPECS } from '../../infra/functions';

/**
 * processNotifications only merges notifications and publishes alerts: its bundle carries
 * neither the log path (the log merge, the open lists) nor the chat notification reader
 * notifySlack uses. Each was pulled in by a static import of a module the function never
 * calls, and together they put the bundle over the project's 400 KB line.
 */
const root = join(import.meta.dirname, '..', '..');

/** The source files with code in the function's bundle (esbuild parses more, and shakes out what is never used). */
async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({ ...bundleOptions(join(root, entry), join(root, '.bench', 'unused.mjs')), absWorkingDir: root, write: false, metafile: true });
  return Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([file]) => file),
  );
}

describe('the processNotifications bundle', () => {
  it('leaves out the log path and the chat reader, which the notification path never calls', async () => {
    const inputs = await inputsOf(FUNCTION_SPECS.processNotifications.entry);
    expect(inputs).toContain('lib/store/requests-notification-merge.ts');
    for (const unused of ['lib/store/requests-log-merge.ts', 'lib/store/requests-open.ts', 'lib/correlate/log-merge.ts', 'lib/alerts/chat-parse.ts']) expect(inputs).not.toContain(unused);
  });

  it('while the functions that need them still carry them', async () => {
    expect(await inputsOf(FUNCTION_SPECS.processLogs.entry)).toContain('lib/store/requests-log-merge.ts');
    expect(await inputsOf(FUNCTION_SPECS.sweepRequests.entry)).toContain('lib/store/requests-open.ts');
    expect(await inputsOf(FUNCTION_SPECS.notifySlack.entry)).toContain('lib/alerts/chat-parse.ts');
  });
});
