import { parseArgs } from 'node:util';
import { CliError } from '../errors';
import { printJson, readJsonInput } from '../io';
import { planFromFiles, renderPlan } from '../../lib/attach/plan';

export const PLAN_HELP = `Usage: sagewatch plan --event FILE [--describe FILE] [--json]

Prints what converging the resource of a SageMaker EventBridge event would do, without AWS:
the CloudWatch alarms, log subscription, dashboard, metric streams, SNS subscriptions and
inventory it would create or remove, like \`terraform plan\`.

  --event FILE      the EventBridge event (Endpoint / Job / Pipeline state change), - for stdin
  --describe FILE   { "endpoint": <DescribeEndpoint>, "endpointConfig": <DescribeEndpointConfig>,
                      "models": [<DescribeModel>...], "inferenceComponents": [<DescribeInferenceComponent>...] }
                    or, for a job, { "job": <Describe*Job output> }. An endpoint event alone
                    cannot tell the endpoint's kinds.
  --json            print { "resource", "kinds", "actions": [{ "service", "action", "input" }] }`;

export async function planCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      event: { type: 'string' },
      describe: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(PLAN_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new CliError(`plan takes options only; unexpected: ${positionals.join(' ')}\n\n${PLAN_HELP}`);
  if (!values.event) throw new CliError(`plan needs --event FILE\n\n${PLAN_HELP}`);
  if (values.event === '-' && values.describe === '-') throw new CliError('only one of --event and --describe can read standard input');
  const event = await readJsonInput(values.event, 'event');
  const describe = values.describe === undefined ? undefined : await readJsonInput(values.describe, 'describe');
  const eventName = (event as { detail?: { EndpointName?: unknown } })?.detail?.EndpointName;
  const describedName = (describe as { endpoint?: { EndpointName?: unknown } } | undefined)?.endpoint?.EndpointName;
  if (typeof eventName === 'string' && typeof describedName === 'string' && eventName !== describedName) {
    throw new CliError(`--describe is for endpoint ${describedName} but the event is for endpoint ${eventName}`);
  }
  let plan;
  try {
    plan = await planFromFiles({ event, ...(describe !== undefined ? { describe } : {}) });
  } catch (error) {
    throw new CliError(`cannot plan: ${describeError(error)}`, 1);
  }
  if (values.json) {
    printJson({ resource: plan.resource, kinds: plan.kinds, actions: plan.actions });
  } else {
    console.log(renderPlan(plan));
  }
  return 0;
}

function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string; issues?: Array<{ path: Array<string | number>; message: string }> };
  if ((e?.name === 'ZodError' || e?.name === '$ZodError') && Array.isArray(e.issues)) {
    return e.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
  }
  return e?.message ?? String(error);
}
