import { sqsEvent } from './builders';

export interface QueueMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  /** Epoch ms the message entered the queue (SQS `SentTimestamp`). */
  sentAt: number;
}

export interface SqsInvokeResult {
  batchItemFailures?: Array<{ itemIdentifier: string }>;
}

/**
 * An in-process stand-in for the notifications queue and its Lambda event source mapping:
 * batches of up to `batchSize`, partial batch responses, redelivery of failed messages, and a
 * dead-letter queue after `maxReceiveCount` receives, as the deployed redrive policy does.
 * (There is no SQS emulator among the project's dependencies; the semantics are small.)
 */
export class LocalQueue {
  private messages: QueueMessage[] = [];
  readonly deadLetters: QueueMessage[] = [];
  invocations = 0;
  functionErrors = 0;

  constructor(
    private readonly invoke: (event: unknown) => Promise<SqsInvokeResult>,
    private readonly options: { batchSize: number; maxReceiveCount: number; shuffle?: (items: QueueMessage[]) => QueueMessage[] },
  ) {}

  send(body: string, messageId: string, sentAt = Date.now()): void {
    this.messages.push({ messageId, body, receiveCount: 0, sentAt });
  }

  get depth(): number {
    return this.messages.length;
  }

  /** Delivers until the queue is empty (failed messages come back until they reach the DLQ). */
  async drain(): Promise<void> {
    while (this.messages.length > 0) {
      const pending = this.options.shuffle ? this.options.shuffle(this.messages) : this.messages;
      const batch = pending.slice(0, this.options.batchSize);
      this.messages = pending.slice(this.options.batchSize);
      for (const message of batch) message.receiveCount++;
      this.invocations++;
      let failed: Set<string>;
      try {
        const result = await this.invoke(sqsEvent(batch.map((m) => ({ body: m.body, messageId: m.messageId, sentTimestamp: m.sentAt, receiveCount: m.receiveCount }))));
        failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch {
        this.functionErrors++;
        failed = new Set(batch.map((m) => m.messageId));
      }
      for (const message of batch) {
        if (!failed.has(message.messageId)) continue;
        if (message.receiveCount >= this.options.maxReceiveCount) this.deadLetters.push(message);
        else this.messages.push(message);
      }
    }
  }
}
