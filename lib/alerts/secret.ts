import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { WebhookSecretError } from './errors';

/**
 * The Slack webhook URL is a credential: it lives in SSM Parameter Store (SecureString) or
 * Secrets Manager, is read with Powertools Parameters and cached for `maxAgeSeconds`, and never
 * appears in the environment, the template, a log line or an error message. The environment only
 * names where it is (`SLACK_WEBHOOK_SECRET=ssm:/sagewatch/slack-webhook` or
 * `secretsmanager:sagewatch/slack-webhook`, or the parameter's or secret's ARN).
 */
export type SecretRef = { store: 'ssm'; name: string } | { store: 'secretsmanager'; name: string };

export function parseSecretRef(value: string): SecretRef {
  const trimmed = value.trim();
  if (trimmed.startsWith('ssm:')) return { store: 'ssm', name: nonEmpty(trimmed.slice(4), value) };
  if (trimmed.startsWith('secretsmanager:')) return { store: 'secretsmanager', name: nonEmpty(trimmed.slice(15), value) };
  const arn = /^arn:aws[a-z-]*:(ssm|secretsmanager):[^:]*:\d*:(parameter\/?|secret:)(.+)$/.exec(trimmed);
  if (arn) {
    // GetParameter takes the ARN as the name; GetSecretValue takes the ARN as the id.
    return arn[1] === 'ssm' ? { store: 'ssm', name: trimmed } : { store: 'secretsmanager', name: trimmed };
  }
  throw new WebhookSecretError(`cannot tell where the Slack webhook secret is: expected "ssm:<parameter name>", "secretsmanager:<secret id>" or an ARN, got ${JSON.stringify(trimmed.slice(0, 100))}`);
}

export interface WebhookUrlSource {
  /** The webhook URL, or undefined when none is configured (local runs print instead). */
  get(): Promise<string | undefined>;
  /** Forgets the cached URL: after Slack says the webhook is gone, the next read refetches. */
  invalidate(): void;
}

export interface WebhookUrlSourceOptions {
  /** Where the secret is (`SLACK_WEBHOOK_SECRET`). */
  secretRef?: string;
  /** Local runs only (`SLACK_WEBHOOK_URL`): wins over `secretRef`. */
  overrideUrl?: string;
  /** Default 300 s. */
  maxAgeSeconds?: number;
  ssmClient?: SSMClient;
  secretsClient?: SecretsManagerClient;
}

export function createWebhookUrlSource(options: WebhookUrlSourceOptions): WebhookUrlSource {
  if (options.overrideUrl !== undefined && options.overrideUrl !== '') {
    const url = validateUrl(options.overrideUrl, 'SLACK_WEBHOOK_URL');
    return { get: async () => url, invalidate: () => {} };
  }
  if (options.secretRef === undefined || options.secretRef === '') {
    return { get: async () => undefined, invalidate: () => {} };
  }
  const ref = parseSecretRef(options.secretRef);
  const maxAge = options.maxAgeSeconds ?? 300;
  let forceFetch = false;
  const describe = `${ref.store === 'ssm' ? 'SSM parameter' : 'secret'} ${ref.name}`;

  let ssm: SSMProvider | undefined;
  let secrets: SecretsProvider | undefined;
  const read = async (): Promise<unknown> => {
    const common = { maxAge, forceFetch };
    if (ref.store === 'ssm') {
      const provider = (ssm ??= new SSMProvider(options.ssmClient ? { awsSdkV3Client: options.ssmClient } : {}));
      return provider.get(ref.name, { ...common, decrypt: true });
    }
    const provider = (secrets ??= new SecretsProvider(options.secretsClient ? { awsSdkV3Client: options.secretsClient } : {}));
    return provider.get(ref.name, common);
  };

  return {
    async get() {
      let value: unknown;
      try {
        value = await read();
      } catch (error) {
        // Powertools wraps the SDK error; its message names the parameter, never the value.
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        const name = cause instanceof Error ? cause.name : 'Error';
        throw new WebhookSecretError(`cannot read the Slack webhook URL from ${describe}: ${name}`, { cause: error });
      }
      forceFetch = false;
      return urlFromSecret(value, describe);
    },
    invalidate() {
      forceFetch = true;
    },
  };
}

/** The secret is the bare URL, or JSON with a `url` or `webhookUrl` member (Secrets Manager key/value). */
function urlFromSecret(value: unknown, describe: string): string {
  let text = typeof value === 'string' ? value.trim() : value instanceof Uint8Array ? new TextDecoder().decode(value).trim() : '';
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const candidate = parsed.url ?? parsed.webhookUrl ?? parsed.webhook_url;
      text = typeof candidate === 'string' ? candidate.trim() : '';
    } catch {
      text = '';
    }
  }
  if (text === '') throw new WebhookSecretError(`${describe} holds no Slack webhook URL`);
  return validateUrl(text, describe);
}

function validateUrl(value: string, describe: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new WebhookSecretError(`${describe} does not hold a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookSecretError(`${describe} does not hold an http(s) URL`);
  return url.toString();
}

function nonEmpty(name: string, original: string): string {
  if (name.trim() === '') throw new WebhookSecretError(`no name after the store prefix in ${JSON.stringify(original.slice(0, 100))}`);
  return name.trim();
}
