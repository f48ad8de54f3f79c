import { getAtt, ref, sub, type Cfn, type PolicyStatement } from './cfn';
import { MANAGED_TAGS, type StackNames } from './names';
import { parseSecretReference } from './params';

export const ALERTS_TOPIC = 'AlertsTopic';
export const ALERTS_TOPIC_KEY = 'AlertsTopicKey';

/**
 * Key administration and use stay with the account, delegated to IAM policies (the default key
 * policy's intent), spelled out instead of `kms:*`.
 */
const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/**
 * The alerts topic: CloudWatch alarms (sagewatch's own and the ones it attaches) and
 * request-level alerts publish here; notify-slack and any user subscription read it.
 *
 * Encrypted with a customer managed key, not `alias/aws/sns`: CloudWatch alarms cannot publish
 * to a topic encrypted with the AWS managed key, whose policy cannot grant them
 * kms:GenerateDataKey/Decrypt (AWS re:Post "cloudwatch-configure-alarm-sns").
 */
export function alertsResources(names: StackNames): Cfn {
  return {
    [ALERTS_TOPIC_KEY]: {
      Type: 'AWS::KMS::Key',
      // Nothing else is encrypted with it, so it goes with the topic; KMS still waits 7 days.
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {
        Description: `${names.prefix} alerts topic encryption`,
        EnableKeyRotation: true,
        PendingWindowInDays: 7,
        KeyPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AccountAdministersThroughIam',
              Effect: 'Allow',
              Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
              Action: KEY_ADMIN_ACTIONS,
              // In a key policy "*" is this key and nothing else.
              Resource: '*',
            },
            {
              // AWS's documented statement carries no condition: a kms:CallerAccount condition
              // is known to make alarm deliveries fail. Who may publish is the topic policy's job.
              Sid: 'CloudWatchAlarmsPublishToTheTopic',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
            },
          ],
        },
        Tags: MANAGED_TAGS,
      },
    },
    AlertsTopicKeyAlias: {
      Type: 'AWS::KMS::Alias',
      Properties: { AliasName: `alias/${names.prefix}-alerts`, TargetKeyId: ref(ALERTS_TOPIC_KEY) },
    },
    [ALERTS_TOPIC]: {
      Type: 'AWS::SNS::Topic',
      Properties: {
        TopicName: `${names.prefix}-alerts`,
        DisplayName: 'sagewatch alerts',
        KmsMasterKeyId: ref(ALERTS_TOPIC_KEY),
        Tags: MANAGED_TAGS,
      },
    },
    AlertsTopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [ref(ALERTS_TOPIC)],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              // Any alarm of this account and region: sagewatch's own, those it attaches, and
              // whatever the user points here.
              Sid: 'CloudWatchAlarmsOfThisAccount',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: ref(ALERTS_TOPIC),
              Condition: {
                StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
                ArnLike: { 'aws:SourceArn': sub('arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*') },
              },
            },
            {
              Sid: 'TlsOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Resource: ref(ALERTS_TOPIC),
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
  };
}

/**
 * notify-slack's subscription to the alerts topic, only when a webhook secret is configured:
 * without Slack, alerts go to the SNS topic's other subscribers and nothing is left failing
 * (a subscribed notifier with no webhook would throw on every alert, park it in its failure
 * queue and trip its own health alarms, which notify the same topic).
 */
export function slackSubscription(names: StackNames, slackWebhookSecret: string): Array<{ sns: { arn: unknown; topicName: string } }> {
  return slackWebhookSecret === '' ? [] : [{ sns: { arn: ref(ALERTS_TOPIC), topicName: `${names.prefix}-alerts` } }];
}

/** What a role needs to publish to the alerts topic (the detectors, the sweeper, reportProblems). */
export function publishAlertsStatements(): PolicyStatement[] {
  return [
    { Effect: 'Allow', Action: ['sns:Publish'], Resource: ref(ALERTS_TOPIC) },
    // SNS encrypts with the topic's key on the publisher's behalf.
    { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: getAtt(ALERTS_TOPIC_KEY, 'Arn') },
  ];
}

/**
 * What notify-slack needs to read the webhook URL from where `slackWebhookSecret` says, and
 * nothing when it is empty. The secret's value never appears: only its name, in an ARN.
 * AWS managed keys (alias/aws/ssm, aws/secretsmanager) need no IAM grant; a secret encrypted
 * with a customer managed key needs kms:Decrypt on it, added by whoever chose that key.
 */
export function slackSecretStatements(secretReference: string): PolicyStatement[] {
  if (secretReference === '') return [];
  const parsed = parseSecretReference(secretReference);
  if (!parsed) throw new Error(`slackWebhookSecret: cannot parse ${JSON.stringify(secretReference)}`);
  if ('arn' in parsed) {
    // A full ARN (with Secrets Manager's random suffix) names exactly one parameter or secret.
    return [{ Effect: 'Allow', Action: [parsed.store === 'ssm' ? 'ssm:GetParameter' : 'secretsmanager:GetSecretValue'], Resource: parsed.arn }];
  }
  if (parsed.store === 'ssm') {
    const name = parsed.name.startsWith('/') ? parsed.name.slice(1) : parsed.name;
    return [
      {
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name}`),
      },
    ];
  }
  return [
    {
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: sub(`arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${parsed.name}-??????`),
    },
  ];
}
