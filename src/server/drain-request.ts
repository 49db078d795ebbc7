import type { Readable } from 'node:stream';

/**
 * Bytes of an unread request body that are read and thrown away so that an early answer
 * (413, 401, a refused upload) reaches the client; past this the connection is cut.
 */
export const DRAIN_CAP_BYTES = 32 * 1024 * 1024;

/**
 * Reads and discards what is left of a request body, at most `cap` more bytes, and
 * resolves when the body has ended (or the cap was passed, and the request destroyed).
 *
 * Why: an answer sent while the client is still sending is followed by the connection's
 * close, and closing a socket with unread bytes makes the kernel send a reset; a client
 * that writes its whole request before reading then gets EPIPE or ECONNRESET and never
 * sees the answer. Reading the rest first lets it finish, then read the error.
 */
export function drainRequest(raw: Readable & { complete?: boolean }, cap: number = DRAIN_CAP_BYTES): Promise<void> {
  if (raw.complete === true || raw.readableEnded || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      raw.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > cap) {
        raw.destroy();
        done();
      }
    };
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('close', done);
    raw.once('error', done);
    raw.resume();
  });
}
