import type { CfnTemplate } from '../../support/template';
import { getAttParts, intrinsicName, isPlainObject, renderString, walk } from './intrinsics';

/**
 * The stack's IAM rules, checked on whatever the template contains: every role, every inline
 * or attached policy, every resource policy and Lambda permission.
 */

export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocumentAt {
  /** Logical id of the resource holding the document. */
  owner: string;
  ownerType: string;
  kind: 'identity' | 'trust' | 'resource';
  /** For identity policies: the roles they apply to (logical ids). */
  roles: string[];
  path: string;
  statements: Statement[];
}

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function statementsOf(document: unknown): Statement[] {
  let parsed = document;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return [];
    }
  }
  if (!isPlainObject(parsed)) return [];
  return asList(parsed.Statement).filter(isPlainObject) as Statement[];
}

/** Role logical ids an `AWS::IAM::Policy`/`ManagedPolicy` attaches to (`Roles: [{ Ref }]`). */
const roleRefs = (value: unknown): string[] =>
  asList(value).flatMap((item) => {
    if (isPlainObject(item) && typeof item.Ref === 'string') return [item.Ref];
    return [];
  });

/** Every policy document of the template, with what kind of policy it is. */
export function policyDocuments(template: CfnTemplate): PolicyDocumentAt[] {
  const found: PolicyDocumentAt[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    const at = (kind: PolicyDocumentAt['kind'], path: string, document: unknown, roles: string[] = []) =>
      found.push({ owner: id, ownerType: resource.Type, kind, roles, path: `Resources.${id}.Properties.${path}`, statements: statementsOf(document) });
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        at('trust', 'AssumeRolePolicyDocument', props.AssumeRolePolicyDocument);
        for (const [i, policy] of asList(props.Policies).entries()) at('identity', `Policies[${i}].PolicyDocument`, isPlainObject(policy) ? policy.PolicyDocument : undefined, [id]);
        break;
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        at('identity', 'PolicyDocument', props.PolicyDocument, roleRefs(props.Roles));
        break;
      case 'AWS::IAM::RolePolicy':
        at('identity', 'PolicyDocument', props.PolicyDocument, roleRefs(props.RoleName));
        break;
      case 'AWS::KMS::Key':
        at('resource', 'KeyPolicy', props.KeyPolicy);
        break;
      default:
        // Topic, queue, bucket, log and other resource policies.
        if (props.PolicyDocument !== undefined) at('resource', 'PolicyDocument', props.PolicyDocument);
        if (props.PolicyText !== undefined) at('resource', 'PolicyText', props.PolicyText);
    }
  }
  return found;
}

/** Allow statements only: a Deny never grants anything. */
const allows = (statement: Statement) => statement.Effect === 'Allow';

function actionProblems(statement: Statement, where: string): string[] {
  const problems: string[] = [];
  if (statement.NotAction !== undefined) problems.push(`${where}: NotAction in an Allow grants everything else`);
  for (const action of asList(statement.Action)) {
    if (typeof action !== 'string') problems.push(`${where}: action ${JSON.stringify(action)} is not a string`);
    else if (action === '*' || /^[a-z0-9-]+:\*$/i.test(action)) problems.push(`${where}: ${action} grants a whole service`);
  }
  return problems;
}

export interface IdentityRules {
  /** Actions that support no resource-level scoping, so may (only they) use `Resource: "*"`. */
  resourceStarActions: ReadonlySet<string>;
  /** Actions whose `Resource: "*"` must be narrowed by a condition key (action → key). */
  requiredConditions: ReadonlyMap<string, string>;
  /**
   * Actions that may name every resource of one type in the account (`arn:...:sns:<region>:<account>:*`)
   * because what they act on is the user's and has no name pattern; action → the condition key
   * that must narrow it, or `undefined` when the action has none. Absent: never.
   */
  accountWideActions?: ReadonlyMap<string, string | undefined>;
}

/**
 * Identity policies (what roles may do): explicit actions without wildcards, and resources that
 * are the stack's own or ARN patterns of this account, partition and region, with the name
 * patterns the stack owns for alarms, dashboards, metric streams and log groups.
 */
export function identityPolicyProblems(template: CfnTemplate, rules: IdentityRules): string[] {
  const problems: string[] = [];
  for (const document of policyDocuments(template).filter((doc) => doc.kind === 'identity')) {
    document.statements.forEach((statement, i) => {
      if (!allows(statement)) return;
      const where = `${document.path}.Statement[${i}]`;
      problems.push(...actionProblems(statement, where));
      const actions = asList(statement.Action).filter((action): action is string => typeof action === 'string');
      for (const action of actions) {
        if (action.includes('*') && action !== '*' && !/^[a-z0-9-]+:\*$/i.test(action)) problems.push(`${where}: ${action}: list the actions the code calls, not a wildcard`);
      }
      if (statement.NotResource !== undefined) problems.push(`${where}: NotResource in an Allow grants everything else`);
      const resources = asList(statement.Resource);
      if (resources.length === 0) problems.push(`${where}: no Resource`);
      for (const resource of resources) {
        if (resource === '*') {
          const unscopable = actions.filter((action) => !rules.resourceStarActions.has(action));
          if (unscopable.length > 0) problems.push(`${where}: Resource "*" for ${unscopable.join(', ')}, which support resource-level scoping (or are not on the allow-list)`);
          for (const action of actions) {
            const key = rules.requiredConditions.get(action);
            if (key && !Object.values(statement.Condition ?? {}).some((operator) => isPlainObject(operator) && key in operator)) {
              problems.push(`${where}: ${action} on "*" must be narrowed by the ${key} condition`);
            }
          }
          continue;
        }
        const found = resourceArnProblems(resource, template, `${where}.Resource`);
        const accountWide = found.filter((problem) => ACCOUNT_WIDE_PROBLEM.test(problem));
        const allowedAccountWide =
          accountWide.length > 0 &&
          actions.every((action) => {
            if (!rules.accountWideActions?.has(action)) return false;
            const key = rules.accountWideActions.get(action);
            return key === undefined || Object.values(statement.Condition ?? {}).some((operator) => isPlainObject(operator) && key in operator);
          });
        problems.push(...(allowedAccountWide ? found.filter((problem) => !accountWide.includes(problem)) : found));
      }
    });
  }
  return problems;
}

// Services whose ARNs carry no region (IAM, S3) or no account (S3).
const REGIONLESS = new Set(['iam', 's3', 'route53', 'cloudfront']);
const ACCOUNTLESS = new Set(['s3']);

/** Name patterns of what sagewatch creates or watches, per ARN resource type. */
const OWNED_NAMES: Array<{ service: string; type: RegExp; allowed: RegExp; rule: string }> = [
  { service: 'cloudwatch', type: /^alarm:/, allowed: /^alarm:sagewatch-/, rule: 'alarms named sagewatch-*' },
  { service: 'cloudwatch', type: /^dashboard\//, allowed: /^dashboard\/sagewatch-/, rule: 'dashboards named sagewatch-*' },
  { service: 'cloudwatch', type: /^metric-stream\//, allowed: /^metric-stream\/sagewatch-/, rule: 'metric streams named sagewatch-*' },
  {
    service: 'logs',
    type: /^log-group:/,
    allowed: /^log-group:(\/aws\/sagemaker\/|\/aws\/lambda\/sagewatch-|\/aws\/vendedlogs\/states\/sagewatch-)/,
    rule: 'log groups /aws/sagemaker/*, or sagewatch-* of Lambda and Step Functions',
  },
];

const ACCOUNT_WIDE = 'every %s resource of the account';
const ACCOUNT_WIDE_PROBLEM = /: every [a-z0-9-]+ resource of the account;/;

/** One resource of an Allow statement, other than "*". */
export function resourceArnProblems(resource: unknown, template: CfnTemplate, where: string): string[] {
  const name = intrinsicName(resource);
  if (name === 'Ref' || name === 'Fn::GetAtt') {
    const target = name === 'Ref' ? (resource as { Ref: unknown }).Ref : getAttParts((resource as Record<string, unknown>)['Fn::GetAtt'])?.id;
    return typeof target === 'string' && target in template.Resources ? [] : [`${where}: ${JSON.stringify(resource)} is not a resource of this stack`];
  }
  const text = renderString(resource);
  if (text === undefined) return [`${where}: cannot tell what ${JSON.stringify(resource)} grants`];
  // `${Queue.Arn}` or `${Table.Arn}/index/*`: the stack's own resource, or a part of it; or
  // `${Function.Arn}:*`, its versions and aliases (Lambda's "qualified ARN" is the function ARN
  // followed by `:<version or alias>`, Lambda Developer Guide, "Lambda resource ARNs").
  const own = /^\$\{([A-Za-z0-9]+)(\.Arn)?\}(\/.*|:.+)?$/.exec(text);
  if (own && own[1]! in template.Resources) return [];
  // Pseudo parameters hold colons of their own: read them as single tokens.
  const arn = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/s.exec(text.replace(/\$\{AWS::(\w+)\}/g, '{$1}'));
  if (!arn) return [`${where}: ${text} is neither a resource of this stack nor an ARN`];
  const [, partition, service, region, account, rest] = arn as unknown as [string, string, string, string, string, string];
  const problems: string[] = [];
  if (partition !== '{Partition}') problems.push(`${where}: ${text}: use \${AWS::Partition}, the stack deploys outside the aws partition too`);
  if (!(region === '{Region}' || (region === '' && (REGIONLESS.has(service) || /^dashboard\//.test(rest))))) {
    problems.push(`${where}: ${text}: scope to \${AWS::Region}`);
  }
  if (!(account === '{AccountId}' || (account === '' && ACCOUNTLESS.has(service)))) problems.push(`${where}: ${text}: scope to \${AWS::AccountId}`);
  if (rest === '' || rest === '*') problems.push(`${where}: ${text}: ${ACCOUNT_WIDE.replace('%s', service)}; name a resource type and a name pattern`);
  for (const owned of OWNED_NAMES) {
    if (service === owned.service && owned.type.test(rest) && !owned.allowed.test(rest)) problems.push(`${where}: ${text}: only ${owned.rule}`);
  }
  return problems;
}

const SERVICE_PRINCIPALS_FOR: Record<string, string> = {
  'AWS::Lambda::Function': 'lambda.amazonaws.com',
  'AWS::StepFunctions::StateMachine': 'states.amazonaws.com',
  'AWS::Events::Rule': 'events.amazonaws.com',
  'AWS::Scheduler::Schedule': 'scheduler.amazonaws.com',
};

/**
 * Which resources use each role: a `Ref`/`Fn::GetAtt` to it, outside IAM resources, in a
 * property that hands the role to the service (`Role`, `RoleArn`, `RoleARN`: what Lambda,
 * Step Functions, EventBridge targets, Firehose and subscription filters assume). A role's ARN
 * in an environment variable is configuration the code passes on (iam:PassRole), not a use of
 * it by the function; the function's identity is only the role its `Role` names
 * (AWS::Lambda::Function, "Role: the ARN of the function's execution role").
 */
export function roleUsers(template: CfnTemplate): Map<string, Array<{ id: string; type: string; path: string }>> {
  const users = new Map<string, Array<{ id: string; type: string; path: string }>>();
  const roles = new Set(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .map(([id]) => id),
  );
  for (const role of roles) users.set(role, []);
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith('AWS::IAM::')) continue;
    for (const { value, path } of walk(resource.Properties ?? {}, `Resources.${id}.Properties`)) {
      if (!/\.Role(Arn|ARN)?$/.test(path)) continue;
      const text = intrinsicName(value) ? renderString(value) : undefined;
      const target = text && /^\$\{([A-Za-z0-9]+)(\.Arn)?\}$/.exec(text)?.[1];
      if (target && roles.has(target)) users.get(target)!.push({ id, type: resource.Type, path });
    }
  }
  return users;
}

/**
 * One role per function and per state machine (and per rule target), trusted by exactly that
 * service, used by nothing else, with no managed policies; and every role trusts a service,
 * never an account or "*".
 */
export function roleProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  if (template.Resources.IamRoleLambdaExecution) problems.push('IamRoleLambdaExecution: osls created its shared role; give every function its own `role`');
  const users = roleUsers(template);

  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Lambda::Function') {
      const role = resource.Properties?.Role;
      const text = intrinsicName(role) ? renderString(role) : undefined;
      const target = text && /^\$\{([A-Za-z0-9]+)\.Arn\}$/.exec(text)?.[1];
      if (!target || template.Resources[target]?.Type !== 'AWS::IAM::Role') problems.push(`Resources.${id}.Properties.Role: must be Fn::GetAtt of a role of this stack`);
    }
    if (resource.Type === 'AWS::StepFunctions::StateMachine') {
      const role = resource.Properties?.RoleArn;
      const text = intrinsicName(role) ? renderString(role) : undefined;
      const target = text && /^\$\{([A-Za-z0-9]+)\.Arn\}$/.exec(text)?.[1];
      if (!target || template.Resources[target]?.Type !== 'AWS::IAM::Role') problems.push(`Resources.${id}.Properties.RoleArn: must be Fn::GetAtt of a role of this stack`);
    }
  }

  for (const [role, usedBy] of users) {
    const resource = template.Resources[role]!;
    const trust = policyDocuments(template).find((doc) => doc.owner === role && doc.kind === 'trust')!;
    const principals = trust.statements.flatMap((statement) => {
      if (!allows(statement)) return [];
      const principal = statement.Principal;
      if (!isPlainObject(principal) || Object.keys(principal).some((key) => key !== 'Service')) {
        problems.push(`Resources.${role}: trusted by ${JSON.stringify(principal)}; roles of this stack are assumed by AWS services only`);
        return [];
      }
      if (asList(statement.Action).some((action) => action !== 'sts:AssumeRole')) problems.push(`Resources.${role}: trust policy grants more than sts:AssumeRole`);
      return asList(principal.Service).map(String);
    });
    if (principals.length !== 1) problems.push(`Resources.${role}: trusted by ${principals.length} services (${principals.join(', ')}); one role per service and use`);

    const consumerTypes = new Set(usedBy.map((user) => user.type).filter((type) => type in SERVICE_PRINCIPALS_FOR));
    const consumers = usedBy.filter((user) => consumerTypes.has(user.type));
    if (consumerTypes.has('AWS::Lambda::Function') || consumerTypes.has('AWS::StepFunctions::StateMachine')) {
      const owners = new Set(consumers.map((user) => user.id));
      if (owners.size !== 1 || usedBy.some((user) => !owners.has(user.id))) {
        problems.push(`Resources.${role}: shared by ${[...new Set(usedBy.map((user) => user.id))].join(', ')}; every function and state machine has its own role`);
      }
    }
    for (const type of consumerTypes) {
      const expected = SERVICE_PRINCIPALS_FOR[type]!;
      if (!principals.every((principal) => principal === expected)) problems.push(`Resources.${role}: used by a ${type} but trusted by ${principals.join(', ')} instead of ${expected}`);
    }
    if (asList(resource.Properties?.ManagedPolicyArns).length > 0) {
      problems.push(`Resources.${role}.Properties.ManagedPolicyArns: managed policies grant what the code does not call; write the statements`);
    }
  }
  return problems;
}

/** Every function writes its own log group and no other. */
export function functionLogProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const name = resource.Properties?.FunctionName;
    const role = /^\$\{([A-Za-z0-9]+)\.Arn\}$/.exec(renderString(resource.Properties?.Role) ?? '')?.[1];
    if (typeof name !== 'string' || !role) continue;
    const logStatements = policyDocuments(template)
      .filter((doc) => doc.kind === 'identity' && doc.roles.includes(role))
      .flatMap((doc) => doc.statements)
      .filter((statement) => allows(statement) && asList(statement.Action).some((action) => action === 'logs:PutLogEvents'));
    if (logStatements.length === 0) problems.push(`Resources.${role}: ${name} cannot write its logs`);
    for (const statement of logStatements) {
      for (const resourceArn of asList(statement.Resource)) {
        const text = renderString(resourceArn) ?? '';
        if (!text.endsWith(`:log-group:/aws/lambda/${name}:*`)) problems.push(`Resources.${role}: writes logs to ${text || JSON.stringify(resourceArn)}, not only to its function's log group`);
      }
    }
  }
  return problems;
}

export interface ResourcePolicyRules {
  /**
   * Service principals allowed without a source condition in a given resource type's policy,
   * each with the reason.
   */
  unconditionedServices: ReadonlyArray<{ resourceType: string; service: string; reason: string }>;
}

const SOURCE_KEYS = ['aws:SourceArn', 'aws:SourceAccount', 'aws:SourceOwner', 'aws:PrincipalOrgID', 'aws:PrincipalAccount'];
const hasSourceCondition = (statement: Statement) => Object.values(statement.Condition ?? {}).some((operator) => isPlainObject(operator) && SOURCE_KEYS.some((key) => key in operator));

/**
 * Resource policies (topic, queue, bucket, key) and Lambda permissions: no service-wide
 * actions; no Allow to everyone; a service principal only for sources of this account (the
 * confused-deputy guard), except where a documented reason says it cannot be.
 */
export function resourcePolicyProblems(template: CfnTemplate, rules: ResourcePolicyRules): string[] {
  const problems: string[] = [];
  for (const document of policyDocuments(template).filter((doc) => doc.kind === 'resource')) {
    document.statements.forEach((statement, i) => {
      if (!allows(statement)) return;
      const where = `${document.path}.Statement[${i}]`;
      problems.push(...actionProblems(statement, where));
      if (statement.NotPrincipal !== undefined) problems.push(`${where}: NotPrincipal in an Allow`);
      const principal = statement.Principal;
      if (principal === '*' || (isPlainObject(principal) && asList(principal.AWS).includes('*'))) {
        if (!hasSourceCondition(statement)) problems.push(`${where}: allows everyone`);
        return;
      }
      if (!isPlainObject(principal)) {
        problems.push(`${where}: no principal`);
        return;
      }
      for (const service of asList(principal.Service).map(String)) {
        const exempt = rules.unconditionedServices.some((rule) => rule.resourceType === document.ownerType && rule.service === service);
        if (!exempt && !hasSourceCondition(statement)) problems.push(`${where}: ${service} may act for any account; add an aws:SourceArn or aws:SourceAccount condition`);
      }
      for (const account of asList(principal.AWS)) {
        const text = renderString(account) ?? '';
        if (!/^arn:\$\{AWS::Partition\}:iam::\$\{AWS::AccountId\}:root$/.test(text) && !/^\$\{[A-Za-z0-9]+\.Arn\}$/.test(text)) {
          problems.push(`${where}: grants ${text || JSON.stringify(account)}, which is not this account or a role of this stack`);
        }
      }
    });
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Permission') continue;
    const props = resource.Properties ?? {};
    const where = `Resources.${id}.Properties`;
    if (props.Action !== 'lambda:InvokeFunction') problems.push(`${where}.Action: ${JSON.stringify(props.Action)}; only lambda:InvokeFunction`);
    if (props.Principal === '*') problems.push(`${where}.Principal: everyone`);
    else if (typeof props.Principal === 'string' && props.Principal.endsWith('.amazonaws.com') && props.SourceArn === undefined && props.SourceAccount === undefined) {
      problems.push(`${where}: ${props.Principal} may invoke for any account; set SourceArn or SourceAccount`);
    }
  }
  return problems;
}
