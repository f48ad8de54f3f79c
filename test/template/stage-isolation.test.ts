import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnTemplate, packageTemplate } from '../support/template';
import { policyDocuments } from './validate/iam';
import { renderString } from './validate/intrinsics';

/**
 * Two stages in one account must not reach each other's resources: stage `ci`'s grants are
 * scoped by name patterns such as `sagewatch-ci_*`, and stage `ci-eu`'s names start with
 * `sagewatch-ci` (`ci` is the stage the other template tests package, so its template is shared). This packages both stages and checks every Allow pattern of each against
 * names the other stage's own patterns cover.
 */
const PARAMETERS: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012' };

/** Allowed resource ARN patterns, rendered as text with the pseudo parameters filled in. */
function allowPatterns(template: CfnTemplate): string[] {
  const patterns = new Set<string>();
  for (const doc of policyDocuments(template)) {
    if (doc.kind !== 'identity') continue;
    for (const statement of doc.statements) {
      if (statement.Effect !== 'Allow') continue;
      for (const resource of [statement.Resource].flat()) {
        const text = renderString(resource);
        if (text === undefined || text === '*') continue;
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

let ci: string[];
let ciEu: string[];

beforeAll(async () => {
  const [a, b] = await Promise.all([packageTemplate('ci'), packageTemplate('ci-eu')]);
  ci = allowPatterns(a.template);
  ciEu = allowPatterns(b.template);
}, 300_000);

describe('stages in one account', () => {
  it('scope what the control plane manages to the stage, ended by a delimiter no stage may contain', () => {
    expect(ci).toContain('arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-ci_*');
    expect(ciEu).toContain('arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-ci-eu_*');
    expect(globMatches('arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-ci_*', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-ci_endpoint.a.b')).toBe(true);
  });

  it("grant stage ci nothing stage ci-eu owns, and stage ci-eu nothing of ci's", () => {
    const crossings = (grants: string[], foreign: string[]) =>
      grants.flatMap((grant) =>
        foreign
          .filter((pattern) => !grants.includes(pattern))
          .flatMap(samplesOf)
          .filter((name) => globMatches(grant, name))
          .map((name) => `${grant} matches ${name}`),
      );
    // Account-wide patterns shared by both stages (the SageMaker log groups, describe on any endpoint) are not stage resources.
    const shared = ci.filter((pattern) => ciEu.includes(pattern));
    expect(shared.every((pattern) => !pattern.includes('sagewatch-'))).toBe(true);
    expect(crossings(ci, ciEu)).toEqual([]);
    expect(crossings(ciEu, ci)).toEqual([]);
  });

  it('would notice a grant that ends the stage with "-", as the names once did', () => {
    const loose = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-ci-*';
    expect(samplesOf('arn:aws:cloudwatch:us-east-1:123456789012:alarm:sagewatch-ci-eu_*').some((name) => globMatches(loose, name))).toBe(true);
  });
});
