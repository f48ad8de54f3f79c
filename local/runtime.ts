import { resetStream } from './kinesis';
import { buildScenario, scenarioFromFile, type Scenario } from './simulator';
import type { ScenarioFile } from './scenario-file';
import { createDocumentClient } from '../lib/aws/clients';
import { requestStoreFromConfig } from '../lib/store';
import { ChatNotificationSchema, alertFromChatNotification } from '../lib/alerts/chat-parse';
import type { Alert } from '../lib/alert-model/alert';
import { runControlPlane, type ControlPlaneRun } from './control-plane';
import { SimulatedClock, realNow } from './clock';
import { startLocalStack, LOCAL_ALERTS_TOPIC, type LocalStack } from './emulators';
import { StdoutCapture } from './stdout-capture';
import { subscribeNotifySlack } from './alert-subscription';
import { Chaos } from './chaos';
import { playTimeline } from './player';
import { evidenceOf, fewestChanged } from './evidence-arrival';
import { Expectations, judge, type AlertRef, type Detection, type Miss, type Verdict } from './demo-summary';
import { LocalSns } from './sns';

export interface DemoOptions {
  requests: number;
  endpoints: number;
  seed: number;
  faults: 'default' | 'none';
  chaos: boolean;
  home: string;
  /** Plays this scenario instead of the default demo's traffic (`--scenario FILE`). */
  scenario?: ScenarioFile;
  /** Progress lines (or a bar on a terminal) go here. */
  progress?: (fraction: number, label: string) => void;
  /** Handler output (logs, EMF) is captured; with verbose it is also copied to stderr. */
  verbose?: boolean;
  /** The end of the simulated timeline; default now. */
  end?: number;
}

export interface DemoSummary {
  seed: number;
  requests: number;
  correlated: number;
  lost: number;
  duplicatesCounted: number;
  /**
   * The faults that must be caught: the `expect: alert` conditions, and the failed training job.
   * `affectedRequests`: the requests the fault changed (for an error burst, those it made fail);
   * `detectableFrom`: the fewest the detector needs (for a burst, the failures in a row that page
   * against the endpoint's own baseline rate; for a shift, the slower requests that tell its
   * shifted mixture from its own), below which it cannot be caught by design.
   */
  injected: Array<{
    id: string;
    kind: string;
    resource: string;
    fromMinute: number;
    withinMinutes: number;
    affectedRequests: number;
    detectableFrom: number;
    /**
     * Minutes after fromMinute by which the traffic has sent `detectableFrom` changed requests, 9
     * times in 10 (local/evidence-arrival.ts): no detector can be faster. null when that is unlikely
     * before the fault ends; absent for a fault that changes no request (the failed training job).
     */
    evidenceP90Minutes?: number | null;
  }>;
  detected: Detection[];
  /** Faults not caught in time (with why). */
  missed: Miss[];
  falseAlerts: Verdict['falseAlerts'];
  /** Alerts about sagewatch's own inputs falling behind (not request alerts). */
  selfMonitoring: Verdict['selfMonitoring'];
  /** Every alert published, in order: what a platform team would have received. */
  alerts: Array<{ atMinute: number; kind: string; resource: string; status: string; severity: string; title: string }>;
  /** Every condition played, `expect: none` ones included, and how many requests it changed. */
  conditions: Array<{ id: string; type: string; endpoint?: string; expect: string; fromMinute: number; toMinute: number; affectedRequests: number }>;
  attached: ControlPlaneRun['attached'];
  controlPlane?: ControlPlaneRun['controlPlane'];
  metrics: Record<string, number>;
  alertsSent: number;
  alertsDeliveredToSlack: number;
  slackDuplicates: number;
  chaos?: { throttledWrites: number; crashedInvocations: number; redeliveredBatches: number; duplicatedMessages: number; slackRejections: number };
  deadLetters: number;
  kinesisFailures: number;
  endpoints: Array<{ name: string; kind: string }>;
  durationMinutes: number;
  elapsedMs: number;
}

export type { AlertRef };

const STREAM = 'sagewatch-local-logs';
const ACCOUNT = '123456789012';
const SWEEP_EVERY_MINUTES = 5;

export async function runDemo(options: DemoOptions): Promise<{ summary: DemoSummary; scenario: Scenario; alerts: Alert[] }> {
  const started = realNow();
  const progress = options.progress ?? (() => {});
  progress(0, 'starting embedded DynamoDB and Kinesis');
  const stack = await startLocalStack({ home: options.home, chaos: options.chaos });
  // On a slot boundary (the detectors' five minutes): where the run starts in the day does not change what it detects.
  const end = options.end ?? Math.floor(started / 300_000) * 300_000;
  const scenario = options.scenario
    ? scenarioFromFile(options.scenario, { seed: options.seed, end, region: stack.region, account: ACCOUNT })
    : buildScenario({ seed: options.seed, requests: options.requests, endpoints: options.endpoints, faults: options.faults, end, region: stack.region, account: ACCOUNT });
  const capture = new StdoutCapture(options.verbose ?? false);
  const clock = new SimulatedClock(scenario.start);
  const chaos = options.chaos ? new Chaos(options.seed) : undefined;
  const expectations = new Expectations();
  let delivered = 0;
  try {
    // From here on the simulated clock runs: the stream is created at the start of the timeline.
    clock.install();
    await resetStream(stack.kinesis.client, STREAM, 2);
    capture.start();
    const { handler: processLogs } = await import('../functions/process-logs');
    const { handler: processNotifications } = await import('../functions/process-notifications');
    const { handler: notifySlack } = await import('../functions/notify-slack');
    const { handler: sweepRequests } = await import('../functions/sweep-requests');
    subscribeNotifySlack(stack.sns, LOCAL_ALERTS_TOPIC, notifySlack);

    progress(0.02, 'attaching monitoring to every endpoint and job');
    const { attached, controlPlane } = await runControlPlane(scenario, { config: stack.config, snsEndpoint: stack.snsEndpoint, topicArn: LOCAL_ALERTS_TOPIC });
    await stack.sns.settle();

    const played = await playTimeline(
      scenario,
      stack,
      clock,
      { processLogs, processNotifications, sweepRequests },
      {
        stream: STREAM,
        account: ACCOUNT,
        ...(chaos ? { chaos } : {}),
        sweepEveryMinutes: SWEEP_EVERY_MINUTES,
        onRequest: (request) => {
          expectations.record(request);
          if (request.notificationDelivered) delivered++;
        },
        progress: (fraction, label) => progress(0.05 + 0.85 * fraction, label),
      },
    );

    progress(0.92, 'sweeping for requests that never got a notification');
    clock.advanceTo(scenario.end);
    await sweepRequests();
    await stack.sns.settle();
    capture.stop();
    clock.uninstall();

    progress(0.96, 'reading back the correlated records');
    const correlated = await countCorrelated(stack, scenario, expectations);
    const alerts = publishedAlerts(stack.sns);
    const verdict = judge(scenario, alerts);
    const counted = capture.sum('RequestsCompleted', ['EndpointName']) + capture.sum('RequestsFailed', ['EndpointName']);
    const slackTexts = stack.slack.accepted.map((post) => JSON.stringify(post.body));
    const minuteOf = (ms: number) => Math.round((ms - scenario.start) / 6_000) / 10;
    const summary: DemoSummary = {
      seed: scenario.seed,
      requests: expectations.count,
      correlated,
      lost: expectations.count - correlated,
      duplicatesCounted: Math.max(0, counted - delivered),
      injected: scenario.faults.map((f) => {
        const detectableFrom = fewestChanged(f, scenario.traffic, stack.config);
        return {
          id: f.id,
          kind: f.kind,
          resource: f.resource,
          fromMinute: minuteOf(f.from),
          withinMinutes: f.withinMinutes,
          affectedRequests: expectations.affected.get(f.id) ?? 0,
          detectableFrom,
          ...evidenceOf(scenario.traffic, f.id, detectableFrom),
        };
      }),
      detected: verdict.detected,
      missed: verdict.missed,
      falseAlerts: verdict.falseAlerts,
      selfMonitoring: verdict.selfMonitoring,
      alerts: alerts.map((a) => ({
        atMinute: minuteOf(Date.parse(a.detectedAt)),
        kind: a.kind,
        resource: a.resource.name,
        status: a.status,
        severity: a.severity,
        title: a.title,
      })),
      conditions: scenario.traffic.conditions.map((c) => ({
        id: c.id,
        type: c.type,
        ...(c.endpoint !== undefined ? { endpoint: c.endpoint } : {}),
        expect: c.expect,
        fromMinute: c.fromMinute,
        toMinute: c.toMinute,
        affectedRequests: expectations.affected.get(c.id) ?? 0,
      })),
      attached,
      controlPlane,
      metrics: {
        RequestsCompleted: capture.sum('RequestsCompleted', ['EndpointName']),
        RequestsFailed: capture.sum('RequestsFailed', ['EndpointName']),
        LogErrorsWithoutNotification: capture.sum('LogErrorsWithoutNotification', ['EndpointName']),
        StuckRequests: capture.sum('StuckRequests', ['EndpointName']),
        EndToEndLatencySamples: capture.count('EndToEndLatency'),
      },
      alertsSent: stack.sns.published.length,
      alertsDeliveredToSlack: stack.slack.accepted.length,
      slackDuplicates: slackTexts.length - new Set(slackTexts).size,
      ...(chaos
        ? {
            chaos: {
              throttledWrites: stack.proxy?.throttled ?? 0,
              crashedInvocations: chaos.crashedInvocations,
              redeliveredBatches: chaos.redeliveredBatches,
              duplicatedMessages: chaos.duplicatedMessages,
              slackRejections: stack.slack.rejected,
            },
          }
        : {}),
      deadLetters: played.deadLetters,
      kinesisFailures: played.kinesisFailures,
      endpoints: scenario.endpoints.map((e) => ({ name: e.name, kind: e.spec.kind })),
      durationMinutes: Math.round((scenario.end - scenario.start) / 60_000),
      elapsedMs: realNow() - started,
    };
    progress(1, 'done');
    return { summary, scenario, alerts };
  } finally {
    clock.uninstall();
    capture.stop();
    await stack.close();
  }
}

function publishedAlerts(sns: LocalSns): Alert[] {
  const alerts: Alert[] = [];
  for (const message of sns.published) {
    try {
      const parsed = ChatNotificationSchema.safeParse(JSON.parse(LocalSns.deliveredBody(message)));
      const alert = parsed.success ? alertFromChatNotification(parsed.data) : undefined;
      if (alert) alerts.push(alert);
    } catch {
      // Not an alert of ours.
    }
  }
  return alerts;
}

/** Reads the records back a slice of time at a time, so the check holds one slice in memory. */
async function countCorrelated(stack: LocalStack, scenario: Scenario, expectations: Expectations): Promise<number> {
  const store = requestStoreFromConfig(stack.config, createDocumentClient({ region: stack.config.region }));
  const sliceMs = 30 * 60_000;
  // Expired requests were received hours before they failed.
  const from = scenario.start - 7 * 3_600_000;
  const to = scenario.end + 3_600_000;
  const notifyLag = Math.max(0, ...scenario.traffic.conditions.filter((c) => c.type === 'notification-delay').map((c) => (c.type === 'notification-delay' ? c.delayMinutes : 0)));
  const stuckBefore = scenario.end - (stack.config.stuckAfterMinutes + SWEEP_EVERY_MINUTES + 1 + notifyLag) * 60_000;
  let correlated = 0;
  for (const endpoint of scenario.traffic.endpoints) {
    for (let t = from; t < to; t += sliceMs) {
      const records = await store.queryByEndpoint({
        endpointName: endpoint.name,
        from: new Date(t).toISOString(),
        to: new Date(t + sliceMs - 1).toISOString(),
        limit: 1_000_000,
      });
      for (const record of records) if (expectations.check(record, stuckBefore) === true) correlated++;
    }
  }
  return correlated;
}
