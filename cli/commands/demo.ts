import { parseArgs } from 'node:util';
import { CliError } from '../errors';
import { printJson } from '../io';
import { renderTable, truncate } from '../table';
import { sagewatchHome } from '../../local/environment';
import { runDemo, type DemoSummary } from '../../local/runtime';
import { MIN_ASYNC_ENDPOINTS_FOR_FAULTS } from '../../local/simulator';

export const DEMO_HELP = `Usage: sagewatch demo [--requests N] [--endpoints K] [--seed S] [--faults default|none] [--chaos] [--json] [--verbose]

Runs the whole system locally (npm start): embedded DynamoDB and Kinesis, the real handlers and
state machines, a traffic simulator with endpoints of every kind, async requests and injected
faults, then prints what was attached, correlated and detected. Records stay in
$SAGEWATCH_HOME (default ./.sagewatch) for \`sagewatch query\`.

Options:
  --requests N      async requests to simulate (default 3000)
  --endpoints K     endpoints to simulate, every kind in turn (default 9, at least ${MIN_ASYNC_ENDPOINTS_FOR_FAULTS} with faults)
  --seed S          random seed: same seed, same run (default 42)
  --faults F        default (inject an error burst, a latency shift, lost notifications,
                    expired requests and a failed training job) or none
  --chaos           also inject infrastructure faults: throttled writes, crashes mid-batch,
                    duplicate and out-of-order deliveries, Slack 429/500
  --json            print the summary as one JSON object
  --verbose         copy the handlers' logs and metrics to stderr`;

function positiveInt(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

export async function demoCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      requests: { type: 'string' },
      endpoints: { type: 'string' },
      seed: { type: 'string' },
      faults: { type: 'string' },
      chaos: { type: 'boolean' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(DEMO_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new CliError(`demo takes options only; unexpected: ${positionals.join(' ')}`);
  const faults = values.faults ?? 'default';
  if (faults !== 'default' && faults !== 'none') throw new CliError(`--faults must be default or none, got "${faults}"`);
  const endpoints = positiveInt('endpoints', values.endpoints, 9);
  if (faults === 'default' && endpoints < MIN_ASYNC_ENDPOINTS_FOR_FAULTS) {
    throw new CliError(`the default faults need at least ${MIN_ASYNC_ENDPOINTS_FOR_FAULTS} endpoints (three async ones); use --endpoints ${MIN_ASYNC_ENDPOINTS_FOR_FAULTS} or more, or --faults none`);
  }
  const options = {
    requests: positiveInt('requests', values.requests, 3000),
    endpoints,
    seed: positiveInt('seed', values.seed, 42, 0),
    faults: faults as 'default' | 'none',
    chaos: values.chaos ?? false,
    home: sagewatchHome(),
    verbose: values.verbose ?? false,
    progress: progressReporter(),
  };
  const { summary } = await runDemo(options);
  if (values.json) printJson(summary);
  else console.log(renderSummary(summary, options.home));
  return 0;
}

function progressReporter(): (fraction: number, label: string) => void {
  const tty = process.stderr.isTTY;
  let lastPlain = -1;
  return (fraction, label) => {
    const percent = Math.round(fraction * 100);
    if (tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${label.padEnd(50).slice(0, 50)}`);
      if (fraction >= 1) process.stderr.write('\n');
    } else if (percent >= lastPlain + 10 || fraction >= 1 || fraction === 0) {
      lastPlain = percent;
      process.stderr.write(`${String(percent).padStart(3)}% ${label}\n`);
    }
  };
}

export function renderSummary(s: DemoSummary, home: string): string {
  const out: string[] = [];
  out.push(`sagewatch demo: seed ${s.seed}, ${s.endpoints.length} endpoints, ${s.requests} async requests, ${(s.elapsedMs / 1000).toFixed(1)} s`);
  out.push('');
  out.push('Attached');
  out.push(
    s.attached.length > 0
      ? renderTable(
          ['RESOURCE', 'TYPE', 'KINDS', 'PLANNED ACTIONS'],
          s.attached.map((a) => [a.resource, a.type, a.kinds.join(', '), summarizeActions(a.actions)]),
        )
      : '  (control plane not run)',
  );
  out.push('');
  out.push('Requests');
  out.push(`  correlated ${s.correlated} of ${s.requests}, lost ${s.lost}, derived metrics counted twice ${s.duplicatesCounted}`);
  out.push(
    `  metrics: RequestsCompleted ${s.metrics.RequestsCompleted}, RequestsFailed ${s.metrics.RequestsFailed}, EndToEndLatency samples ${s.metrics.EndToEndLatencySamples}, LogErrorsWithoutNotification ${s.metrics.LogErrorsWithoutNotification}, StuckRequests ${s.metrics.StuckRequests}`,
  );
  if (s.deadLetters > 0 || s.kinesisFailures > 0) out.push(`  dead letters ${s.deadLetters}, Kinesis records sent to the failure destination ${s.kinesisFailures}`);
  if (s.chaos) {
    out.push(
      `  chaos: ${s.chaos.throttledWrites} throttled writes, ${s.chaos.crashedInvocations} crashes mid-batch, ${s.chaos.redeliveredBatches} batches redelivered out of order, ${s.chaos.duplicatedMessages} duplicate SQS messages, ${s.chaos.slackRejections} Slack 429/500 answers`,
    );
  }
  out.push('');
  out.push('Injected faults and the alerts that caught them');
  if (s.injected.length === 0) out.push('  (none injected)');
  for (const fault of s.injected) {
    const hit = s.detected.find((d) => d.faultId === fault.id);
    out.push(`  ${fault.id} ${fault.kind} on ${fault.resource}: ${hit ? `caught by ${hit.alert.kind} [${hit.alert.severity}] "${truncate(hit.alert.title, 90)}"` : 'NOT DETECTED'}`);
  }
  out.push(`  alerts without a fault: ${s.falseAlerts.length === 0 ? 'none' : ''}`);
  for (const alert of s.falseAlerts) out.push(`    ${alert.kind} on ${alert.resource}: ${truncate(alert.title, 90)}`);
  out.push(`  alerts published ${s.alertsSent}, delivered to Slack ${s.alertsDeliveredToSlack}${s.slackDuplicates > 0 ? `, DUPLICATES ${s.slackDuplicates}` : ''}`);
  out.push('');
  const example = s.detected[0]?.alert.resource ?? s.endpoints[0]?.name ?? '<endpoint>';
  out.push(`Records are in ${home}. Try:`);
  out.push(`  npx sagewatch query --endpoint ${example} --status Failed --since 2h`);
  out.push(`  npx sagewatch alerts --since 2h`);
  return out.join('\n');
}

function summarizeActions(actions: Array<{ service: string; action: string }>): string {
  const counts = new Map<string, number>();
  for (const a of actions) counts.set(a.action, (counts.get(a.action) ?? 0) + 1);
  return [...counts].map(([action, n]) => `${n}x ${action}`).join(', ') || '-';
}
