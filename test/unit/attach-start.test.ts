import { SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/start-attach';
import { fixture } from './attach-fixtures';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:eu-west-1:111122223333:stateMachine:sagewatch-test-attach';

beforeEach(() => sfn.reset());

describe('start-attach handler', () => {
  it('starts the attach execution under the change’s name, with the event as input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:ep-fraud-scorer-InService-1717239600456`, startDate: new Date() });
    const event = fixture('endpoint-state-change.in-service.json');
    const result = await createHandler({ sfn: new SFNClient({ region: 'eu-west-1' }), stateMachineArn: ARN })(event);
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { stateMachineArn: ARN, name: 'ep-fraud-scorer-InService-1717239600456', input: JSON.stringify(event) });
    expect(result).toEqual({ name: 'ep-fraud-scorer-InService-1717239600456', executionArn: `${ARN}:ep-fraud-scorer-InService-1717239600456`, duplicate: false });
  });

  it('a duplicate of one change starts nothing more', async () => {
    sfn.on(StartExecutionCommand).rejects(new SFNServiceException({ name: 'ExecutionAlreadyExists', $fault: 'client', $metadata: {}, message: 'Execution Already Exists' }));
    const result = await createHandler({ sfn: new SFNClient({ region: 'eu-west-1' }), stateMachineArn: ARN })(fixture('endpoint-state-change.in-service.json'));
    expect(result).toEqual({ name: 'ep-fraud-scorer-InService-1717239600456', duplicate: true });
  });

  it('an event that is not a SageMaker state change is skipped, not retried forever', async () => {
    const result = await createHandler({ sfn: new SFNClient({ region: 'eu-west-1' }), stateMachineArn: ARN })({
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance State-change Notification',
      detail: {},
    });
    expect(result.skipped).toMatch(/not a SageMaker EventBridge event/);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});
