import { SNSClient } from '@aws-sdk/client-sns';
// zod/mini: full zod adds ~440 KB to the bundle for the same checks.
import * as z from 'zod/mini';
import { createSnsPublisher, type AlertPublisher } from '../lib/alerts/publish';
import { reportProblems, type ReportInput } from '../lib/attach/report';
import { loadConfig } from '../lib/config';
import { normalizeEvent } from '../lib/sagemaker/events';
import { ResourceRefSchema } from '../lib/sagemaker/resource';

/**
 * Attach / reconcile task "Report": problems of a converge run, or a Catch's error output
 * with the state input it failed on, → alerts on the alerts topic. Returns how many it sent.
 */
const InputSchema = z.looseObject({
  resource: z.nullish(ResourceRefSchema),
  event: z.optional(z.unknown()),
  problems: z.optional(z.array(z.looseObject({ code: z.string(), key: z.string(), message: z.string(), action: z.optional(z.string()), error: z.optional(z.string()) }))),
  error: z.nullish(z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
  step: z.optional(z.string()),
});

export function createHandler(overrides: { publisher?: AlertPublisher; now?: () => number } = {}) {
  let publisher: AlertPublisher | undefined;
  return async (event: unknown): Promise<{ published: number }> => {
    if (!publisher) {
      const config = loadConfig();
      if (!overrides.publisher && !config.alertsTopicArn) throw new Error('ALERTS_TOPIC_ARN is not set: control plane problems cannot be reported');
      publisher = overrides.publisher ?? createSnsPublisher({ client: new SNSClient({ region: config.region }), topicArn: config.alertsTopicArn! });
    }
    const input = InputSchema.parse(event);
    const report: ReportInput = {
      resource: input.resource ?? resourceOfEvent(input.event),
      ...(input.problems ? { problems: input.problems } : {}),
      ...(input.error ? { error: input.error } : {}),
      ...(input.step ? { step: input.step } : {}),
    };
    return reportProblems(report, publisher, (overrides.now ?? Date.now)());
  };
}

/** A failure before the resource was known (the event itself was unreadable) is still reported. */
function resourceOfEvent(event: unknown) {
  if (event === undefined) return null;
  try {
    return normalizeEvent(event).resource;
  } catch {
    return null;
  }
}

export const handler = createHandler();
