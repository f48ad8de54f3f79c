/**
 * CPU per notification of the real processNotifications handler (merge, metrics, request-level
 * detectors, lag record) in SQS batches of 10 against dynalite, which runs in another process
 * so its CPU is not counted: `node bin/run-ts.js scripts/notification-cpu.ts [count]`.
 * The official figures are `npm run bench`'s; this is the detectors' own check (issue 15 item 4).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [mode, arg] = process.argv.slice(2);

if (mode === '--child') {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = arg;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const { asyncNotification, snsEnvelope, sqsEvent } = await import('../local/builders');
  const { createHandler } = await import('../functions/process-notifications');
  const { MemoryPublisher } = await import('../lib/alerts/publish');
  const count = Number(process.argv[4] ?? 5000);
  const handler = createHandler({ publisher: new MemoryPublisher() });
  const endpoints = ['fraud-scoring-async', 'doc-ocr-async', 'video-tagging-async', 'speech-async', 'tenant-forecast-async-mme', 'claims-async'];
  const start = Date.now() - count * 100;
  const batches = Array.from({ length: Math.ceil(count / 10) }, (_, b) =>
    sqsEvent(
      Array.from({ length: 10 }, (_, i) => {
        const n = b * 10 + i;
        const at = start + n * 100;
        const failed = n % 10 === 3;
        const body = snsEnvelope(
          asyncNotification({
            inferenceId: `cpu-${n}`,
            endpointName: endpoints[n % endpoints.length]!,
            status: failed ? 'Failed' : 'Completed',
            receivedTime: new Date(at - 800 - (n % 7) * 100).toISOString(),
            eventTime: new Date(at).toISOString(),
            ...(failed ? { failureReason: 'ClientError: Received server error (500) from model.' } : {}),
          }),
        );
        return { body: JSON.stringify(body), messageId: `m-${n}`, sentTimestamp: at + 30 };
      }),
    ),
  );
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  const warm = 30;
  for (const event of batches.slice(0, warm)) await handler(event);
  const before = process.cpuUsage();
  const t0 = performance.now();
  for (const event of batches.slice(warm)) await handler(event);
  const used = process.cpuUsage(before);
  const wall = performance.now() - t0;
  process.stdout.write = stdoutWrite;
  const measured = (batches.length - warm) * 10;
  console.log(
    JSON.stringify({
      notifications: measured,
      cpuMsPerNotification: Math.round(((used.user + used.system) / 1000 / measured) * 1000) / 1000,
      wallMsPerNotification: Math.round((wall / measured) * 1000) / 1000,
    }),
  );
  process.exit(0);
} else {
  const { startDynamo, ensureTables } = await import('../local/dynamo');
  const dynamo = await startDynamo();
  await ensureTables(dynamo.endpoint, { requests: 'sagewatch-requests', inventory: 'sagewatch-inventory', state: 'sagewatch-state' });
  const child = fork(fileURLToPath(new URL('../bin/run-ts.js', import.meta.url)), [fileURLToPath(import.meta.url), '--child', dynamo.endpoint, mode ?? '5000'], {
    stdio: 'inherit',
    execArgv: process.env.CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof2'] : [],
  });
  await new Promise((resolve) => child.on('exit', resolve));
  await dynamo.close();
}
