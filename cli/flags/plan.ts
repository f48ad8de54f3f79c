import { Command } from '@commander-js/extra-typings';
import { outputFormat, outputOptions } from '../options';
import { contextOf, type CliIo } from './context';

/** `sagewatch plan`: flags only; the logic is cli/commands/plan.ts. */
export function planFlags(io: CliIo) {
  const [output, json] = outputOptions();
  return new Command('plan')
    .description('what converging a SageMaker resource would attach, without AWS (like terraform plan)')
    .requiredOption('--event <file>', 'the EventBridge event (Endpoint / Job / Pipeline state change), - for stdin')
    .option('--describe <file>', 'the Describe* outputs: { "endpoint", "endpointConfig", "models", "inferenceComponents" }, or { "job" }; an endpoint event alone cannot tell its kinds')
    .addOption(output)
    .addOption(json)
    .addHelpText('after', '\nWith --output json: { "resource", "kinds", "actions": [{ "service", "action", "input" }] }, action being the AWS API operation and input its exact request.')
    .action(async (flags, command) => {
      const { runPlan } = await import('../commands/plan');
      await runPlan({ ...flags, output: outputFormat(flags) }, contextOf(command, io));
    });
}
