import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Slack incoming webhook on loopback: a real HTTP server, so delivery is tested through real
 * sockets, timeouts and headers. By default it answers like Slack (`200 ok`; `400 invalid_blocks`
 * for payloads over Block Kit's limits; `404 no_service` for an unknown path); a script queues
 * other answers: `429` with `Retry-After`, `500`, slow responses.
 */

export interface ScriptedResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (past the client's timeout, to test it). */
  delayMs?: number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** Parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  /** What the server answered (scripted or default). */
  answeredStatus: number;
}

export interface FakeSlack {
  /** The webhook URL (the path is the part Slack treats as the secret). */
  url: string;
  received: ReceivedRequest[];
  /** Queues responses for the next requests, in order; afterwards the defaults apply again. */
  script(...responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

export const WEBHOOK_PATH = '/services/T0SAGEWATCH/B0ALERTS/fakeSecretToken123';

export async function startFakeSlack(): Promise<FakeSlack> {
  const queue: ScriptedResponse[] = [];
  const received: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const scripted = queue.shift();
      const answer = scripted ?? defaultAnswer(req, body);
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawBody, body, answeredStatus: answer.status });
      const send = () => respond(res, answer);
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, answer.delayMs);
        timers.add(timer);
      } else {
        send();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    received,
    script: (...responses) => queue.push(...responses),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function respond(res: ServerResponse, answer: ScriptedResponse): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
  res.end(answer.body ?? (answer.status === 200 ? 'ok' : ''));
}

function defaultAnswer(req: IncomingMessage, body: unknown): ScriptedResponse {
  if (req.method !== 'POST') return { status: 405, body: 'invalid_method' };
  if (req.url !== WEBHOOK_PATH) return { status: 404, body: 'no_service' };
  if (body === undefined) return { status: 400, body: 'invalid_payload' };
  const problems = validateSlackPayload(body);
  if (problems.length > 0) return { status: 400, body: problems.some((p) => p.startsWith('text')) ? 'invalid_payload' : 'invalid_blocks' };
  return { status: 200, body: 'ok' };
}

const LIMITS = {
  blocks: 50,
  header: 150,
  section: 3000,
  fields: 10,
  field: 2000,
  contextElements: 10,
  contextText: 3000,
  text: 40_000,
};

/**
 * Block Kit's limits for the block types a webhook message can carry here; one line per problem.
 * Written from Slack's reference, independently of the renderer, so renderer tests can use it.
 */
export function validateSlackPayload(payload: unknown): string[] {
  const problems: string[] = [];
  if (typeof payload !== 'object' || payload === null) return ['payload: not an object'];
  const { text, blocks } = payload as { text?: unknown; blocks?: unknown };
  if (text !== undefined && typeof text !== 'string') problems.push('text: not a string');
  if (typeof text === 'string' && text.length > LIMITS.text) problems.push(`text: ${text.length} > ${LIMITS.text}`);
  if (blocks === undefined) {
    if (typeof text !== 'string' || text.trim() === '') problems.push('text: required without blocks');
    return problems;
  }
  if (!Array.isArray(blocks)) return [...problems, 'blocks: not an array'];
  if (blocks.length > LIMITS.blocks) problems.push(`blocks: ${blocks.length} > ${LIMITS.blocks}`);
  for (const [i, block] of (blocks as unknown[]).entries()) problems.push(...blockProblems(block, `blocks[${i}]`));
  return problems;
}

function blockProblems(block: unknown, at: string): string[] {
  if (typeof block !== 'object' || block === null) return [`${at}: not an object`];
  const b = block as { type?: unknown; text?: unknown; fields?: unknown; elements?: unknown };
  switch (b.type) {
    case 'header':
      return textProblems(b.text, `${at}.text`, LIMITS.header, 'plain_text');
    case 'section': {
      const out: string[] = [];
      if (b.text === undefined && b.fields === undefined) out.push(`${at}: needs text or fields`);
      if (b.text !== undefined) out.push(...textProblems(b.text, `${at}.text`, LIMITS.section));
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields) || b.fields.length === 0) out.push(`${at}.fields: not a non-empty array`);
        else {
          if (b.fields.length > LIMITS.fields) out.push(`${at}.fields: ${b.fields.length} > ${LIMITS.fields}`);
          for (const [i, f] of (b.fields as unknown[]).entries()) out.push(...textProblems(f, `${at}.fields[${i}]`, LIMITS.field));
        }
      }
      return out;
    }
    case 'context': {
      if (!Array.isArray(b.elements) || b.elements.length === 0) return [`${at}.elements: not a non-empty array`];
      const out: string[] = [];
      if (b.elements.length > LIMITS.contextElements) out.push(`${at}.elements: ${b.elements.length} > ${LIMITS.contextElements}`);
      for (const [i, e] of (b.elements as unknown[]).entries()) out.push(...textProblems(e, `${at}.elements[${i}]`, LIMITS.contextText));
      return out;
    }
    case 'divider':
      return [];
    default:
      return [`${at}: unexpected block type ${String(b.type)}`];
  }
}

function textProblems(value: unknown, at: string, max: number, only?: 'plain_text'): string[] {
  if (typeof value !== 'object' || value === null) return [`${at}: not a text object`];
  const t = value as { type?: unknown; text?: unknown };
  if (t.type !== 'plain_text' && t.type !== 'mrkdwn') return [`${at}: bad type ${String(t.type)}`];
  if (only && t.type !== only) return [`${at}: must be ${only}`];
  if (typeof t.text !== 'string') return [`${at}: text not a string`];
  if (t.text.trim().length === 0) return [`${at}: empty`];
  if (t.text.length > max) return [`${at}: ${t.text.length} > ${max}`];
  if (isLoneSurrogateAt(t.text)) return [`${at}: broken surrogate pair`];
  return [];
}

function isLoneSurrogateAt(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}
