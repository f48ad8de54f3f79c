/** A problem the user can fix; printed as one line, never with a stack trace (unless --debug). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** A mistake in how the command was called: exit status 2, like the AWS CLI and osls. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, 2);
  }
}
