import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for the one request the signed DynamoDB client sends: `POST /` with
 * a JSON body and the headers content-length, content-type, host, x-amz-date,
 * x-amz-security-token (with temporary credentials) and x-amz-target, all signed. It computes
 * what @smithy/signature-v4's SignatureV4 computes for that request, without its general
 * path: the signing key is derived once per day, region and credentials (SignatureV4 hashes
 * the credentials on every call to find it in its cache), the canonical request is one
 * template, and hashing is node:crypto's, synchronous. test/integration/signed-dynamodb.test.ts
 * checks every signature it makes with SignatureV4 itself.
 */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

interface SigningKey {
  day: string;
  accessKeyId: string;
  secretAccessKey: string;
  key: Buffer;
  scope: string;
}

export class PostSigner {
  private signingKey?: SigningKey;
  private dateSecond = Number.NaN;
  private amzDate = '';

  constructor(
    private readonly service: string,
    private readonly region: string,
  ) {}

  /** The request's headers, `authorization` included, signed at `nowMs`. */
  sign(credentials: SigningCredentials, nowMs: number, host: string, target: string, body: string): Record<string, string> {
    const amzDate = this.longDate(nowMs);
    const key = this.keyFor(credentials, amzDate.slice(0, 8));
    const length = String(Buffer.byteLength(body));
    const token = credentials.sessionToken ? canonicalValue(credentials.sessionToken) : undefined;
    const hostValue = canonicalValue(host);
    const signedHeaders = token ? 'content-length;content-type;host;x-amz-date;x-amz-security-token;x-amz-target' : 'content-length;content-type;host;x-amz-date;x-amz-target';
    const canonicalRequest =
      `POST\n/\n\ncontent-length:${length}\ncontent-type:${CONTENT_TYPE}\nhost:${hostValue}\nx-amz-date:${amzDate}\n` +
      `${token ? `x-amz-security-token:${token}\n` : ''}x-amz-target:${canonicalValue(target)}\n\n${signedHeaders}\n${sha256Hex(body)}`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${key.scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', key.key).update(stringToSign, 'utf8').digest('hex');
    const headers: Record<string, string> = {
      'content-length': length,
      'content-type': CONTENT_TYPE,
      host,
      'x-amz-date': amzDate,
      'x-amz-target': target,
      authorization: `${ALGORITHM} Credential=${credentials.accessKeyId}/${key.scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    };
    if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
    return headers;
  }

  private keyFor(credentials: SigningCredentials, day: string): SigningKey {
    const cached = this.signingKey;
    if (cached && cached.day === day && cached.accessKeyId === credentials.accessKeyId && cached.secretAccessKey === credentials.secretAccessKey) return cached;
    let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
    for (const part of [this.region, this.service, 'aws4_request']) key = hmac(key, part);
    const fresh = { day, accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, key, scope: `${day}/${this.region}/${this.service}/aws4_request` };
    this.signingKey = fresh;
    return fresh;
  }

  /** `YYYYMMDDTHHMMSSZ`, converted once per second. */
  private longDate(nowMs: number): string {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.dateSecond) {
      const iso = new Date(second * 1000).toISOString();
      this.amzDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
      this.dateSecond = second;
    }
    return this.amzDate;
  }
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

/** A header value as SigV4 canonicalises it: line breaks to spaces, runs of blanks to one, trimmed. */
function canonicalValue(value: string): string {
  return /[\r\n\t]| {2}|^ | $/.test(value)
    ? value
        .replace(/[\r\n]/g, ' ')
        .replace(/[ \t]+/g, ' ')
        .replace(/^ | $/g, '')
    : value;
}
