import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KeepAliveHttp } from '../../lib/aws/keep-alive-http';

/**
 * The signed DynamoDB client's HTTP/1.1 over loopback servers that write their answers byte by
 * byte where it matters: every way an answer can be framed, split at any point, and the ways a
 * connection ends.
 */
type Answer = (request: string, socket: Socket, connection: number) => void;

const servers: Server[] = [];
const clients: KeepAliveHttp[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server that calls `answer` once per complete request (head + content-length body); counts connections. */
async function serve(answer: Answer): Promise<{ client: (maxSockets?: number, socketTimeoutMs?: number) => KeepAliveHttp; connections: () => number; requests: string[] }> {
  let connections = 0;
  const requests: string[] = [];
  const server = createNetServer((socket) => {
    const connection = ++connections;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (Buffer.byteLength(buffered.slice(end + 4)) < length) return;
        const request = buffered.slice(0, end + 4 + length);
        buffered = buffered.slice(end + 4 + length);
        requests.push(request);
        answer(request, socket, connection);
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    client: (maxSockets = 50, socketTimeoutMs = 5_000) => {
      const client = new KeepAliveHttp({ https: false, hostname: '127.0.0.1', port }, { maxSockets, socketTimeoutMs });
      clients.push(client);
      return client;
    },
    connections: () => connections,
    requests,
  };
}

/** Writes `text` one byte per write, each after the last has left: the reader sees every split. */
async function trickle(socket: Socket, text: string): Promise<void> {
  for (const byte of Buffer.from(text, 'utf8')) {
    await new Promise<void>((resolve) => socket.write(Buffer.from([byte]), () => setImmediate(resolve)));
  }
}

const body = '{"Attributes":{"message":{"S":"ünïcode 🚀 and a long-ish value to split"}}}';
const bytes = Buffer.byteLength(body);

describe('KeepAliveHttp', () => {
  it('sends one POST with its headers and body, and reads a content-length answer split at every byte', async () => {
    const server = await serve((_request, socket) => {
      void trickle(socket, `HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amzn-RequestId: R1\r\nContent-Length: ${bytes}\r\n\r\n${body}`);
    });
    const answer = await server.client().post('/', { host: 'example', 'content-length': String(Buffer.byteLength('{"a":"é"}')), 'x-amz-target': 'T' }, '{"a":"é"}');
    expect(answer).toEqual({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'R1', 'content-length': String(bytes) }, text: body });
    expect(server.requests).toEqual([`POST / HTTP/1.1\r\nhost: example\r\ncontent-length: 10\r\nx-amz-target: T\r\n\r\n{"a":"é"}`]);
  });

  it('reads a chunked answer split at every byte, trailers and an interim 100 answer included', async () => {
    const chunked = `${(10).toString(16)}\r\n${body.slice(0, 10)}\r\n${Buffer.byteLength(body.slice(10)).toString(16)};ext=1\r\n${body.slice(10)}\r\n0\r\nX-Trailer: t\r\n\r\n`;
    const server = await serve((_request, socket) => {
      void trickle(socket, `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`);
    });
    const client = server.client();
    for (let i = 0; i < 2; i++) expect(await client.post('/', { 'content-length': '0' }, '')).toMatchObject({ status: 400, text: body });
    expect(server.connections()).toBe(1);
  });

  it('keeps one connection for calls in sequence, and opens a new one after the server says close or answers up to its close', async () => {
    const server = await serve((request, socket) => {
      if (request.includes('x-close: header')) socket.write(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}`);
      else if (request.includes('x-close: end')) socket.end(`HTTP/1.1 200 OK\r\n\r\n${body}`);
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
    });
    const client = server.client();
    for (let i = 0; i < 3; i++) await client.post('/', { 'content-length': '0' }, '');
    expect(server.connections()).toBe(1);
    await client.post('/', { 'content-length': '0', 'x-close': 'header' }, '');
    await client.post('/', { 'content-length': '0' }, '');
    expect(server.connections()).toBe(2);
    expect(await client.post('/', { 'content-length': '0', 'x-close': 'end' }, '')).toMatchObject({ status: 200, text: body });
    await client.post('/', { 'content-length': '0' }, '');
    expect(server.connections()).toBe(3);
  });

  it('opens at most maxSockets connections; further calls wait for a free one', async () => {
    const server = await serve((_request, socket) => setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'), 5));
    const client = server.client(2);
    const answers = await Promise.all(Array.from({ length: 7 }, () => client.post('/', { 'content-length': '0' }, '')));
    expect(answers.map((a) => a.status)).toEqual(Array(7).fill(200));
    expect(server.connections()).toBe(2);
  });

  it('fails a call whose connection drops mid-answer with ECONNRESET, and the next call opens a new connection', async () => {
    const server = await serve((_request, socket, connection) => {
      if (connection === 1) socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${bytes}\r\n\r\n${body.slice(0, 5)}`);
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
    });
    const client = server.client();
    await expect(client.post('/', { 'content-length': '0' }, '')).rejects.toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
    expect(await client.post('/', { 'content-length': '0' }, '')).toMatchObject({ status: 200, text: '{}' });
    expect(server.connections()).toBe(2);
  });

  it('fails a call the server does not answer with a TimeoutError', async () => {
    const server = await serve(() => {});
    await expect(server.client(50, 100).post('/', { 'content-length': '0' }, '')).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('refuses a header value node:http would refuse (no header injection)', async () => {
    const server = await serve((_request, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'));
    await expect(server.client().post('/', { 'x-amz-security-token': 'a\r\nx-evil: 1' }, '')).rejects.toMatchObject({ code: 'ERR_INVALID_CHAR' });
    expect(server.requests).toEqual([]);
  });

  it('fails a malformed answer with a parse error', async () => {
    const server = await serve((_request, socket) => socket.write('SMTP ready\r\n\r\n'));
    await expect(server.client().post('/', { 'content-length': '0' }, '')).rejects.toMatchObject({ code: 'HPE_INVALID_CONSTANT' });
  });
});
