import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnTemplate, packageTemplate } from '../support/template';
import { policyDocuments } from './validate/iam';

/**
 * Two stages in one account must not reach each other's resources: stage `dev`'s grants are
 * scoped by name patterns such as `sagewatch-dev_*`, and stage `dev-eu`'s names start with
 * `sagewatch-dev`. This packages both stages and checks every Allow pattern of each against
 * names the other stage's own patterns cover.
 */
const PARAMETERS: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012' };

/** Allowed resource ARN patterns (Fn::Sub strings with the pseudo parameters filled in). */
function allowPatterns(template: CfnTemplate): string[] {
  const patterns = new Set<string>();
  for (const doc of policyDocuments(template)) {
    if (doc.kind !== 'identity') continue;
    for (const statement of doc.statements) {
      if (statement.Effect !== 'Allow') continue;
      for (const resource of [statement.Resource].flat()) {
        const text = typeof resource === 'string' ? resource : (resource as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'];
        if (typeof text !== 'string' || text === '*') continue;
        // Patterns that still reference a resource of the stack (${SomeQueue.Arn}) name it exactly, not by prefix.
        const filled = text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => PARAMETERS[name] ?? whole);
        if (!filled.includes('${')) patterns.add(filled);
      }
    }
  }
  return [...patterns];
}

/** IAM's glob: `*` any run of characters, `?` one character; everything else literal. */
function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

/** Concrete names a pattern covers, including ones whose wildcard part starts with a delimiter. */
function samplesOf(pattern: string): string[] {
  return ['x', '_x', '-x', '.x', '/x', ':x', 'endpoint.a.b'].map((part) => pattern.replace(/\*/g, part).replace(/\?/g, 'q'));
}

let dev: string[];
let devEu: string[];

beforeAll(async () => {
  const [a, b] = await Promise.all([packageTemplate('dev'), packageTemplate('dev-eu')]);
  dev = allowPatterns(a.template);
  devEu = allowPatterns(b.template);
}, 300_000);

describe('stages in one account', () => {
  it('scope what the control plane manages to the stage, ended by a delimiter no stage may contain', () => {
    expect(dev).toContain('arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-dev_*');
    expect(devEu).toContain('arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-dev-eu_*');
    expect(globMatches('arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-dev_*', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-dev_endpoint.a.b')).toBe(true);
  });

  it("grant stage dev nothing stage dev-eu owns, and stage dev-eu nothing of dev's", () => {
    const crossings = (grants: string[], foreign: string[]) =>
      grants.flatMap((grant) =>
        foreign
          .filter((pattern) => !grants.includes(pattern))
          .flatMap(samplesOf)
          .filter((name) => globMatches(grant, name))
          .map((name) => `${grant} matches ${name}`),
      );
    // Account-wide patterns shared by both stages (the SageMaker log groups, describe on any endpoint) are not stage resources.
    const shared = dev.filter((pattern) => devEu.includes(pattern));
    expect(shared.every((pattern) => !pattern.includes('sagewatch-'))).toBe(true);
    expect(crossings(dev, devEu)).toEqual([]);
    expect(crossings(devEu, dev)).toEqual([]);
  });

  it('would notice a grant that ends the stage with "-", as the names once did', () => {
    const loose = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-dev-*';
    expect(samplesOf('arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-dev-eu_*').some((name) => globMatches(loose, name))).toBe(true);
  });
});
