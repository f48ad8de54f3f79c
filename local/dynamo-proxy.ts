import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer the proxy gives instead of DynamoDB's. */
export interface ProxyAnswer {
  status: number;
  body: string;
}

/**
 * Sees each call: its operation (`UpdateItem`, from the `x-amz-target` header) and its JSON
 * body. Returns an answer to give in DynamoDB's place, or nothing to pass the call on untouched.
 */
export type ProxyHook = (operation: string, body: Buffer) => ProxyAnswer | undefined;

/**
 * A loopback proxy in front of a DynamoDB endpoint (the embedded one, in local runs and tests)
 * that passes every call through byte for byte unless the hook answers it: what a chaos run and a
 * test that watches the wire both need, without a stand-in for the store itself.
 */
export class DynamoProxy {
  private server?: Server;

  constructor(
    private readonly target: string,
    private readonly hook: ProxyHook,
  ) {}

  /** Listens on a random loopback port; resolves to the endpoint to give the SDK. */
  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const operation =
          String(req.headers['x-amz-target'] ?? '')
            .split('.')
            .pop() ?? '';
        const answer = this.hook(operation, body);
        if (answer) {
          res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(answer.body);
          return;
        }
        const upstream = request({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (response) => {
          res.writeHead(response.statusCode ?? 500, response.headers);
          response.pipe(res);
        });
        upstream.on('error', () => {
          res.writeHead(500);
          res.end();
        });
        upstream.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
