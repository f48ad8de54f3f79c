import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createWebhookUrlSource, parseSecretRef } from '../../lib/alerts/secret';
import { WebhookSecretError } from '../../lib/alerts/errors';

const ssm = mockClient(SSMClient);
const secrets = mockClient(SecretsManagerClient);
const URL_VALUE = 'https://hooks.slack.com/services/T111/B222/s3cr3tT0k3n';

beforeEach(() => {
  ssm.reset();
  secrets.reset();
});

const clients = () => ({
  ssmClient: new SSMClient({ region: 'us-east-1' }),
  secretsClient: new SecretsManagerClient({ region: 'us-east-1' }),
});

describe('parseSecretRef', () => {
  it('reads the store from the prefix or the ARN', () => {
    expect(parseSecretRef('ssm:/sagewatch/slack-webhook')).toEqual({ store: 'ssm', name: '/sagewatch/slack-webhook' });
    expect(parseSecretRef(' secretsmanager:sagewatch/slack ')).toEqual({ store: 'secretsmanager', name: 'sagewatch/slack' });
    expect(parseSecretRef('arn:aws:ssm:us-east-1:123456789012:parameter/sagewatch/slack')).toEqual({
      store: 'ssm',
      name: 'arn:aws:ssm:us-east-1:123456789012:parameter/sagewatch/slack',
    });
    expect(parseSecretRef('arn:aws:secretsmanager:us-east-1:123456789012:secret:sagewatch/slack-AbCdEf')).toEqual({
      store: 'secretsmanager',
      name: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sagewatch/slack-AbCdEf',
    });
  });

  it('refuses anything else, including a URL put where the reference belongs', () => {
    expect(() => parseSecretRef('/sagewatch/slack')).toThrow(WebhookSecretError);
    expect(() => parseSecretRef('ssm:')).toThrow(/no name after the store prefix/);
    expect(() => parseSecretRef(URL_VALUE)).toThrow(/cannot tell where the Slack webhook secret is/);
  });
});

describe('createWebhookUrlSource', () => {
  it('reads a SecureString parameter with decryption', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/sagewatch/slack', Type: 'SecureString', Value: URL_VALUE } });
    const source = createWebhookUrlSource({ secretRef: 'ssm:/sagewatch/slack', ...clients() });

    await expect(source.get()).resolves.toBe(URL_VALUE);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({ Name: '/sagewatch/slack', WithDecryption: true });
  });

  it('caches the value between invocations and refetches after invalidate()', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: URL_VALUE } });
    const source = createWebhookUrlSource({ secretRef: 'ssm:/sagewatch/slack', ...clients() });
    await source.get();
    await source.get();
    await source.get();
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);

    source.invalidate();
    await source.get();
    await source.get();
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('does not cache when maxAgeSeconds is 0', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: URL_VALUE } });
    const source = createWebhookUrlSource({ secretRef: 'ssm:/sagewatch/slack', maxAgeSeconds: 0, ...clients() });
    await source.get();
    await source.get();
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('reads a Secrets Manager secret, bare or as JSON', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'sagewatch/plain' }).resolves({ SecretString: `${URL_VALUE}\n` });
    secrets.on(GetSecretValueCommand, { SecretId: 'sagewatch/json' }).resolves({ SecretString: JSON.stringify({ url: URL_VALUE }) });

    await expect(createWebhookUrlSource({ secretRef: 'secretsmanager:sagewatch/plain', ...clients() }).get()).resolves.toBe(URL_VALUE);
    await expect(createWebhookUrlSource({ secretRef: 'secretsmanager:sagewatch/json', ...clients() }).get()).resolves.toBe(URL_VALUE);
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: 'sagewatch/plain' }, { SecretId: 'sagewatch/json' }]);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 0);
  });

  it('fails clearly, naming the parameter but never the value', async () => {
    ssm.on(GetParameterCommand, { Name: '/denied' }).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    ssm.on(GetParameterCommand, { Name: '/not-a-url' }).resolves({ Parameter: { Value: 'hooks.slack.com/services/T111/B222/s3cr3tT0k3n' } });
    ssm.on(GetParameterCommand, { Name: '/ftp' }).resolves({ Parameter: { Value: 'ftp://hooks.slack.com/services/T111/B222/s3cr3tT0k3n' } });
    ssm.on(GetParameterCommand, { Name: '/empty-json' }).resolves({ Parameter: { Value: '{"token":"s3cr3tT0k3n"}' } });

    const read = (name: string) => createWebhookUrlSource({ secretRef: `ssm:${name}`, ...clients() }).get();
    await expect(read('/denied')).rejects.toThrow('cannot read the Slack webhook URL from SSM parameter /denied: AccessDeniedException');
    await expect(read('/not-a-url')).rejects.toThrow('SSM parameter /not-a-url does not hold a valid URL');
    await expect(read('/ftp')).rejects.toThrow('SSM parameter /ftp does not hold an http(s) URL');
    await expect(read('/empty-json')).rejects.toThrow('SSM parameter /empty-json holds no Slack webhook URL');
    for (const name of ['/denied', '/not-a-url', '/ftp', '/empty-json']) {
      const error: unknown = await read(name).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WebhookSecretError);
      expect((error as Error).message).not.toContain('s3cr3tT0k3n');
    }
  });

  it('lets SLACK_WEBHOOK_URL win for local runs, without calling AWS', async () => {
    const source = createWebhookUrlSource({ secretRef: 'ssm:/sagewatch/slack', overrideUrl: 'http://127.0.0.1:9999/hook', ...clients() });
    await expect(source.get()).resolves.toBe('http://127.0.0.1:9999/hook');
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 0);
    expect(() => createWebhookUrlSource({ overrideUrl: 'not a url' })).toThrow('SLACK_WEBHOOK_URL does not hold a valid URL');
  });

  it('returns undefined when nothing is configured', async () => {
    await expect(createWebhookUrlSource({}).get()).resolves.toBeUndefined();
  });
});
