import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { UsageError } from './errors';

/**
 * Option definitions every command shares, so the same flag reads and fails the same way
 * everywhere. A command file adds its own flags next to these (see cli/flags/).
 */

/** `--limit 50`, `--requests 400`: a whole number of at least `min`; `-3` is an error, not a flag. */
export function wholeNumber(min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    return n;
  };
}

export type OutputFormat = 'table' | 'json';

/** `--output table|json` like the AWS CLI, and `--json` as the short way to say `--output json`. */
export function outputOptions() {
  return [new Option('--output <format>', 'output format').choices(['table', 'json'] as const), new Option('--json', 'same as --output json')] as const;
}

export function outputFormat(flags: { output?: OutputFormat | undefined; json?: boolean | undefined }): OutputFormat {
  if (flags.json && flags.output === 'table') throw new UsageError('--json and --output table contradict each other; use one');
  return flags.json ? 'json' : (flags.output ?? 'table');
}

/** Where a command reads or acts in an AWS account: the AWS CLI's flags plus the stack's stage. */
export interface TargetFlags {
  region?: string | undefined;
  profile?: string | undefined;
  stage?: string | undefined;
  table?: string | undefined;
}

export function targetOptions() {
  return [
    new Option('--region <region>', "AWS Region of the deployed stack (default: the profile's or AWS_REGION)"),
    new Option('--profile <name>', 'named profile from ~/.aws/config and ~/.aws/credentials, as the AWS CLI uses it'),
    new Option('--stage <stage>', 'stage the stack was deployed with (osls --stage); default dev'),
  ] as const;
}
