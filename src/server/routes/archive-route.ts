import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/index.js';
import type { Engine } from '../../engine/engine.js';
import { PctxError, toPctxError } from '../../errors.js';
import { ingestArchive, type ArchiveLimits, type IngestProgress } from '../../ingest/index.js';
import { drainRequest } from '../drain-request.js';
import { streamArchiveBodies } from './archive-body.js';
import { repoNameParams } from './schemas.js';

export interface ArchiveRouteDeps {
  engine: Engine;
  control: ControlPlane;
  limits: Readonly<ArchiveLimits>;
}

const ARCHIVE_TYPES = ['application/gzip', 'application/x-gzip', 'application/x-tar+gzip', 'application/octet-stream'];
const NDJSON = 'application/x-ndjson';
const PROGRESS_INTERVAL_MS = 250;

/**
 * `POST /v1/repos/:name/archive`: a tar.gz body streamed into `ingestArchive`, which
 * extracts it safely into the tenant's own folder and indexes it. The answer is the
 * index summary; a client that accepts `application/x-ndjson` gets progress lines first
 * and the summary (or the error) as the last line.
 */
export async function archiveRoute(app: FastifyInstance, deps: ArchiveRouteDeps): Promise<void> {
  const cap = deps.limits.maxCompressedBytes;
  streamArchiveBodies(app, ARCHIVE_TYPES, cap);

  app.post(
    '/v1/repos/:name/archive',
    {
      config: { guard: { permission: 'write', operation: 'upload_archive', logAs: 'upload_archive' } },
      schema: {
        summary: 'Upload a tar.gz of a repository; it is extracted into the tenant folder and indexed',
        description: `Content-Type application/gzip (or application/octet-stream), at most ${cap} bytes. Accept application/x-ndjson for progress lines.`,
        params: repoNameParams,
      },
    },
    async (request, reply) => {
      const tenantId = request.pctx.principal!.tenantId;
      const repoName = (request.params as { name: string }).name;
      const abort = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort(new PctxError('INTERNAL', { reason: 'the client closed the connection' }));
      });
      // The extractor gets a pipe, not the request: a refusal mid-upload destroys the pipe
      // and the rest of the request is drained, so the client reads the error, not a reset.
      const raw = request.body as Readable;
      // A body that is not a stream (a JSON content type) is refused by ingestArchive as it is.
      const streamed = typeof raw?.pipe === 'function';
      const body = streamed ? new PassThrough() : raw;
      if (streamed) raw.pipe(body as PassThrough);
      const ingest = (onProgress?: (p: IngestProgress) => void) =>
        ingestArchive({
          engine: deps.engine,
          tenantId,
          repoName,
          body,
          limits: deps.limits,
          quotaBytes: deps.control.tenants.get(tenantId)?.quotaBytes ?? null,
          vectors: 'background',
          signal: abort.signal,
          ...(onProgress ? { onProgress } : {}),
        });
      const run = (onProgress?: (p: IngestProgress) => void) =>
        ingest(onProgress).catch(async (err: unknown) => {
          if (streamed) {
            raw.unpipe(body as PassThrough);
            await drainRequest(raw, deps.limits.maxCompressedBytes);
          }
          throw err;
        });

      if (!request.headers.accept?.includes(NDJSON)) return run();

      // Streaming: status 200 is sent before the outcome is known, so the error travels as the last line.
      const stream = new PassThrough();
      let last = -Infinity;
      const line = (value: unknown) => stream.write(`${JSON.stringify(value)}\n`);
      void run((p) => {
        const now = performance.now();
        if (now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        line({ progress: p });
      }).then(
        (result) => stream.end(`${JSON.stringify({ result })}\n`),
        (err: unknown) => {
          const error = deps.engine.publicError(toPctxError(err));
          request.pctx.failure = error;
          stream.end(`${JSON.stringify({ error: error.toJSON() })}\n`);
        },
      );
      reply.header('content-type', NDJSON).header('cache-control', 'no-cache');
      return reply.send(stream);
    },
  );
}
