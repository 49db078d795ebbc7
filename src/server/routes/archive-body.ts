import type { FastifyInstance } from 'fastify';
import { PctxError } from '../../errors.js';

/**
 * Has the routes of `app`'s context receive bodies of `types` as the request stream,
 * capped at `cap` bytes, so an archive never sits in memory whole: a declared length over
 * the cap is refused before any byte is read (413), a chunked body by fastify's
 * `bodyLimit` as it arrives. Uploads and restores register it, each in its own context.
 */
export function streamArchiveBodies(app: FastifyInstance, types: string[], cap: number): void {
  app.addContentTypeParser(types, { bodyLimit: cap }, (request, payload, done) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > cap) return done(new PctxError('PAYLOAD_TOO_LARGE', { limit: cap }), undefined);
    done(null, payload);
  });
}
