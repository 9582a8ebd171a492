import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { connect, Socket } from 'node:net';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { prepareDrain } from './shutdown';

/** A bare Fastify with prepareDrain's hooks: `/slow` answers when the test says so. */
async function server(graceMs?: number): Promise<{ fastify: FastifyInstance; port: number; release: () => void }> {
  const fastify = new FastifyAdapter({ return503OnClosing: false }).getInstance();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  fastify.get('/slow', async () => {
    await held;
    return { slow: true };
  });
  fastify.get('/fast', async () => ({ fast: true }));
  prepareDrain(fastify, 'http://test', graceMs);
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  return { fastify, port: (fastify.server.address() as AddressInfo).port, release };
}

/** A raw connection: HTTP/1.1 keeps it alive, and a second request can follow the first unanswered. */
function rawConnection(port: number): { socket: Socket; data: () => string; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.setEncoding('utf8').on('data', (d: string) => (data += d));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, data: () => data, closed };
}

function responses(raw: string): { status: number; headers: Record<string, string>; body: string }[] {
  return raw
    .split(/(?=HTTP\/1\.1 )/)
    .filter(Boolean)
    .map((text) => {
      const [head, body] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      return { status: Number(statusLine.split(' ')[1]), headers, body };
    });
}

/** On "go" from stdin, connects to the port in argv, sends GET /fast, and prints when it was sent, then the answer. */
const CLIENT = `
const net = require('node:net');
process.stdin.once('data', () => {
  const socket = net.connect(Number(process.argv[1]), '127.0.0.1', () =>
    socket.write('GET /fast HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n', () => process.stdout.write('sent ' + Date.now() + '\\n')));
  socket.on('data', (d) => process.stdout.write(d));
  socket.on('error', (e) => process.stdout.write('error ' + e.code));
  socket.on('close', () => process.exit(0));
});
process.stdout.write('ready\\n');
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitUntil = async (check: () => boolean) => {
  while (!check()) await sleep(10);
};
const within = <T>(ms: number, p: Promise<T>) => Promise.race([p, sleep(ms).then(() => 'timed out' as const)]);

describe('prepareDrain', () => {
  it('a kept-alive connection busy when close() starts gets its answer with Connection: close, and close() completes', async () => {
    const { fastify, port, release } = await server();
    const conn = rawConnection(port);
    conn.socket.write('GET /slow HTTP/1.1\r\nHost: t\r\n\r\n');
    await sleep(50);
    const closing = fastify.close();
    await sleep(50);
    release();
    expect(await within(2000, closing)).toBeUndefined();
    await conn.closed;
    const [answer] = responses(conn.data());
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
  });

  it('for a moment after close() starts, a request on its way is still served as usual, with Connection: close', async () => {
    const { fastify, port } = await server(1000); // a grace that a loaded machine's connect fits in
    const closing = fastify.close();
    const conn = rawConnection(port);
    conn.socket.write('GET /fast HTTP/1.1\r\nHost: t\r\n\r\n');
    await conn.closed;
    const [answer] = responses(conn.data());
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    expect(await within(2000, closing)).toBeUndefined();
  });

  it('a connection still in the listen queue when the grace ends, its request sent in time, is served, though the loop stalled', async () => {
    const graceMs = 1000;
    const { fastify, port } = await server(graceMs);
    // Another process, told to go through a pipe, connects and sends within the grace while this
    // loop is blocked (a slow log pipe, a long computation) past it: the connection is queued.
    const client = spawn(process.execPath, ['-e', CLIENT, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    client.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const clientDone = new Promise((r) => client.once('exit', r));
    await waitUntil(() => output === 'ready\n');
    output = '';
    const closeStartedAt = Date.now();
    const closing = fastify.close();
    await sleep(50);
    client.stdin.write('go\n');
    while (Date.now() < closeStartedAt + graceMs + 200);
    await clientDone;
    const [sent, ...rest] = output.split('\n');
    expect(Number(sent.replace('sent ', ''))).toBeLessThan(closeStartedAt + graceMs);
    const [answer] = responses(rest.join('\n'));
    expect(answer?.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    expect(await within(2000, closing)).toBeUndefined();
  });

  it('a request sent on a busy connection later in the close is answered 503 problem+json, Connection: close, after the first', async () => {
    const { fastify, port, release } = await server();
    const conn = rawConnection(port);
    conn.socket.write('GET /slow HTTP/1.1\r\nHost: t\r\n\r\n');
    await sleep(50);
    const closing = fastify.close();
    await waitUntil(() => !fastify.server.listening); // past the grace
    conn.socket.write('GET /fast HTTP/1.1\r\nHost: t\r\n\r\n');
    await sleep(50);
    release();
    expect(await within(2000, closing)).toBeUndefined();
    await conn.closed;
    const [first, second] = responses(conn.data());
    expect(first.status).toBe(200);
    expect(second.status).toBe(503);
    expect(second.headers['content-type']).toContain('application/problem+json');
    expect(second.headers['retry-after']).toBe('2');
    expect(second.headers.connection).toBe('close');
    expect(JSON.parse(second.body)).toMatchObject({ type: 'http://test/problems/service-unavailable', status: 503 });
  });
});
