import { note, type CliContext } from '../context';
import { CliError, UsageError } from '../errors';
import { suggest } from '../suggest';
import { FUNCTIONS, type FunctionName } from '../functions';
import { describeCall } from '../invoke-plan';
import { printJson, readJsonInput } from '../io';
import { openLocalInvoker, type InvokeMode } from '../local-invoke';
import type { TargetFlags } from '../options';
import { accountFlagsGiven, resolveAwsTarget } from '../target';
import { InvalidEventError } from '../../lib/aws/errors';

export interface InvokeOptions extends TargetFlags {
  name: string;
  event: string;
  live?: boolean | undefined;
  describe?: string | undefined;
}

/** `sagewatch invoke` (flags in cli/flags/invoke.ts). */
export async function runInvoke(options: InvokeOptions, ctx: CliContext): Promise<void> {
  const { name } = options;
  if (!(name in FUNCTIONS)) {
    const guess = suggest(name, Object.keys(FUNCTIONS));
    throw new UsageError(`unknown function '${name}'${guess ? ` (did you mean ${guess}?)` : `; functions: ${Object.keys(FUNCTIONS).join(', ')}`}`);
  }
  if (options.event === '-' && options.describe === '-') throw new UsageError('only one of <event> and --describe can read standard input');
  const mode = await modeOf(options, ctx);
  const event = await readJsonInput(options.event);

  const invoker = await openLocalInvoker(mode, ctx);
  if (mode.kind === 'live') note(ctx, `live against ${invoker.where}`);
  try {
    let result: unknown;
    try {
      result = await invoker.invoke(name as FunctionName, event);
    } catch (error) {
      if (error instanceof InvalidEventError) throw new CliError(`${name}: ${error.message}`, 1);
      throw new CliError(`${name} failed: ${(error as Error).message ?? String(error)}`, 1);
    }
    printJson(result ?? null, ctx.stdout);
    if (invoker.plan) {
      const calls = invoker.plan.calls;
      const sagemaker = calls.some((c) => c.service === 'sagemaker') ? `; SageMaker answered from ${invoker.plan.describeSource}` : '';
      note(ctx, `planned, nothing changed: ${calls.length} AWS request(s) recorded, none sent${sagemaker}; DynamoDB is ${invoker.where}`);
      for (const call of calls) note(ctx, describeCall(call));
    }
  } finally {
    await invoker.close();
  }
}

/** Planned unless the user names the account and asks for it: a stray --region alone is refused, not obeyed or ignored. */
async function modeOf(options: InvokeOptions, ctx: CliContext): Promise<InvokeMode> {
  const named = accountFlagsGiven(options);
  if (!options.live) {
    if (named.length > 0) throw new UsageError(`${named.join(' ')} names an AWS account, but invoke only plans unless --live is given too`);
    return options.describe === undefined ? { kind: 'plan' } : { kind: 'plan', describe: await readJsonInput(options.describe, 'describe') };
  }
  if (options.region === undefined && options.profile === undefined) {
    throw new UsageError('--live acts on an AWS account: name it with --region R or --profile P');
  }
  if (options.describe !== undefined) throw new UsageError("--describe is for planned invokes; with --live the handler describes the account's resources");
  const target = await resolveAwsTarget(options, ctx.env, '--live');
  return { kind: 'live', target, stage: options.stage ?? (ctx.env.SAGEWATCH_STAGE || 'dev') };
}
