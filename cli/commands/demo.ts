import { createColors } from 'picocolors';
import type { Colors } from '../color';
import { print, type CliContext } from '../context';
import { UsageError } from '../errors';
import type { OutputFormat } from '../options';
import { createProgress } from '../progress';
import { printJson } from '../io';
import { renderTable, truncate } from '../table';
import { sagewatchHome } from '../../local/environment';
import { undetectable } from '../../local/demo-summary';
import { runDemo, type DemoSummary } from '../../local/runtime';
import { MIN_ASYNC_ENDPOINTS_FOR_FAULTS } from '../../local/simulator';
import { ScenarioFileError, readScenarioFile } from '../../local/scenario-file';

export interface DemoCommandOptions {
  requests: number;
  endpoints: number;
  /** Undefined: 42, or the scenario file's own seed. */
  seed?: number | undefined;
  /** A traffic scenario file to play instead of the default demo's traffic. */
  scenario?: string | undefined;
  /** The flags the user typed (not defaults): the traffic flags cannot be combined with a scenario. */
  given?: readonly string[];
  faults: 'default' | 'none';
  chaos?: boolean | undefined;
  verbose?: boolean | undefined;
  output: OutputFormat;
}

/** `sagewatch demo` (flags in cli/flags/demo.ts). */
export async function runDemoCommand(flags: DemoCommandOptions, ctx: CliContext): Promise<void> {
  if (flags.scenario !== undefined) {
    const clash = ['requests', 'endpoints', 'faults'].find((name) => flags.given?.includes(name));
    if (clash) throw new UsageError(`--${clash} cannot be combined with --scenario: the scenario file describes the traffic`);
  }
  const scenario = flags.scenario !== undefined ? await loadScenario(flags.scenario) : undefined;
  if (!scenario && flags.faults === 'default' && flags.endpoints < MIN_ASYNC_ENDPOINTS_FOR_FAULTS) {
    throw new UsageError(
      `the default faults need at least ${MIN_ASYNC_ENDPOINTS_FOR_FAULTS} endpoints (three async ones); use --endpoints ${MIN_ASYNC_ENDPOINTS_FOR_FAULTS} or more, or --faults none`,
    );
  }
  const options = {
    requests: flags.requests,
    endpoints: flags.endpoints,
    seed: flags.seed ?? scenario?.seed ?? 42,
    ...(scenario ? { scenario } : {}),
    faults: flags.faults,
    chaos: flags.chaos ?? false,
    home: sagewatchHome(ctx.env as NodeJS.ProcessEnv),
    verbose: flags.verbose ?? false,
    progress: createProgress(ctx.stderr),
  };
  const { summary } = await runDemo(options);
  if (flags.output === 'json') printJson(summary, ctx.stdout);
  else print(ctx, renderSummary(summary, options.home, ctx.color));
}

async function loadScenario(path: string) {
  try {
    return await readScenarioFile(path);
  } catch (error) {
    if (error instanceof ScenarioFileError) throw new UsageError(`scenario ${path}: ${error.message}`);
    throw error;
  }
}

const plain = createColors(false);

export function renderSummary(s: DemoSummary, home: string, color: Colors = plain): string {
  const out: string[] = [];
  out.push(`sagewatch demo: seed ${s.seed}, ${s.endpoints.length} endpoints, ${s.requests} async requests over ${s.durationMinutes} simulated minutes, ${(s.elapsedMs / 1000).toFixed(1)} s`);
  out.push('');
  out.push('Attached');
  out.push(
    s.attached.length > 0
      ? renderTable(
          // The kinds say the type too (an endpoint's kinds, or training-job ...): no TYPE column.
          ['RESOURCE', 'KINDS', 'PLANNED ACTIONS'],
          s.attached.map((a) => [a.resource, a.kinds.join(', '), summarizeActions(a.actions)]),
          { wrap: [1, 2], header: color.bold },
        )
      : '  (control plane not run)',
  );
  if (s.controlPlane) out.push('', ...renderCost(s.controlPlane));
  out.push('');
  out.push('Requests');
  out.push(`  correlated ${s.correlated} of ${s.requests}, lost ${s.lost}, derived metrics counted twice ${s.duplicatesCounted}`);
  out.push(`  metrics: RequestsCompleted ${s.metrics.RequestsCompleted}, RequestsFailed ${s.metrics.RequestsFailed}, EndToEndLatency samples ${s.metrics.EndToEndLatencySamples},`);
  out.push(`           LogErrorsWithoutNotification ${s.metrics.LogErrorsWithoutNotification}, StuckRequests ${s.metrics.StuckRequests}`);
  if (s.deadLetters > 0 || s.kinesisFailures > 0) out.push(`  dead letters ${s.deadLetters}, Kinesis records sent to the failure destination ${s.kinesisFailures}`);
  if (s.chaos) {
    out.push(`  chaos: ${s.chaos.throttledWrites} throttled writes, ${s.chaos.crashedInvocations} crashes mid-batch, ${s.chaos.redeliveredBatches} batches redelivered out of order,`);
    out.push(`         ${s.chaos.duplicatedMessages} duplicate SQS messages, ${s.chaos.slackRejections} Slack 429/500 answers`);
  }
  out.push('');
  out.push('Injected faults and the alerts that caught them');
  if (s.injected.length === 0) out.push('  (none injected)');
  for (const fault of s.injected) {
    const hit = s.detected.find((d) => d.faultId === fault.id);
    const miss = s.missed.find((d) => d.faultId === fault.id);
    const cannotCatch = !hit && undetectable(fault);
    out.push(`  ${fault.id} ${fault.kind} on ${fault.resource}: ${hit ? color.green(`caught after ${hit.delayMinutes} min`) : cannotCatch ? color.yellow('undetectable') : color.red('NOT CAUGHT')}`);
    if (cannotCatch) out.push(`    it changed ${fault.affectedRequests} requests; its detector needs ${fault.detectableFrom}`);
    else if (!hit) {
      out.push(`    within ${fault.withinMinutes} min: ${miss?.reason ?? 'not detected'} (${fault.affectedRequests} requests affected)`);
      const evidence = fault.evidenceP90Minutes;
      if (evidence === null || (evidence !== undefined && evidence > fault.withinMinutes)) {
        out.push(
          `    this traffic sends the ${fault.detectableFrom} changed requests its detector needs ${evidence === null ? 'before the fault ends less than 9 times in 10' : `only ${evidence} min in, 9 times in 10`}`,
        );
      }
    }
    if (hit) out.push(`    by ${hit.alert.kind} [${hit.alert.severity}] "${truncate(hit.alert.title, 87 - hit.alert.kind.length - hit.alert.severity.length)}"`);
  }
  out.push(`  alerts without a fault: ${s.falseAlerts.length === 0 ? 'none' : ''}`);
  for (const alert of s.falseAlerts) out.push(color.yellow(`    ${truncate(`minute ${alert.atMinute}: ${alert.kind} on ${alert.resource}: ${alert.title}`, 96)}`));
  for (const alert of s.selfMonitoring) out.push(truncate(`  sagewatch itself, minute ${alert.atMinute}: ${alert.status} ${alert.title}`, 96));
  out.push(`  alerts published ${s.alertsSent}, delivered to Slack ${s.alertsDeliveredToSlack}${s.slackDuplicates > 0 ? `, DUPLICATES ${s.slackDuplicates}` : ''}`);
  out.push('');
  const example = s.detected[0]?.alert.resource ?? s.endpoints[0]?.name ?? '<endpoint>';
  out.push(`Records are in ${home}. Try:`);
  const query = `  npx sagewatch query --endpoint ${example} --status Failed --since 2h`;
  out.push(...(query.length <= 100 ? [query] : [`  npx sagewatch query --endpoint ${example} \\`, '      --status Failed --since 2h']));
  out.push(`  npx sagewatch alerts --since 2h`);
  return out.join('\n');
}

const usd = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The account's monthly CloudWatch cost of what the control plane attached, by part (lib/attach/cost.ts). */
function renderCost(cp: NonNullable<DemoSummary['controlPlane']>): string[] {
  const rows = [...cp.monthlyCost.map((line) => [line.item, line.quantity.toLocaleString('en-US'), usd(line.monthlyUsd)]), ['total', '', usd(cp.monthlyCostUsd)]];
  const width = (column: number) => Math.max(...rows.map((row) => row[column]!.length));
  // The layout of `sagewatch plan`'s cost table, figures right-aligned.
  return [
    "Monthly CloudWatch cost of what is attached (us-east-1, the account's free tier subtracted once)",
    ...rows.map(([item, quantity, monthly]) => `  ${item!.padEnd(width(0))}  ${quantity!.padStart(width(1))}  ${monthly!.padStart(width(2))}`.trimEnd()),
  ];
}

function summarizeActions(actions: Array<{ service: string; action: string }>): string {
  const counts = new Map<string, number>();
  for (const a of actions) counts.set(a.action, (counts.get(a.action) ?? 0) + 1);
  return [...counts].map(([action, n]) => (n === 1 ? action : `${n}x ${action}`)).join(', ') || '-';
}
