import { print, type CliContext } from '../context';
import { CliError, UsageError } from '../errors';
import type { OutputFormat } from '../options';
import { printJson, readJsonInput } from '../io';
import { planFromFiles, renderPlan, type Plan } from '../../lib/attach/plan';

export interface PlanOptions {
  event: string;
  describe?: string | undefined;
  output: OutputFormat;
}

/** `sagewatch plan` (flags in cli/flags/plan.ts). */
export async function runPlan(values: PlanOptions, ctx: CliContext): Promise<void> {
  if (values.event === '-' && values.describe === '-') throw new UsageError('only one of --event and --describe can read standard input');
  const event = await readJsonInput(values.event, 'event');
  const describe = values.describe === undefined ? undefined : await readJsonInput(values.describe, 'describe');
  // A state change names its endpoint in the detail, a CloudTrail CreateInferenceComponent call in its request.
  const eventDetail = (event as { detail?: { EndpointName?: unknown; requestParameters?: { endpointName?: unknown } } })?.detail;
  const eventName = eventDetail?.EndpointName ?? eventDetail?.requestParameters?.endpointName;
  const describedName = (describe as { endpoint?: { EndpointName?: unknown } } | undefined)?.endpoint?.EndpointName;
  if (typeof eventName === 'string' && typeof describedName === 'string' && eventName !== describedName) {
    throw new UsageError(`--describe is for endpoint ${describedName} but the event is for endpoint ${eventName}`);
  }
  let plan: Plan;
  try {
    plan = await planFromFiles({ event, ...(describe !== undefined ? { describe } : {}) });
  } catch (error) {
    throw new CliError(`cannot plan: ${describeError(error)}`, 1);
  }
  if (values.output === 'json') {
    printJson({ resource: plan.resource, kinds: plan.kinds, actions: plan.actions, monthlyCostUsd: plan.cost.monthlyCostUsd, cost: plan.cost.lines }, ctx.stdout);
  } else {
    print(ctx, renderPlan(plan));
  }
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
