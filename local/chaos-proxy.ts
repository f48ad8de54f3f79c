import { DynamoProxy } from './dynamo-proxy';

const THROTTLED = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' });

/**
 * A loopback proxy in front of the embedded DynamoDB that answers a share of writes with
 * DynamoDB's own throttling error, so `--chaos` exercises the SDK's retries and, past them, the
 * handlers' partial batch failures against the real store.
 */
export class ThrottlingProxy {
  throttled = 0;
  private count = 0;
  private readonly proxy: DynamoProxy;

  constructor(target: string, every: number) {
    this.proxy = new DynamoProxy(target, (operation) => {
      if ((operation === 'UpdateItem' || operation === 'PutItem') && ++this.count % every === 0) {
        this.throttled++;
        return { status: 400, body: THROTTLED };
      }
      return undefined;
    });
  }

  start(): Promise<string> {
    return this.proxy.start();
  }

  close(): Promise<void> {
    return this.proxy.close();
  }
}
