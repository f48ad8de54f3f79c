import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackPost {
  body: unknown;
  receivedAt: number;
}

/**
 * A loopback server that answers like a Slack incoming webhook (`200 ok`). With chaos it first
 * answers some posts with `429` + `Retry-After` or `500`, as Slack does under load; only the
 * posts it accepted are recorded, so a message Slack shows twice would appear twice here.
 */
export class LocalSlack {
  readonly accepted: SlackPost[] = [];
  rejected = 0;
  private server?: Server;
  private seen = 0;

  constructor(private readonly chaos?: { every: number }) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.seen++;
        if (this.chaos && this.seen % this.chaos.every === 1) {
          this.rejected++;
          if (this.seen % 2 === 1) {
            res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' });
            res.end('rate_limited');
          } else {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end('internal_error');
          }
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end('invalid_payload');
          return;
        }
        this.accepted.push({ body, receivedAt: Date.now() });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/T000/B000/local`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
