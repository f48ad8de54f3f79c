/**
 * Runs in a fresh Node process, bundled like a function (bench/memory.ts builds it), and
 * invokes the processLogs handler the way Lambda does, several times as a warm container
 * would be. Reports on file descriptor 3; stdout (EMF, logs) is discarded by the parent.
 *   node memory-child.mjs sink <event.json> <invocations>   the sink store: peak RSS of the batch
 *   node memory-child.mjs sdk <event.json> <invocations>    the deployed store and SDK, sending to
 *                                                            AWS_ENDPOINT_URL_DYNAMODB: CPU per write
 */
import { readFileSync, writeSync } from 'node:fs';
import { createHandler } from '../functions/process-logs';
import { RequestMerges } from '../lib/correlate/request-merges';
import { sinkStore } from './sinks';

const [mode, file, invocations = '1'] = process.argv.slice(2);
if ((mode !== 'sink' && mode !== 'sdk') || !file) throw new Error('usage: memory-child.mjs sink|sdk <event.json> <invocations>');

const sink = mode === 'sink' ? sinkStore() : undefined;
const handler = createHandler(sink ? { store: new RequestMerges(sink.store) } : {});
const rssAfterInitMb = process.memoryUsage().rss / 2 ** 20;
let cpuMs = 0;
let wallMs = 0;
for (let i = 0; i < Number(invocations); i++) {
  // The runtime receives each event as text and parses it before calling the handler.
  const text = readFileSync(file, 'utf8');
  const cpu = process.cpuUsage();
  const start = performance.now();
  await handler(JSON.parse(text));
  const used = process.cpuUsage(cpu);
  // The first invocation also builds the clients: a cold start, not the cost of a batch.
  if (i === 0 && Number(invocations) > 1) continue;
  cpuMs = (used.user + used.system) / 1000;
  wallMs = performance.now() - start;
}
const peakRssMb = process.resourceUsage().maxRSS / 1024;
writeSync(3, JSON.stringify({ peakRssMb, rssAfterInitMb, cpuMs, wallMs }));
