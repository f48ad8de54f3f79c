import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * HTTP/1.1 POSTs to one origin over a pool of keep-alive sockets, written and read directly:
 * one write per request (request line, headers and body in one string) and a small response
 * reader (status, headers, a content-length or chunked body, or a body up to the close). It is
 * what the signed DynamoDB client needs and no more: node:http's ClientRequest, OutgoingMessage,
 * IncomingMessage and Agent cost about as much client CPU per write as signing and marshalling
 * together (scripts/client-cpu.ts: `signed` against `http-floor`), for generality DynamoDB does not
 * use (no pipelining, no upgrades, no expect-continue, one origin).
 *
 * Behaves as node's keep-alive Agent where it matters: at most `maxSockets` sockets (more calls
 * wait for one), the most recently freed socket reused first, idle sockets unref'd so they never
 * keep a process alive, TCP no-delay and keep-alive probes, TLS sessions resumed. A socket that
 * fails or closes mid-answer fails that call with node's error (`ECONNRESET` "socket hang up" for
 * a close), which the caller's retry strategy classifies as the SDK does; a socket silent for
 * `socketTimeoutMs` while a call waits fails it with a TimeoutError, and is closed if idle.
 */
export interface KeepAliveOrigin {
  https: boolean;
  hostname: string;
  port?: number;
}

export interface KeepAliveOptions {
  maxSockets: number;
  socketTimeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  /** Lower-case names; repeated headers joined with ", " (as node:http joins most). */
  headers: Record<string, string>;
  text: string;
}

/** What node:http refuses in a header value (its checkInvalidHeaderChar). */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** A response head larger than this is not DynamoDB's: fail rather than buffer without end. */
const MAX_HEAD_BYTES = 64 * 1024;

interface Call {
  resolve: (answer: HttpAnswer) => void;
  reject: (error: Error) => void;
}

interface Waiting extends Call {
  request: string;
}

export class KeepAliveHttp {
  private readonly idle: Connection[] = [];
  private readonly waiting: Waiting[] = [];
  /** Every open connection, idle or not (destroy closes them all). */
  private readonly all = new Set<Connection>();
  private tlsSession?: Buffer;
  private destroyed = false;

  constructor(
    private readonly origin: KeepAliveOrigin,
    private readonly options: KeepAliveOptions,
  ) {}

  /** POSTs `body` to `path` with `headers` (names as given, values checked as node:http does). */
  post(path: string, headers: Record<string, string>, body: string): Promise<HttpAnswer> {
    let request = `POST ${path} HTTP/1.1\r\n`;
    for (const name in headers) {
      const value = headers[name]!;
      if (INVALID_HEADER_VALUE.test(value)) return Promise.reject(Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), { code: 'ERR_INVALID_CHAR' }));
      request += `${name}: ${value}\r\n`;
    }
    request += `\r\n${body}`;
    return new Promise((resolve, reject) => {
      if (this.destroyed) return reject(new Error('KeepAliveHttp: destroyed'));
      const call = { resolve, reject };
      const connection = this.idle.pop() ?? (this.all.size < this.options.maxSockets ? this.connect() : undefined);
      if (connection) connection.send(request, call);
      else this.waiting.push({ request, ...call });
    });
  }

  destroy(): void {
    this.destroyed = true;
    for (const waiting of this.waiting.splice(0)) waiting.reject(new Error('KeepAliveHttp: destroyed'));
    for (const connection of this.idle.splice(0)) connection.socket.destroy();
    for (const connection of this.all) connection.socket.destroy();
  }

  private connect(): Connection {
    const { https, hostname } = this.origin;
    const port = this.origin.port ?? (https ? 443 : 80);
    const socket = https
      ? tlsConnect({ host: hostname, port, ALPNProtocols: ['http/1.1'], ...(isIP(hostname) ? {} : { servername: hostname }), ...(this.tlsSession ? { session: this.tlsSession } : {}) })
      : netConnect({ host: hostname, port });
    if (https) socket.on('session', (session: Buffer) => (this.tlsSession = session));
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    socket.setTimeout(this.options.socketTimeoutMs);
    const connection = new Connection(socket, this.options.socketTimeoutMs, (reusable) => this.release(connection, reusable));
    this.all.add(connection);
    return connection;
  }

  /** A connection finished a call (`reusable`: it may take another) or closed (`false`). */
  private release(connection: Connection, reusable: boolean): void {
    if (!reusable) {
      this.all.delete(connection);
      const index = this.idle.indexOf(connection);
      if (index >= 0) this.idle.splice(index, 1);
      if (this.waiting.length > 0 && !this.destroyed && this.all.size < this.options.maxSockets) {
        const next = this.waiting.shift()!;
        this.connect().send(next.request, next);
      }
      return;
    }
    const next = this.waiting.shift();
    if (next) connection.send(next.request, next);
    else {
      connection.socket.unref();
      this.idle.push(connection);
    }
  }
}

/** Reading modes of the answer being received: its head, a content-length body, a chunked body, a body up to the close. */
const Body = { Head: 0, Length: 1, Chunked: 2, UntilClose: 3 } as const;
type BodyMode = (typeof Body)[keyof typeof Body];

class Connection {
  private call?: Call;
  private mode: BodyMode = Body.Head;
  private pending?: Buffer;
  private status = 0;
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private remaining = 0;
  private keepAlive = true;
  private closed = false;

  constructor(
    readonly socket: Socket,
    private readonly timeoutMs: number,
    private readonly release: (reusable: boolean) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('timeout', () => {
      if (!this.call) return void socket.destroy();
      const timeout = new Error(`DynamoDB did not answer within ${this.timeoutMs} ms`);
      timeout.name = 'TimeoutError';
      socket.destroy(timeout);
    });
    socket.on('error', (error: Error) => this.fail(error));
    socket.on('close', () => {
      this.closed = true;
      if (this.call && this.mode === Body.UntilClose) this.finish();
      else this.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      this.release(false);
    });
  }

  send(request: string, call: Call): void {
    if (this.closed) {
      this.release(false);
      call.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      return;
    }
    this.call = call;
    this.mode = Body.Head;
    this.socket.ref();
    this.socket.write(request);
  }

  private fail(error: Error): void {
    const call = this.call;
    this.call = undefined;
    this.pending = undefined;
    this.chunks = [];
    if (call) call.reject(error);
    if (!this.socket.destroyed) this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.call) return void this.socket.destroy(new Error('data from DynamoDB without a request'));
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    while (this.mode === Body.Head) {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) {
        if (data.length > MAX_HEAD_BYTES) return void this.fail(new Error('DynamoDB answered with a response head over 64 KiB'));
        this.pending = data;
        return;
      }
      if (!this.readHead(data.toString('latin1', 0, end))) return;
      data = data.subarray(end + 4);
    }
    if (this.mode === Body.Length) {
      if (data.length > this.remaining) return void this.fail(new Error('DynamoDB answered with more bytes than its content-length'));
      if (data.length > 0) this.chunks.push(data);
      this.remaining -= data.length;
      if (this.remaining === 0) this.finish();
    } else if (this.mode === Body.Chunked) {
      this.readChunks(data);
    } else if (data.length > 0) {
      this.chunks.push(data);
    }
  }

  /** Parses a response head; false when it failed the call. */
  private readHead(head: string): boolean {
    const lines = head.split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]!);
    if (!statusLine) {
      this.fail(Object.assign(new Error('Parse Error: Invalid response status'), { code: 'HPE_INVALID_CONSTANT' }));
      return false;
    }
    const status = Number(statusLine[2]);
    const headers: Record<string, string> = Object.create(null);
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    // An interim answer (100 Continue and the like): the real one follows.
    if (status < 200) return true;
    this.status = status;
    this.headers = headers;
    const connection = headers.connection?.toLowerCase();
    this.keepAlive = statusLine[1] === '1' ? connection !== 'close' : connection === 'keep-alive';
    const length = headers['content-length'];
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      this.mode = Body.Chunked;
    } else if (status === 204 || status === 304) {
      this.mode = Body.Length;
      this.remaining = 0;
    } else if (length !== undefined) {
      this.mode = Body.Length;
      this.remaining = Number(length);
      if (!Number.isSafeInteger(this.remaining) || this.remaining < 0) {
        this.fail(Object.assign(new Error('Parse Error: Invalid content-length'), { code: 'HPE_INVALID_CONTENT_LENGTH' }));
        return false;
      }
    } else {
      this.mode = Body.UntilClose;
      this.keepAlive = false;
    }
    if (this.mode === Body.Length && this.remaining === 0) {
      // Nothing more to read; finished once the caller's loop sees no body.
      this.finish();
      return false;
    }
    return true;
  }

  /** Chunked transfer coding: `<hex size>[;ext]\r\n<bytes>\r\n` ... `0\r\n[trailers]\r\n`. */
  private readChunks(data: Buffer): void {
    let at = 0;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', at);
      if (lineEnd < 0) break;
      const size = Number.parseInt(data.toString('latin1', at, lineEnd), 16);
      if (!Number.isFinite(size) || size < 0) return void this.fail(new Error('Parse Error: Invalid chunk size'));
      if (size === 0) {
        // The last chunk: done at the empty line that ends the trailers.
        const end = data.indexOf('\r\n\r\n', lineEnd);
        if (end < 0) break;
        return void this.finish();
      }
      if (data.length < lineEnd + 2 + size + 2) break;
      this.chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    this.pending = at < data.length ? data.subarray(at) : undefined;
  }

  private finish(): void {
    const call = this.call!;
    const chunks = this.chunks;
    const text = chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
    const answer = { status: this.status, headers: this.headers, text };
    this.call = undefined;
    this.chunks = [];
    this.pending = undefined;
    this.mode = Body.Head;
    if (!this.closed) {
      if (this.keepAlive) this.release(true);
      else this.socket.destroy();
    }
    call.resolve(answer);
  }
}
