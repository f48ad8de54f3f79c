import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback proxy in front of the embedded DynamoDB that answers a share of writes with
 * DynamoDB's own throttling error, so `--chaos` exercises the SDK's retries and, past them, the
 * handlers' partial batch failures against the real store.
 */
export class ThrottlingProxy {
  throttled = 0;
  private server?: Server;
  private count = 0;

  constructor(
    private readonly target: string,
    private readonly every: number,
  ) {}

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const operation = String(req.headers['x-amz-target'] ?? '');
        if (/UpdateItem|PutItem/.test(operation) && ++this.count % this.every === 0) {
          this.throttled++;
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }));
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
