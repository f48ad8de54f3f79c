import { LocalSns, type PublishedMessage } from './sns';

type NotifySlack = (event: unknown, context: { getRemainingTimeInMillis(): number }) => Promise<unknown>;

/** Lambda retries a failed asynchronous invocation twice before its on-failure destination. */
const ASYNC_ATTEMPTS = 3;

/** The SNS → Lambda event a subscriber function of the topic receives for one message. */
export function snsRecordEvent(message: PublishedMessage, topicArn: string) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:local`,
        Sns: {
          Type: 'Notification',
          MessageId: message.messageId,
          TopicArn: message.topicArn,
          Subject: message.subject ?? null,
          Message: LocalSns.deliveredBody(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/local.pem',
          UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

/**
 * The alerts topic's Slack subscription of a local run: every published alert goes to the
 * notify-slack handler with Lambda's asynchronous retry semantics. Returns how many messages
 * exhausted their attempts (the deployed function's on-failure queue).
 */
export function subscribeNotifySlack(sns: LocalSns, topicArn: string, notifySlack: NotifySlack): { failed: () => number } {
  let failed = 0;
  sns.subscribe(async (message) => {
    const event = snsRecordEvent(message, topicArn);
    for (let attempt = 0; attempt < ASYNC_ATTEMPTS; attempt++) {
      try {
        await notifySlack(event, { getRemainingTimeInMillis: () => 30_000 });
        return;
      } catch {
        // Retried like an asynchronous invocation.
      }
    }
    failed++;
  });
  return { failed: () => failed };
}
