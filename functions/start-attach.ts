import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { loadConfig, type Config } from '../lib/config';
import { InvalidEventError } from '../lib/aws/errors';
import { attachExecutionName } from '../lib/sagemaker/execution-name';
import { readEvent } from '../lib/sagemaker/events';

/**
 * Optional EventBridge rule target in front of the attach state machine: starts it under a
 * name derived from the change (resource, status, change time), so the several events
 * SageMaker sends for one change start one execution. Targeting the state machine directly
 * also works (convergence is idempotent and locked), at the cost of duplicate executions.
 */
export interface StartAttachResult {
  name?: string;
  executionArn?: string;
  duplicate: boolean;
  skipped?: string;
}

export function createHandler(overrides: { sfn?: SFNClient; stateMachineArn?: string } = {}) {
  let sfn: SFNClient | undefined;
  return async (event: unknown): Promise<StartAttachResult> => {
    // ATTACH_STATE_MACHINE_ARN is to be added to lib/config.ts as `attachStateMachineArn`.
    const config = loadConfig() as Config & { attachStateMachineArn?: string };
    const stateMachineArn = overrides.stateMachineArn ?? config.attachStateMachineArn;
    if (!stateMachineArn) throw new Error('ATTACH_STATE_MACHINE_ARN is not set');
    sfn ??= overrides.sfn ?? new SFNClient({ region: config.region });
    let name: string;
    try {
      name = attachExecutionName(readEvent(event));
    } catch (error) {
      // A rule matching something it should not is a template bug: visible, not retried forever.
      if (error instanceof InvalidEventError) return { duplicate: false, skipped: error.message };
      throw error;
    }
    try {
      const output = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(event) }));
      return { name, ...(output.executionArn ? { executionArn: output.executionArn } : {}), duplicate: false };
    } catch (error) {
      if ((error as { name?: string }).name === 'ExecutionAlreadyExists') return { name, duplicate: true };
      throw error;
    }
  };
}

export const handler = createHandler();
