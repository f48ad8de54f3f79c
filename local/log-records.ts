import { dataLogMessage, dataMessage, logEvent } from './builders';
import { encodeSubscriptionData } from '../lib/logs/subscription';

/** One data-log line on its way to the stream: which request and log stream it belongs to. */
export interface LogLineDelivery {
  endpointName: string;
  inferenceId: string;
  /** `<variant>/<instance>/data-log`, the log stream SageMaker writes the line to. */
  logStream: string;
  at: number;
  message: string;
}

/** Lines CloudWatch Logs puts into one subscription record at most (it batches per log stream). */
const EVENTS_PER_RECORD = 50;

/**
 * Kinesis records as a CloudWatch Logs subscription delivers them: the lines of one log stream
 * together, in time order, in gzip'd, base64'd DATA_MESSAGE payloads, partitioned by stream.
 */
export function subscriptionRecords(lines: readonly LogLineDelivery[], owner: string): Array<{ data: string; partitionKey: string }> {
  const byStream = new Map<string, LogLineDelivery[]>();
  for (const line of lines) {
    const key = `${line.endpointName}|${line.logStream}`;
    let group = byStream.get(key);
    if (!group) byStream.set(key, (group = []));
    group.push(line);
  }
  const records: Array<{ data: string; partitionKey: string }> = [];
  for (const group of byStream.values()) {
    group.sort((a, b) => a.at - b.at);
    const { endpointName, logStream } = group[0]!;
    for (let i = 0; i < group.length; i += EVENTS_PER_RECORD) {
      const payload = dataMessage({
        endpointName,
        logStream,
        owner,
        events: group.slice(i, i + EVENTS_PER_RECORD).map((l) => logEvent(l.at, dataLogMessage(l.at, l.inferenceId, l.message))),
      });
      records.push({ data: encodeSubscriptionData(payload), partitionKey: logStream });
    }
  }
  return records;
}
