import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageTemplate, type CfnTemplate } from '../support/template';
import { aslProblems, templateDefinitions } from './validate/asl';

const statemachinesDir = resolve(import.meta.dirname, '..', '..', 'statemachines');
const definitionFiles = existsSync(statemachinesDir)
  ? readdirSync(statemachinesDir)
      .filter((file) => file.endsWith('.asl.json'))
      .sort()
  : [];

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageTemplate('ci'));
}, 180_000);

describe('state machine definitions', () => {
  it('every AWS::StepFunctions::StateMachine of the template is valid Amazon States Language', () => {
    // Covers whatever state machines the template holds, however osls or a plugin wrote them.
    const found = templateDefinitions(template);
    expect(found.filter((machine) => machine.problems.length > 0)).toEqual([]);
    const declared = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::StepFunctions::StateMachine');
    expect(found).toHaveLength(declared.length);
  });

  it('every statemachines/*.asl.json file is valid Amazon States Language', () => {
    expect(definitionFiles.sort()).toEqual(['attach.asl.json', 'reconcile.asl.json']);
    for (const file of definitionFiles) {
      const text = readFileSync(join(statemachinesDir, file), 'utf8');
      // Placeholders such as ${AttachFunctionArn} are filled by DefinitionSubstitutions at deploy time.
      const filled = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`);
      expect(aslProblems(JSON.parse(filled)), file).toEqual([]);
    }
  });
});

describe('the state machine checks themselves', () => {
  const machine = (properties: Record<string, unknown>): CfnTemplate => ({
    Resources: {
      Worker: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'sagewatch-ci-worker' } },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: properties },
    },
  });
  const task = (resource: string, extra: Record<string, unknown> = {}) => ({
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: resource, End: true, ...extra } },
  });

  it('reads DefinitionString as Fn::Sub with variables, as serverless-step-functions writes it', () => {
    const [found] = templateDefinitions(machine({ DefinitionString: { 'Fn::Sub': [JSON.stringify(task('${WorkerArn}')), { WorkerArn: { 'Fn::GetAtt': ['Worker', 'Arn'] } }] } }));
    expect(found!.problems).toEqual([]);
    expect(found!.definition).toMatchObject({ States: { Work: { Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:sagewatch-ci-worker' } } });
  });

  it('reads an inline Definition with DefinitionSubstitutions', () => {
    const [found] = templateDefinitions(machine({ Definition: task('${Worker}'), DefinitionSubstitutions: { Worker: { 'Fn::GetAtt': ['Worker', 'Arn'] } } }));
    expect(found!.problems).toEqual([]);
  });

  it('reports invalid States Language, unknown placeholders and definitions it cannot see', () => {
    const [broken] = templateDefinitions(machine({ Definition: { StartAt: 'Missing', States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'Nowhere' } } } }));
    expect(broken!.problems.join(' ')).toMatch(/Missing|Nowhere/);
    const [unknown] = templateDefinitions(machine({ DefinitionString: JSON.stringify(task('${NoSuchFunction.Arn}')) }));
    expect(unknown!.problems).toContainEqual('${NoSuchFunction.Arn}: neither a substitution nor a resource of the stack');
    const [remote] = templateDefinitions(machine({ DefinitionS3Location: { Bucket: 'b', Key: 'k' } }));
    expect(remote!.problems).toContainEqual(expect.stringContaining('DefinitionS3Location'));
    expect(aslProblems({ StartAt: 'A', States: { A: { Type: 'Wait', End: true } } })).not.toEqual([]);
  });
});
