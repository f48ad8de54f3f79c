/**
 * The processLogs handler as deployed (functions/process-logs.ts, the same createHandler and
 * request store) over the replay of its real answers (bench/replay-sender.ts) instead of the
 * DynamoDB client: bench/real-path.ts builds this entry like a function bundle and runs it
 * beside the real one on the same batches. `prepare` is called before each invocation,
 * outside the measured window.
 */
import { createHandler } from '../functions/process-logs';
import { loadConfig } from '../lib/config';
import { RequestMerges } from '../lib/correlate/request-merges';
import { requestStoreFromConfig } from '../lib/store';
import { ReplaySender, type Recording, type ReplayStats } from './replay-sender';

const sender = new ReplaySender();

export const handler = createHandler({ store: new RequestMerges(requestStoreFromConfig(loadConfig(), sender)) });

export function prepare(recording: Recording): ReplayStats {
  return sender.prepare(recording);
}
