import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern, type EventPattern } from '../../lib/eventbridge/pattern';
import { stackNames } from '../../infra/names';
import { DEPLOY_RULE, DEPLOY_STATUSES, deployRulePattern, RECONCILE_SCHEDULE, ruleResources, SAGEMAKER_RULES, stackArnPrefix } from '../../infra/rules';
import { deployedStackOptions } from '../../infra/stack';
import { packageTemplate, type CfnTemplate } from '../support/template';

/**
 * The rules' patterns against events in SageMaker's documented format. Matching uses
 * lib/eventbridge/pattern.ts, sagewatch's implementation of EventBridge's pattern semantics.
 */
const fixturesDir = resolve(import.meta.dirname, '..', 'fixtures', 'eventbridge');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? jsonFiles(path) : entry.endsWith('.json') ? [path] : [];
    })
    .sort();
}

interface Fixture {
  name: string;
  event: { source?: unknown; 'detail-type'?: unknown; [key: string]: unknown };
}
const load = (path: string): Fixture => ({ name: relative(fixturesDir, path), event: JSON.parse(readFileSync(path, 'utf8')) as Fixture['event'] });

const positives = jsonFiles(join(fixturesDir, 'rules', 'positive')).map(load);
const negatives = jsonFiles(join(fixturesDir, 'rules', 'negative')).map(load);
// Every other EventBridge sample of the project's fixtures counts too, whoever wrote it.
const others = jsonFiles(fixturesDir)
  .filter((path) => !path.startsWith(join(fixturesDir, 'rules')))
  .map(load)
  .filter((fixture) => typeof fixture.event.source === 'string' && typeof fixture.event['detail-type'] === 'string');

/**
 * The fixtures' account and region stand in for the pseudo parameters of the template's
 * patterns (`Fn::Sub` of the deploy rule's stack ARN prefix): the packaged stack is `sagewatch-ci`.
 */
const PSEUDO = { partition: 'aws', region: 'eu-west-1', account: '123456789012' };
const PSEUDO_VALUES: Record<string, string> = { 'AWS::Partition': PSEUDO.partition, 'AWS::Region': PSEUDO.region, 'AWS::AccountId': PSEUDO.account };
const ciNames = stackNames('sagewatch', 'ci');
const ciStackPrefix = stackArnPrefix(ciNames, PSEUDO);

/** A template pattern as EventBridge sees it once CloudFormation resolved its intrinsics. */
function resolvePattern(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolvePattern);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]![0] === 'Fn::Sub' && typeof entries[0]![1] === 'string') {
    return entries[0]![1].replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      if (!(name in PSEUDO_VALUES)) throw new Error(`pattern variable ${whole} is not a pseudo parameter`);
      return PSEUDO_VALUES[name]!;
    });
  }
  if (entries.some(([key]) => key.startsWith('Fn::') || key === 'Ref')) throw new Error(`unsupported intrinsic in a pattern: ${JSON.stringify(value)}`);
  return Object.fromEntries(entries.map(([key, item]) => [key, resolvePattern(item)]));
}

/** Every rule of infra/rules.ts with a pattern, the deploy rule's as it resolves for sagewatch-ci. */
const PATTERN_RULES: Array<{ logicalId: string; pattern: EventPattern }> = [...SAGEMAKER_RULES, { logicalId: DEPLOY_RULE.logicalId, pattern: deployRulePattern(ciStackPrefix) as EventPattern }];

/**
 * The rules that should match an event: the SageMaker rule of its detail-type; the deploy rule
 * for a completed create or update of the sagewatch-ci stack itself; nothing else.
 */
const INFERENCE_COMPONENT_CALLS = ['CreateInferenceComponent', 'UpdateInferenceComponent', 'DeleteInferenceComponent'];
const expectedRules = (event: Fixture['event']): string[] => {
  if (event.source === 'aws.sagemaker' && event['detail-type'] === 'AWS API Call via CloudTrail') {
    // Only SageMaker's own inference-component calls that succeeded (no errorCode in the record).
    const detail = event.detail as { eventSource?: string; eventName?: string; errorCode?: string } | undefined;
    const routed = detail?.eventSource === 'sagemaker.amazonaws.com' && INFERENCE_COMPONENT_CALLS.includes(detail.eventName ?? '') && detail.errorCode === undefined;
    return routed ? ['InferenceComponentCallRule'] : [];
  }
  if (event.source === 'aws.sagemaker') return SAGEMAKER_RULES.filter((rule) => rule.detailType === event['detail-type']).map((rule) => rule.logicalId);
  if (event.source === 'aws.cloudformation' && event['detail-type'] === DEPLOY_RULE.detailType) {
    const detail = event.detail as { 'stack-id'?: string; 'status-details'?: { status?: string } } | undefined;
    const ours = typeof detail?.['stack-id'] === 'string' && detail['stack-id'].startsWith(ciStackPrefix);
    return ours && DEPLOY_STATUSES.includes(detail?.['status-details']?.status ?? '') ? [DEPLOY_RULE.logicalId] : [];
  }
  return [];
};

let template: CfnTemplate;
let templatePatterns: Array<{ id: string; pattern: EventPattern }>;

beforeAll(async () => {
  ({ template } = await packageTemplate('ci'));
  templatePatterns = Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule' && resource.Properties?.EventPattern !== undefined)
    .map(([id, resource]) => ({ id, pattern: resolvePattern(resource.Properties!.EventPattern) as EventPattern }));
}, 180_000);

describe('rule definitions (infra/rules.ts)', () => {
  it('covers every SageMaker state change sagewatch reacts to, one rule each', () => {
    expect(SAGEMAKER_RULES.map((rule) => rule.detailType).sort()).toEqual(
      [
        'SageMaker Endpoint State Change',
        'SageMaker Endpoint Deployment State Change',
        'SageMaker Training Job State Change',
        'SageMaker Processing Job State Change',
        'SageMaker Transform Job State Change',
        'SageMaker HyperParameter Tuning Job State Change',
        'SageMaker Model Building Pipeline Execution Status Change',
        'SageMaker Ground Truth Labeling Job State Change',
        'AWS API Call via CloudTrail',
      ].sort(),
    );
    expect(new Set(SAGEMAKER_RULES.map((rule) => rule.logicalId)).size).toBe(SAGEMAKER_RULES.length);
    expect(new Set(SAGEMAKER_RULES.map((rule) => rule.name)).size).toBe(SAGEMAKER_RULES.length);
  });

  it('routes the Create/Update/DeleteInferenceComponent calls CloudTrail records, one fixture each, and no failed call', () => {
    const calls = positives.filter((fixture) => fixture.event['detail-type'] === 'AWS API Call via CloudTrail').map((fixture) => (fixture.event.detail as { eventName: string }).eventName);
    expect(calls.sort()).toEqual([...INFERENCE_COMPONENT_CALLS].sort());
    const failed = negatives.find((fixture) => (fixture.event.detail as { errorCode?: string }).errorCode !== undefined)!;
    expect((failed.event.detail as { eventName: string }).eventName).toBe('CreateInferenceComponent');
  });

  it('writes patterns EventBridge accepts', () => {
    for (const rule of PATTERN_RULES) expect(validatePattern(rule.pattern), rule.logicalId).toEqual([]);
  });

  it('reconciles once after every completed create or update of this stack, matching its ARN by prefix', () => {
    expect(deployRulePattern(ciStackPrefix)).toEqual({
      source: ['aws.cloudformation'],
      'detail-type': ['CloudFormation Stack Status Change'],
      detail: {
        'stack-id': [{ prefix: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/sagewatch-ci/' }],
        'status-details': { status: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] },
      },
    });
    const deploys = positives.filter((fixture) => fixture.event.source === 'aws.cloudformation');
    expect(deploys.map((fixture) => (fixture.event.detail as { 'status-details': { status: string } })['status-details'].status).sort()).toEqual(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);
    expect(negatives.filter((fixture) => fixture.event.source === 'aws.cloudformation').length).toBeGreaterThanOrEqual(2);
  });

  it('keeps rule names within 64 characters for stages of up to 20', () => {
    const names = stackNames('sagewatch', 'a'.repeat(20));
    for (const rule of [...SAGEMAKER_RULES, RECONCILE_SCHEDULE, DEPLOY_RULE]) expect(`${names.prefix}-${rule.name}`.length, rule.name).toBeLessThanOrEqual(64);
  });

  it('has fixtures for every rule, both endpoint status spellings included', () => {
    for (const rule of SAGEMAKER_RULES)
      expect(
        positives.some((fixture) => fixture.event['detail-type'] === rule.detailType),
        rule.detailType,
      ).toBe(true);
    const endpointStatuses = positives
      .filter((fixture) => fixture.event['detail-type'] === 'SageMaker Endpoint State Change')
      .map((fixture) => (fixture.event.detail as { EndpointStatus?: string }).EndpointStatus);
    expect(endpointStatuses).toEqual(expect.arrayContaining(['IN_SERVICE', 'InService']));
  });

  it.each(positives.map((fixture) => [fixture.name, fixture] as const))('%s matches its own rule and no other', (_, fixture) => {
    const matched = PATTERN_RULES.filter((rule) => matchesPattern(rule.pattern, fixture.event)).map((rule) => rule.logicalId);
    expect(matched).toEqual(expectedRules(fixture.event));
    expect(matched).toHaveLength(1);
  });

  it.each(negatives.map((fixture) => [fixture.name, fixture] as const))('%s matches no rule', (_, fixture) => {
    expect(PATTERN_RULES.filter((rule) => matchesPattern(rule.pattern, fixture.event)).map((rule) => rule.logicalId)).toEqual([]);
  });

  it('routes the other EventBridge fixtures of the project by their detail-type', () => {
    for (const fixture of others) {
      expect(
        PATTERN_RULES.filter((rule) => matchesPattern(rule.pattern, fixture.event)).map((rule) => rule.logicalId),
        fixture.name,
      ).toEqual(expectedRules(fixture.event));
    }
  });
});

describe('EventBridge rules in the packaged template', () => {
  it('holds exactly the defined rules, enabled, with their patterns and schedule', () => {
    const names = stackNames('sagewatch', 'ci');
    const { resources } = ruleResources(names, deployedStackOptions(names, '').ruleTargets);
    for (const [id, resource] of Object.entries(resources)) expect(template.Resources[id], id).toEqual(resource);
    expect(template.Resources[RECONCILE_SCHEDULE.logicalId]?.Properties).toMatchObject({ ScheduleExpression: 'rate(1 hour)', State: 'ENABLED' });
    for (const rule of SAGEMAKER_RULES) expect(template.Resources[rule.logicalId]?.Properties).toMatchObject({ State: 'ENABLED', EventPattern: rule.pattern });
    expect(resolvePattern(template.Resources[DEPLOY_RULE.logicalId]?.Properties?.EventPattern)).toEqual(deployRulePattern(ciStackPrefix));
  });

  it('every AWS::Events::Rule pattern is valid, matched by some SageMaker event, and matches no other service', () => {
    expect(templatePatterns.length).toBeGreaterThanOrEqual(SAGEMAKER_RULES.length);
    for (const { id, pattern } of templatePatterns) {
      expect(validatePattern(pattern), id).toEqual([]);
      expect(
        positives.some((fixture) => matchesPattern(pattern, fixture.event)),
        `${id} matches none of the positive fixtures: a dead rule, or a missing fixture`,
      ).toBe(true);
      for (const fixture of negatives) expect(matchesPattern(pattern, fixture.event), `${id} vs ${fixture.name}`).toBe(false);
    }
  });

  it('routes each positive fixture to exactly the template rules that should see it', () => {
    for (const fixture of positives) {
      const matched = templatePatterns.filter(({ pattern }) => matchesPattern(pattern, fixture.event)).map(({ id }) => id);
      expect(matched, fixture.name).toEqual(expect.arrayContaining(expectedRules(fixture.event)));
    }
  });
});

describe('the rule checks themselves', () => {
  it('would catch a rule that filters on one endpoint status spelling only', () => {
    const strict: EventPattern = { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Endpoint State Change'], detail: { EndpointStatus: ['InService'] } };
    const upper = positives.find((fixture) => (fixture.event.detail as { EndpointStatus?: string }).EndpointStatus === 'IN_SERVICE')!;
    expect(matchesPattern(strict, upper.event)).toBe(false);
  });

  it('would catch a deploy rule without the trailing slash of the stack name, or on every status', () => {
    const sibling = negatives.find((fixture) => fixture.name.includes('other-stack'))!;
    expect(matchesPattern(deployRulePattern(ciStackPrefix.slice(0, -1)) as EventPattern, sibling.event)).toBe(true);
    const rollback = negatives.find((fixture) => fixture.name.includes('rollback'))!;
    const anyStatus = { source: ['aws.cloudformation'], 'detail-type': [DEPLOY_RULE.detailType], detail: { 'stack-id': [{ prefix: ciStackPrefix }] } } as EventPattern;
    expect(matchesPattern(anyStatus, rollback.event)).toBe(true);
  });

  it('would catch an inference-component rule that also routes failed calls', () => {
    const rule = SAGEMAKER_RULES.find((r) => r.logicalId === 'InferenceComponentCallRule')!;
    const { errorCode, ...detail } = rule.pattern.detail as Record<string, unknown>;
    expect(errorCode).toEqual([{ exists: false }]);
    const failed = negatives.find((fixture) => fixture.name.includes('inference-component-create-failed'))!;
    expect(matchesPattern({ ...rule.pattern, detail } as EventPattern, failed.event)).toBe(true);
  });

  it('would catch a rule that forgot its source', () => {
    const loose: EventPattern = { 'detail-type': ['SageMaker Endpoint State Change'] };
    expect(negatives.some((fixture) => matchesPattern(loose, fixture.event))).toBe(true);
  });
});
