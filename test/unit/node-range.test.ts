import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * The supported Node range is stated once (package.json `engines`) and holds: every direct
 * dependency that declares a range accepts all of it, Lambda runs the functions on its lowest
 * major, and the README says the same.
 */
const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const range = pkg.engines.node;

describe('the supported Node range', () => {
  it('is accepted by every dependency that declares one', () => {
    const refusing = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).flatMap((name) => {
      // Read from node_modules: a package's `exports` may not expose its package.json.
      const declared = (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { engines?: { node?: string } }).engines?.node;
      return declared === undefined || semver.subset(range, declared) ? [] : [`${name} wants ${declared}`];
    });
    expect(refusing).toEqual([]);
  });

  it('starts at the Lambda runtime of the functions, and the README says so', () => {
    const lowest = semver.minVersion(range)!;
    expect(readFileSync('serverless.ts', 'utf8')).toContain(`runtime: 'nodejs${lowest.major}.x'`);
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain(`Node.js ${lowest.major}.${lowest.minor} or later (\`${range}\``);
    // Node 20 runs the suite (it is what this machine's CI has), and the README is honest about it.
    expect(readme).toMatch(/also run on Node 20\.19 or later, past its end\s+of life/);
  });
});
