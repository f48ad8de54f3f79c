import { createRequire } from 'node:module';
import type { CfnTemplate } from '../../support/template';
import { intrinsicName, isPlainObject, renderString } from './intrinsics';

/** asl-validator ships no typings; this is the part of its API the tests use. */
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errors: Array<{ message?: string; path?: string }>; errorsText: (separator?: string) => string };

const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

/** Problems asl-validator finds in a definition (it annotates its input, so it gets a copy). */
export function aslProblems(definition: unknown): string[] {
  const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
  return result.isValid ? [] : [result.errorsText('; ')];
}

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/**
 * What a `${X}` / `${X.Attr}` placeholder resolves to at deploy time, shaped like the real
 * thing, so that ARN checks of the validator see a plausible ARN.
 */
function placeholderValue(template: CfnTemplate, variable: string): string | undefined {
  if (variable === 'AWS::Region') return REGION;
  if (variable === 'AWS::AccountId') return ACCOUNT;
  if (variable === 'AWS::Partition') return 'aws';
  if (variable === 'AWS::URLSuffix') return 'amazonaws.com';
  if (variable === 'AWS::StackName') return 'sagewatch-test';
  const [id, attribute] = variable.split('.', 2) as [string, string | undefined];
  const resource = template.Resources[id];
  if (!resource) return undefined;
  const name = typeof resource.Properties?.FunctionName === 'string' ? resource.Properties.FunctionName : id;
  switch (resource.Type) {
    case 'AWS::Lambda::Function':
      return attribute === 'Arn' ? `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}` : name;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
    case 'AWS::SQS::Queue':
      return attribute === 'Arn' ? `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}` : `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`;
    case 'AWS::DynamoDB::Table':
      return attribute === 'Arn' ? `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}` : id;
    default:
      return attribute === 'Arn' ? `arn:aws:${resource.Type.split('::')[1]!.toLowerCase()}:${REGION}:${ACCOUNT}:${id}` : id;
  }
}

export interface TemplateDefinition {
  id: string;
  definition?: unknown;
  problems: string[];
}

/**
 * Every state machine definition of the template, in whichever form it is given (inline
 * `Definition`, `DefinitionString` as text, `Fn::Sub` or `Fn::Join`, as serverless-step-functions
 * writes them), with `DefinitionSubstitutions` and references filled in.
 */
export function templateDefinitions(template: CfnTemplate): TemplateDefinition[] {
  const found: TemplateDefinition[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const props = resource.Properties ?? {};
    const problems: string[] = [];
    const substitutions = isPlainObject(props.DefinitionSubstitutions) ? props.DefinitionSubstitutions : {};
    const fill = (text: string) =>
      text.replace(/\$\{([^}!][^}]*)\}/g, (whole, variable: string) => {
        if (variable in substitutions) {
          const rendered = renderString(substitutions[variable]);
          if (rendered === undefined) {
            problems.push(`DefinitionSubstitutions.${variable}: cannot be rendered`);
            return whole;
          }
          return fillReferences(rendered);
        }
        const value = placeholderValue(template, variable);
        if (value === undefined) problems.push(`\${${variable}}: neither a substitution nor a resource of the stack`);
        return value ?? whole;
      });
    const fillReferences = (text: string) => text.replace(/\$\{([^}!][^}]*)\}/g, (whole, variable: string) => placeholderValue(template, variable) ?? whole);

    let text: string | undefined;
    if (props.DefinitionS3Location !== undefined) {
      problems.push('DefinitionS3Location: keep definitions inline (statemachines/*.asl.json), so they are validated offline');
    } else if (props.Definition !== undefined) {
      text = JSON.stringify(replaceIntrinsics(props.Definition));
    } else if (props.DefinitionString !== undefined) {
      text = renderString(props.DefinitionString);
      if (text === undefined) problems.push('DefinitionString: cannot be rendered to text');
    } else {
      problems.push('no definition');
    }
    let definition: unknown;
    if (text !== undefined) {
      try {
        definition = JSON.parse(fill(text));
      } catch (error) {
        problems.push(`definition is not JSON: ${(error as Error).message}`);
      }
    }
    if (definition !== undefined) problems.push(...aslProblems(definition));
    found.push({ id, definition, problems });
  }
  return found;
}

/** An inline `Definition` may hold intrinsics as values: render them as text placeholders. */
function replaceIntrinsics(value: unknown): unknown {
  if (intrinsicName(value)) return renderString(value) ?? '${unrenderable}';
  if (Array.isArray(value)) return value.map(replaceIntrinsics);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceIntrinsics(item)]));
  return value;
}
