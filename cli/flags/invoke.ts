import { Command, Option } from '@commander-js/extra-typings';
import { FUNCTIONS } from '../functions';
import { targetOptions } from '../options';
import { contextOf, type CliIo } from './context';

/** `sagewatch invoke`: flags only; the logic is cli/commands/invoke.ts. */
export function invokeFlags(io: CliIo) {
  const [region, profile, stage] = targetOptions();
  return new Command('invoke')
    .description('run one handler locally on an event file (- for stdin), like `serverless invoke local`')
    .argument('<function>', `one of: ${Object.keys(FUNCTIONS).join(', ')}`)
    .argument('<event>', 'event file (JSON), or - to read it from standard input')
    .option('--describe <file>', 'SageMaker describe outputs the planned handler reads (default: the samples in events/sagemaker/describe)')
    .addOption(new Option('--live', 'call the AWS account named by --region/--profile instead of planning'))
    .addOption(region)
    .addOption(profile)
    .addOption(stage)
    .addHelpText(
      'after',
      '\nPlanned by default: DynamoDB is the embedded store in $SAGEWATCH_HOME, and every request to\n' +
        'SageMaker, CloudWatch, Logs, SNS or the webhook secret is recorded and printed instead of sent\n' +
        '("planned, nothing changed"), whatever credentials the environment holds. --live with --region\n' +
        'or --profile runs the handler against that account and the tables of --stage (default dev).\n' +
        'The return value goes to stdout as JSON; logs, metrics and the plan go to stderr.',
    )
    .action(async (name, event, flags, command) => {
      const { runInvoke } = await import('../commands/invoke');
      await runInvoke({ name, event, ...flags }, contextOf(command, io));
    });
}
