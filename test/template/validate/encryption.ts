import type { CfnTemplate } from '../../support/template';
import { intrinsicName, isPlainObject } from './intrinsics';

/**
 * Encryption at rest, per resource type that stores data. A stateful type of the template that
 * is in neither table fails the test, so a new kind of store gets a decision, not a default.
 */
type Check = (props: Record<string, unknown>) => string | undefined;

const present = (value: unknown) => value !== undefined && value !== null && value !== '' && value !== false;
const truthy = (value: unknown) => value === true || value === 'true' || intrinsicName(value) !== undefined;

export const ENCRYPTION_RULES: Record<string, Check> = {
  'AWS::Kinesis::Stream': (props) => {
    const encryption = props.StreamEncryption;
    return isPlainObject(encryption) && encryption.EncryptionType === 'KMS' && present(encryption.KeyId) ? undefined : 'StreamEncryption { EncryptionType: KMS, KeyId } missing';
  },
  'AWS::SQS::Queue': (props) => (truthy(props.SqsManagedSseEnabled) || present(props.KmsMasterKeyId) ? undefined : 'neither SqsManagedSseEnabled nor KmsMasterKeyId'),
  'AWS::SNS::Topic': (props) => (present(props.KmsMasterKeyId) ? undefined : 'KmsMasterKeyId missing'),
  'AWS::DynamoDB::Table': (props) => (isPlainObject(props.SSESpecification) && truthy(props.SSESpecification.SSEEnabled) ? undefined : 'SSESpecification.SSEEnabled missing'),
  'AWS::S3::Bucket': (props) =>
    isPlainObject(props.BucketEncryption) && Array.isArray(props.BucketEncryption.ServerSideEncryptionConfiguration) && props.BucketEncryption.ServerSideEncryptionConfiguration.length > 0
      ? undefined
      : 'BucketEncryption missing',
  'AWS::KinesisFirehose::DeliveryStream': (props) =>
    present(props.DeliveryStreamEncryptionConfigurationInput) || present(props.KinesisStreamSourceConfiguration) ? undefined : 'DeliveryStreamEncryptionConfigurationInput missing',
};

/** Stateful types that are encrypted by the service whatever the template says, with why. */
export const ENCRYPTED_BY_THE_SERVICE: Record<string, string> = {
  'AWS::Logs::LogGroup': 'CloudWatch Logs always encrypts log data at rest (service-owned keys unless a KmsKeyId is given)',
  'AWS::KMS::Key': 'a key is the encryption',
  'AWS::StepFunctions::StateMachine': 'Step Functions encrypts definitions and execution data at rest (AWS owned key unless EncryptionConfiguration names one)',
  'AWS::Lambda::Version': 'a published version is code, stored encrypted by Lambda',
  'AWS::CloudWatch::Alarm': 'configuration, not data',
  'AWS::CloudWatch::Dashboard': 'configuration, not data',
};

export function encryptionProblems(template: CfnTemplate, statefulTypes: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const rule = ENCRYPTION_RULES[resource.Type];
    if (rule) {
      const problem = rule(resource.Properties ?? {});
      if (problem) problems.push(`Resources.${id} (${resource.Type}): ${problem}`);
    } else if (statefulTypes.has(resource.Type) && !(resource.Type in ENCRYPTED_BY_THE_SERVICE)) {
      problems.push(`Resources.${id}: ${resource.Type} stores data and has no encryption rule; add one to test/template/validate/encryption.ts`);
    }
  }
  return problems;
}
