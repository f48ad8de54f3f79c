import { describe, expect, it } from 'vitest';
import { createAlert, resolveAlert } from '../../lib/alert-model/alert';
import { formatNumber, headline, renderAlertText } from '../../lib/alerts/text';

const alert = createAlert({
  kind: 'stuck-requests',
  severity: 'warning',
  title: '3 requests to doc-summarizer are stuck',
  description: 'Data-log lines but no notification for more than 15 minutes.',
  resource: { type: 'endpoint', name: 'doc-summarizer', variant: 'AllTraffic', region: 'eu-west-1', account: '111122223333' },
  detectedAt: '2024-06-03T14:05:00Z',
  windowStart: '2024-06-03T13:50:00Z',
  windowEnd: '2024-06-03T14:05:00Z',
  evidence: {
    numbers: [
      { name: 'stuck', value: 3 },
      { name: 'oldest', value: 1234.5678, unit: 's' },
    ],
    facts: [{ name: 'Oldest request', value: 'r-1' }],
    inferenceIds: ['r-1', 'r-2', 'r-3'],
    links: [{ label: 'Data log', url: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups' }],
    commands: ['sagewatch query --endpoint doc-summarizer --status InProgress'],
  },
});

describe('renderAlertText', () => {
  it('renders the plain text email subscribers and the CLI show', () => {
    expect(renderAlertText(alert)).toBe(
      [
        '[WARNING] 3 requests to doc-summarizer are stuck',
        '',
        'Data-log lines but no notification for more than 15 minutes.',
        '',
        'Resource:    endpoint doc-summarizer/AllTraffic',
        'Where:       eu-west-1 / 111122223333',
        'Detected at: 2024-06-03T14:05:00.000Z',
        'Window:      2024-06-03T13:50:00.000Z .. 2024-06-03T14:05:00.000Z',
        `Fingerprint: ${alert.fingerprint}`,
        '',
        'Evidence:',
        '  stuck: 3',
        '  oldest: 1235 s',
        '  Oldest request: r-1',
        '',
        'Sample inference ids: r-1, r-2, r-3',
        '',
        'Links:',
        '  Data log: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups',
        '',
        'Next:',
        '  sagewatch query --endpoint doc-summarizer --status InProgress',
        '',
      ].join('\n'),
    );
  });

  it('heads a resolution as RESOLVED', () => {
    expect(headline(resolveAlert(alert, { at: '2024-06-03T15:00:00Z' }))).toBe('[RESOLVED] 3 requests to doc-summarizer are stuck');
  });
});

describe('formatNumber', () => {
  it('keeps integers, rounds fractions to four significant digits, appends units', () => {
    expect(formatNumber({ name: 'n', value: 42 })).toBe('42');
    expect(formatNumber({ name: 'n', value: 0.123456, unit: '%' })).toBe('0.1235%');
    expect(formatNumber({ name: 'n', value: 8.25, unit: 's' })).toBe('8.25 s');
    expect(formatNumber({ name: 'n', value: 2310402.7, unit: 'µs' })).toBe('2310403 µs');
  });
});
