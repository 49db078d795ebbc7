import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestServers } from './harness.js';

const startServer = useTestServers();

/**
 * A client that sends its whole request before it reads anything, as many HTTP clients
 * do: it writes `total` body bytes (Content-Length or chunked) in 64 KiB pieces, waiting
 * for each write, and only then reads the answer. Rejects with the socket's error (EPIPE,
 * ECONNRESET) when the server hangs up before the body is sent: the defect under test.
 */
function sendThenRead(url: string, key: string, total: number, chunked: boolean): Promise<{ head: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.pause();
    const received: Buffer[] = [];
    socket.on('error', reject);
    socket.on('data', (c: Buffer) => received.push(c));
    socket.on('end', () => {
      const text = Buffer.concat(received).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      resolve({ head: text.slice(0, split), body: text.slice(split + 4) });
    });
    const write = (data: Buffer | string) => new Promise<void>((done, fail) => socket.write(data, (err) => (err ? fail(err) : done())));
    socket.once('connect', async () => {
      try {
        const framing = chunked ? 'transfer-encoding: chunked' : `content-length: ${total}`;
        await write(`POST /mcp HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\naccept: application/json\r\nconnection: close\r\n${framing}\r\n\r\n`);
        const piece = Buffer.alloc(64 * 1024, 0x20);
        for (let sent = 0; sent < total; sent += piece.length) {
          const part = piece.subarray(0, Math.min(piece.length, total - sent));
          await write(chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]) : part);
        }
        if (chunked) await write('0\r\n\r\n');
        socket.resume();
      } catch (err) {
        reject(err);
      }
    });
  });
}

const LIMIT = 64 * 1024;
const EXPECTED = { error: { code: 'PCTX_ERR_PAYLOAD_TOO_LARGE', message: `Request body exceeds the limit of ${LIMIT} bytes`, details: { limit: LIMIT } } };

describe('over-limit JSON bodies on /mcp (regression: a client still sending got EPIPE/ECONNRESET instead of the 413)', () => {
  it('answers 413 PAYLOAD_TOO_LARGE to a client that sends a body declared several MB over the limit before reading', async () => {
    const server = await startServer({ bodyLimit: LIMIT });
    const { key } = server.tenantWithKey('acme');
    const answer = await sendThenRead(server.url, key, 6 * 1024 * 1024, false);
    expect(answer.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(answer.body)).toEqual(EXPECTED);
  });

  it('answers 413 PAYLOAD_TOO_LARGE to a client that streams a chunked body several MB over the limit before reading', async () => {
    const server = await startServer({ bodyLimit: LIMIT });
    const { key } = server.tenantWithKey('acme');
    const answer = await sendThenRead(server.url, key, 6 * 1024 * 1024, true);
    expect(answer.head).toMatch(/^HTTP\/1\.1 413 /);
    const body = answer.body.replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, '');
    expect(JSON.parse(body)).toEqual(EXPECTED);
  });

  it('answers 401 to an unknown key sending a large body before reading, instead of a reset', async () => {
    const server = await startServer({ bodyLimit: LIMIT });
    server.tenantWithKey('acme');
    const answer = await sendThenRead(server.url, 'cl_live_00000000_nope', 6 * 1024 * 1024, false);
    expect(answer.head).toMatch(/^HTTP\/1\.1 401 /);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'PCTX_ERR_UNAUTHORIZED' } });
  });
});
