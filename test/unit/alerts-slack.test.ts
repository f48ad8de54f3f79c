import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toChatNotification } from '../../lib/alerts/chat';
import { ALERT_KINDS, AlertSchema, createAlert, resolveAlert, RESOURCE_TYPES, SEVERITIES, type Alert } from '../../lib/alert-model/alert';
import { detectFormat, renderForSlack, SLACK_LIMITS, type InboundFormat, type SlackBlock, type SlackMessage } from '../../lib/alerts/slack';
import { validateSlackPayload } from '../support/fake-slack';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../events/alerts/${name}.json`, import.meta.url), 'utf8'));
}

function snsMessage(name: string): { message: string; subject: string | null } {
  const sns = (fixture(name) as { Records: Array<{ Sns: { Message: string; Subject: string | null } }> }).Records[0]!.Sns;
  return { message: sns.Message, subject: sns.Subject };
}

/** All mrkdwn and plain texts of a message, in order. */
function texts(message: SlackMessage): string[] {
  return message.blocks.flatMap((block: SlackBlock) => {
    if (block.type === 'header') return [block.text.text];
    if (block.type === 'section') return 'text' in block ? [block.text.text] : block.fields.map((f) => f.text);
    if (block.type === 'context') return block.elements.map((e) => e.text);
    return [];
  });
}

function header(message: SlackMessage): string {
  const first = message.blocks[0];
  if (first?.type !== 'header') throw new Error('no header');
  return first.text.text;
}

describe('sagewatch alerts', () => {
  const alert = AlertSchema.parse(fixture('alert-failure-burst')) as Alert;

  it('detects the chat-format message of the alerts topic and renders the alert it carries', () => {
    const { message, subject } = snsMessage('sns-sagewatch-alert');
    expect(detectFormat(message)).toBe('sagewatch-alert');
    const slack = renderForSlack(message, { subject });
    expect(validateSlackPayload(slack)).toEqual([]);
    expect(slack.text).toBe('[CRITICAL] Failure burst on doc-summarizer: 38% of requests failed (endpoint doc-summarizer/AllTraffic)');
    expect(header(slack)).toBe(':red_circle: Failure burst on doc-summarizer: 38% of requests failed');
    const all = texts(slack);
    expect(all).toContain('*Severity*\ncritical');
    expect(all).toContain('*Variant*\n`AllTraffic`');
    expect(all).toContain('*failure rate*\n*38%*');
    expect(all).toContain('*Top reason (14)*\nClientError: Received server error (500) from primary with message "CUDA out of memory"');
    expect(all.some((t) => t.startsWith('*Sample inference ids*\n`8f14e45f-ceea-467f-a0e6-7c2b1f0c7a11`'))).toBe(true);
    const links = all.find((t) => t.includes('|Dashboard>'));
    expect(links).toContain('<https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/sagewatch-doc-summarizer|Dashboard>');
    expect(links).toContain('|Logs of these requests>');
    expect(all).toContain('*Next*\n`sagewatch query --endpoint doc-summarizer --status Failed --since 2024-06-03T14:00:00.000Z --until 2024-06-03T14:05:00.000Z`');
    expect(slack.unfurl_links).toBe(false);
  });

  it('renders a bare alert (local invoke) the same way', () => {
    expect(renderForSlack(alert)).toEqual(renderForSlack(JSON.stringify(toChatNotification(alert))));
    expect(detectFormat(JSON.stringify(alert))).toBe('sagewatch-alert');
  });

  it('renders a resolution as such', () => {
    const slack = renderForSlack(toChatNotification(resolveAlert(alert, { at: '2024-06-03T14:30:00Z' })));
    expect(header(slack)).toBe(':white_check_mark: Resolved: Failure burst on doc-summarizer: 38% of requests failed');
    expect(texts(slack)).toContain('*Resolved at*\n2024-06-03T14:30:00.000Z');
  });

  it('escapes alert text: no mentions, no fake links', () => {
    const hostile = createAlert({
      kind: 'job-failed',
      severity: 'critical',
      title: 'x',
      description: '<!channel> see <https://evil.example|here> & hurry',
      resource: { type: 'training-job', name: 'j<1>' },
      detectedAt: '2024-06-03T14:30:00Z',
      evidence: { facts: [{ name: '<b>', value: '<!here>' }] },
    });
    const all = texts(renderForSlack(hostile)).join('\n');
    expect(all).toContain('&lt;!channel&gt; see &lt;https://evil.example|here&gt; &amp; hurry');
    expect(all).toContain('`j&lt;1&gt;`');
    expect(all).toContain('*&lt;b&gt;*\n&lt;!here&gt;');
    expect(all).not.toMatch(/<!(channel|here)>/);
  });
});

describe('CloudWatch alarm notifications (SNS)', () => {
  it('renders a single-metric alarm with its trigger and links built from the ARN region', () => {
    const { message, subject } = snsMessage('sns-cloudwatch-alarm-single-metric');
    expect(detectFormat(message)).toBe('cloudwatch-alarm');
    const slack = renderForSlack(message, { subject });
    expect(validateSlackPayload(slack)).toEqual([]);
    expect(slack.text).toBe('ALARM: "sagewatch-fraud-scorer-prod-AllTraffic-ModelLatency-p99" in Europe (Ireland)');
    expect(header(slack)).toBe(':red_circle: ALARM: sagewatch-fraud-scorer-prod-AllTraffic-ModelLatency-p99');
    const all = texts(slack);
    expect(all[1]).toMatch(/^Threshold Crossed: 3 out of the last 3 datapoints .* \(minimum 3 datapoints for OK -&gt; ALARM transition\)\.$/);
    expect(all).toEqual(
      expect.arrayContaining([
        '*State*\nOK → ALARM',
        '*Where*\nEurope (Ireland) / 111122223333',
        '*Metric*\nAWS/SageMaker · ModelLatency · p99 · 60 s',
        '*Dimensions*\nEndpointName=fraud-scorer-prod, VariantName=AllTraffic',
        '*Threshold*\nGreaterThanThreshold 1500000',
        '*Evaluation*\n3 of 3 periods × 60 s',
        '*Missing data*\nnotBreaching',
        'Requests: `sagewatch query --endpoint fraud-scorer-prod --since 2024-06-03T08:42:17.458Z`',
      ]),
    );
    const links = all.find((t) => t.includes('|Alarm>'))!;
    expect(links).toContain('<https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/sagewatch-fraud-scorer-prod-AllTraffic-ModelLatency-p99|Alarm>');
    expect(links).toContain('log-group/$252Faws$252Fsagemaker$252FEndpoints$252Ffraud-scorer-prod|Logs of fraud-scorer-prod>');
  });

  it('renders an anomaly-detection alarm: band as threshold, metrics listed, TreatMissingData quirk cleaned', () => {
    const slack = renderForSlack(snsMessage('sns-cloudwatch-alarm-anomaly-detection').message);
    expect(validateSlackPayload(slack)).toEqual([]);
    const all = texts(slack);
    expect(all).toContain('*Threshold*\nLessThanLowerOrGreaterThanUpperThreshold band `band`');
    expect(all).toContain('*Missing data*\nbreaching');
    expect(all).toContain(
      '*Metrics*\n• *inv* AWS/SageMaker · Invocations · Sum · 300 s EndpointName=fraud-scorer-prod, VariantName=AllTraffic\n' +
        '• *band* `ANOMALY_DETECTION_BAND(inv, 3)` “Invocations (expected)” _(threshold band)_',
    );
  });

  it('renders a metric-math alarm back to OK', () => {
    const slack = renderForSlack(snsMessage('sns-cloudwatch-alarm-metric-math').message);
    expect(validateSlackPayload(slack)).toEqual([]);
    expect(header(slack)).toBe(':white_check_mark: OK: sagewatch-fraud-scorer-prod-5xx-rate');
    const metrics = texts(slack).find((t) => t.startsWith('*Metrics*'))!;
    expect(metrics.split('\n')).toEqual([
      '*Metrics*',
      '• *rate* `100 * errors / MAX([errors, calls])` “5xx share (%)”',
      '• *errors* AWS/SageMaker · Invocation5XXErrors · Sum · 60 s EndpointName=fraud-scorer-prod, VariantName=AllTraffic _(input)_',
      '• *calls* AWS/SageMaker · Invocations · Sum · 60 s EndpointName=fraud-scorer-prod, VariantName=AllTraffic _(input)_',
    ]);
  });

  it('renders a composite alarm with its rule and triggering children', () => {
    const slack = renderForSlack(snsMessage('sns-cloudwatch-alarm-composite').message);
    expect(validateSlackPayload(slack)).toEqual([]);
    const all = texts(slack);
    expect(all).toContain('*Alarm rule*\n`ALARM(sagewatch-fraud-scorer-prod-AllTraffic-ModelLatency-p99) AND ALARM(sagewatch-fraud-scorer-prod-5xx-rate)`');
    expect(all).toContain('*Triggering alarms*\n• sagewatch-fraud-scorer-prod-5xx-rate ALARM');
  });

  it('renders the EventBridge alarm state-change event too', () => {
    const event = fixture('eventbridge-cloudwatch-alarm-state-change');
    expect(detectFormat(event)).toBe('cloudwatch-alarm');
    const slack = renderForSlack(JSON.stringify(event));
    expect(validateSlackPayload(slack)).toEqual([]);
    expect(header(slack)).toBe(':red_circle: ALARM: sagewatch-doc-summarizer-async-backlog');
    expect(texts(slack)).toEqual(expect.arrayContaining(['*Metric*\nAWS/SageMaker · ApproximateBacklogSize · Average · 60 s', '*Where*\neu-west-1 / 111122223333']));
  });

  it('skips links when the alarm ARN carries no usable region', () => {
    const slack = renderForSlack({ AlarmName: 'a', NewStateValue: 'ALARM', AlarmArn: 'arn:aws:cloudwatch:NOT A REGION:1:alarm:a' });
    expect(validateSlackPayload(slack)).toEqual([]);
    expect(texts(slack).some((t) => t.includes('https://'))).toBe(false);
  });
});

describe('other messages', () => {
  it('renders another producer’s chat notification, passing its markdown through', () => {
    const chat = {
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: ':rocket: Deploy finished',
        description: '*api* v42 is live',
        nextSteps: ['Check <https://example.com|the dashboard>'],
        keywords: ['deploy', 'prod'],
      },
    };
    expect(detectFormat(JSON.stringify(chat))).toBe('chat-notification');
    const slack = renderForSlack(JSON.stringify(chat));
    expect(validateSlackPayload(slack)).toEqual([]);
    expect(texts(slack)).toEqual([':rocket: Deploy finished', '*api* v42 is live', '*Next steps*\n• Check <https://example.com|the dashboard>', '`deploy`', '`prod`']);
  });

  it('is as lenient as the chat service with odd members of a foreign notification', () => {
    const chat = {
      version: '1.0',
      source: 'custom',
      content: { description: '4,100 requests from 12 IPs', nextSteps: ['Block it', 7, null] },
      metadata: { threadId: 'fp-1', additionalContext: { requests: 4100, note: 'x' } },
    };
    expect(detectFormat(chat)).toBe('chat-notification');
    expect(texts(renderForSlack(chat))).toEqual(['Notification', '4,100 requests from 12 IPs', '*Next steps*\n• Block it']);
  });

  it('renders plain text under the SNS subject, escaped', () => {
    const slack = renderForSlack('disk <full> & on fire', { subject: 'Heads up' });
    expect(detectFormat('disk <full>')).toBe('text');
    expect(slack).toEqual({
      text: 'Heads up',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Heads up', emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: 'disk &lt;full&gt; &amp; on fire' } },
      ],
      unfurl_links: false,
      unfurl_media: false,
    });
  });

  it('renders unknown JSON as a code block', () => {
    const slack = renderForSlack(JSON.stringify({ hello: '<world>' }));
    expect(texts(slack)).toEqual(['Notification', '```{\n  "hello": "&lt;world&gt;"\n}```']);
  });

  it('spreads a long text over a few sections and cuts the rest with an ellipsis', () => {
    const long = Array.from({ length: 3000 }, (_, i) => `line ${i} of a very long message`).join('\n');
    const slack = renderForSlack(long);
    expect(validateSlackPayload(slack)).toEqual([]);
    const sections = slack.blocks.filter((b) => b.type === 'section');
    expect(sections.length).toBe(8);
    expect(texts(slack).at(-1)!.endsWith('…')).toBe(true);
    expect(texts(slack)[1]!.startsWith('line 0 of')).toBe(true);
  });
});

describe('Slack limits', () => {
  it('cuts an over-long alarm name in the header with an ellipsis', () => {
    const slack = renderForSlack({ AlarmName: 'n'.repeat(400), NewStateValue: 'ALARM' });
    expect(header(slack)).toHaveLength(SLACK_LIMITS.headerText);
    expect(header(slack).endsWith('…')).toBe(true);
  });

  it('never cuts inside an escaped entity', () => {
    const slack = renderForSlack('&'.repeat(5000));
    for (const text of texts(slack).slice(1)) expect(text).toMatch(/^(&amp;)+…?$/);
  });

  /** Short strings and, as often, strings of any length up to `max` (fast-check keeps sizes small unless told). */
  const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
  const str = (max: number, minLength = 0) =>
    fc.oneof(fc.string({ unit: 'binary', minLength, maxLength: 20 }), fc.string({ unit: anyUnit, minLength, maxLength: 20 }), fc.string({ unit: 'binary', minLength, maxLength: max, size: 'max' }));
  const list = <T>(item: fc.Arbitrary<T>, max: number) => fc.oneof(fc.array(item, { maxLength: 3 }), fc.array(item, { maxLength: max, size: 'max' }));

  const property = (arb: fc.Arbitrary<unknown>, format?: InboundFormat) =>
    fc.property(arb, (input) => {
      if (format) expect(detectFormat(input)).toBe(format);
      const slack = renderForSlack(input, { subject: null });
      expect(validateSlackPayload(slack)).toEqual([]);
      expect(slack.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
      expect(() => JSON.stringify(slack)).not.toThrow();
    });

  it('holds for any string', () => {
    fc.assert(
      property(
        fc.oneof(
          str(50_000),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 5 }).map((s) => s.repeat(3000)),
        ),
      ),
      { numRuns: 150, endOnFailure: true },
    );
  });

  it('holds for any JSON value, as object or as text', () => {
    fc.assert(property(fc.jsonValue()), { numRuns: 150, endOnFailure: true });
    fc.assert(property(fc.jsonValue().map((v) => JSON.stringify(v))), { numRuns: 150, endOnFailure: true });
  });

  it('holds for alarm-shaped messages with arbitrary and oversized fields', () => {
    const anything = fc.oneof(str(5000), fc.jsonValue(), fc.constant(null));
    const dimension = fc.record({ name: anything, value: anything });
    const query = fc.record(
      {
        Id: anything,
        Expression: anything,
        Label: anything,
        ReturnData: fc.boolean(),
        MetricStat: fc.record({ Metric: fc.record({ Dimensions: list(dimension, 40), MetricName: anything, Namespace: anything }), Stat: anything, Period: anything }),
      },
      { requiredKeys: [] },
    );
    const alarm = fc.record(
      {
        AlarmName: str(2000, 1),
        NewStateValue: fc.oneof(fc.constantFrom('ALARM', 'OK', 'INSUFFICIENT_DATA'), str(300, 1)),
        OldStateValue: anything,
        NewStateReason: str(20_000),
        AlarmDescription: anything,
        StateChangeTime: anything,
        Region: anything,
        AlarmArn: fc.oneof(anything, fc.constant('arn:aws:cloudwatch:us-east-1:123456789012:alarm:x')),
        AlarmRule: anything,
        TriggeringChildren: list(fc.record({ Arn: anything, State: fc.record({ Value: anything }) }), 30),
        Trigger: fc.record(
          {
            MetricName: anything,
            Namespace: anything,
            Statistic: anything,
            Dimensions: list(dimension, 40),
            Period: anything,
            EvaluationPeriods: anything,
            ComparisonOperator: anything,
            Threshold: anything,
            TreatMissingData: anything,
            ThresholdMetricId: anything,
            Metrics: list(query, 30),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['AlarmName', 'NewStateValue'] },
    );
    fc.assert(property(alarm, 'cloudwatch-alarm'), { numRuns: 150, endOnFailure: true });
    fc.assert(
      property(
        alarm.map((a) => JSON.stringify(a)),
        'cloudwatch-alarm',
      ),
      { numRuns: 50, endOnFailure: true },
    );
  });

  it('holds for any alert, capped or not, and any chat notification', () => {
    const big = str(10_000);
    // Schema-valid (required texts non-blank) but far over every cap, so the alert path is taken.
    const required = str(10_000).map((t) => `x${t}`);
    const alert = fc
      .record({
        kind: fc.constantFrom(...ALERT_KINDS),
        severity: fc.constantFrom(...SEVERITIES),
        type: fc.constantFrom(...RESOURCE_TYPES),
        title: required,
        text: big,
        name: required,
        n: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 60 })),
        resolved: fc.boolean(),
      })
      .map(
        (r): Alert => ({
          schemaVersion: 1,
          id: 'x',
          fingerprint: 'f',
          kind: r.kind,
          severity: r.severity,
          status: r.resolved ? 'resolved' : 'firing',
          title: r.title,
          description: r.text,
          resource: { type: r.type, name: r.name, variant: r.name, region: r.name, account: r.name },
          evidence: {
            numbers: Array.from({ length: r.n }, (_, i) => ({ name: r.title, value: i / 7, unit: r.text })),
            facts: Array.from({ length: r.n }, () => ({ name: r.title, value: r.text })),
            inferenceIds: Array.from({ length: r.n }, (_, i) => `${i}${r.name}`),
            links: Array.from({ length: r.n }, (_, i) => ({ label: r.title, url: `https://example.com/${i}/${'p'.repeat(r.text.length)}` })),
            commands: Array.from({ length: r.n }, () => r.title),
          },
          detectedAt: '2024-01-01T00:00:00.000Z',
          windowStart: '2024-01-01T00:00:00.000Z',
        }),
      );
    fc.assert(property(alert, 'sagewatch-alert'), { numRuns: 60, endOnFailure: true });
    fc.assert(
      property(
        alert.map((a) => JSON.stringify(toChatNotification(a))),
        'sagewatch-alert',
      ),
      { numRuns: 40, endOnFailure: true },
    );
    const chat = fc.record({
      version: fc.constant('1.0'),
      source: fc.constant('custom'),
      content: fc.record({ title: big, description: big, nextSteps: list(big, 40), keywords: list(big, 40) }, { requiredKeys: ['description'] }),
    });
    fc.assert(property(chat, 'chat-notification'), { numRuns: 60, endOnFailure: true });
  });

  it('replaces lone surrogates (possible in JSON) instead of sending half characters', () => {
    const slack = renderForSlack(JSON.stringify({ AlarmName: '\ud83d broken', NewStateValue: 'ALARM', NewStateReason: 'x\udc00y' }));
    expect(validateSlackPayload(slack)).toEqual([]);
    expect(header(slack)).toBe(':red_circle: ALARM: \ufffd broken');
    expect(texts(slack)[1]).toBe('x\ufffdy');
  });
});
