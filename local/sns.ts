import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  messageStructure?: string;
  attributes: Record<string, string>;
}

/**
 * The alerts topic for local runs: a loopback server that answers the SNS `Publish` action
 * (AWS query protocol) so unchanged handlers publish with the real SDK client
 * (AWS_ENDPOINT_URL_SNS), then fans each message out to in-process subscribers.
 */
export class LocalSns {
  readonly published: PublishedMessage[] = [];
  private readonly subscribers: Array<(message: PublishedMessage) => Promise<void>> = [];
  private server?: Server;
  private pending: Promise<void>[] = [];

  subscribe(handler: (message: PublishedMessage) => Promise<void>): void {
    this.subscribers.push(handler);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        if (form.get('Action') !== 'Publish') {
          res.writeHead(400, { 'content-type': 'text/xml' });
          res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>local SNS supports Publish only</Message></Error></ErrorResponse>`);
          return;
        }
        const attributes: Record<string, string> = {};
        for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
          attributes[form.get(`MessageAttributes.entry.${i}.Name`)!] = form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
        }
        const message: PublishedMessage = {
          messageId: randomUUID(),
          topicArn: form.get('TopicArn') ?? '',
          message: form.get('Message') ?? '',
          attributes,
          ...(form.get('Subject') ? { subject: form.get('Subject')! } : {}),
          ...(form.get('MessageStructure') ? { messageStructure: form.get('MessageStructure')! } : {}),
        };
        this.published.push(message);
        // Subscribers run after the publisher got its answer, as with the real topic.
        for (const subscriber of this.subscribers) this.pending.push(subscriber(message).catch(() => undefined));
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${message.messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Waits for every subscriber delivery started so far. */
  async settle(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      await Promise.all(batch);
    }
  }

  async close(): Promise<void> {
    await this.settle();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The body an SNS subscriber of the default protocol receives (MessageStructure json → default). */
  static deliveredBody(message: PublishedMessage): string {
    if (message.messageStructure !== 'json') return message.message;
    try {
      const parsed = JSON.parse(message.message) as Record<string, string>;
      return parsed.lambda ?? parsed.default ?? message.message;
    } catch {
      return message.message;
    }
  }
}
