/**
 * Builds one minified ESM bundle per function with esbuild, AWS SDK included (what is
 * deployed is exactly what was tested and benchmarked, whatever SDK version the runtime has).
 * Usage: node bin/run-ts.js scripts/bundle.ts [functionKey...]
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_SPECS, bundleDir } from '../infra/functions';

const root = resolve(import.meta.dirname, '..');

export async function bundleFunctions(keys: string[] = Object.keys(FUNCTION_SPECS)): Promise<Record<string, { bytes: number; file: string }>> {
  const sizes: Record<string, { bytes: number; file: string }> = {};
  for (const key of keys) {
    const spec = FUNCTION_SPECS[key as keyof typeof FUNCTION_SPECS];
    if (!spec) throw new Error(`unknown function ${key}; known: ${Object.keys(FUNCTION_SPECS).join(', ')}`);
    const outdir = resolve(root, bundleDir(key));
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    const outfile = resolve(outdir, 'index.mjs');
    await build({
      entryPoints: [resolve(root, spec.entry)],
      outfile,
      bundle: true,
      minify: true,
      sourcemap: false,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      mainFields: ['module', 'main'],
      legalComments: 'none',
      logLevel: 'warning',
      // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
      banner: { js: "import { createRequire as __sagewatchCreateRequire } from 'node:module'; const require = __sagewatchCreateRequire(import.meta.url);" },
    });
    sizes[key] = { bytes: statSync(outfile).size, file: outfile };
  }
  return sizes;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const sizes = await bundleFunctions(process.argv.slice(2).length > 0 ? process.argv.slice(2) : undefined);
  for (const [key, { bytes }] of Object.entries(sizes)) console.log(`${key.padEnd(24)} ${(bytes / 1024).toFixed(1)} KiB`);
}
