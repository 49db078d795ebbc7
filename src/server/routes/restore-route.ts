import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../../admin/admin-context.js';
import { readArchiveManifest } from '../../admin/backup-archive.js';
import { newBackupWorkDir } from '../../admin/backup-tenant.js';
import { restoreTenant, type RestoreOptions } from '../../admin/restore-tenant.js';
import { LOCAL_TENANT_NAME, type ControlPlane } from '../../control/index.js';
import type { Engine } from '../../engine/engine.js';
import { PctxError, invalidArgument, isPctxError, redactPctxError } from '../../errors.js';
import { drainRequest } from '../drain-request.js';
import { streamArchiveBodies } from './archive-body.js';
import { tenantJson } from '../tenant-usage.js';
import { tenantIdParams } from './schemas.js';

export interface RestoreRouteDeps {
  control: ControlPlane;
  engine: Engine;
  /** Largest archive accepted, in bytes (`hosting.maxRestoreBytes`). */
  maxBytes: number;
}

const ARCHIVE_TYPES = ['application/gzip', 'application/x-gzip', 'application/octet-stream'];
/** What error messages call the archive instead of the server's temp file. */
const BODY_NAME = 'the request body';

/**
 * Writes the request body to `file`, at most `cap` bytes. The body goes through a pipe:
 * a refusal destroys the pipe, never the request, whose rest the caller drains so that
 * the client reads the error instead of a reset (as the upload route does).
 */
async function receive(raw: Readable, file: string, cap: number): Promise<void> {
  const body = new PassThrough();
  raw.pipe(body);
  // A client gone mid-body ends nothing: without this the pipe would wait for ever.
  const onClose = () => {
    if (!raw.readableEnded) body.destroy(new PctxError('INTERNAL', { reason: 'the client closed the connection' }));
  };
  raw.once('close', onClose);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > cap ? new PctxError('PAYLOAD_TOO_LARGE', { limit: cap }) : null, chunk);
    },
  });
  try {
    await pipeline(body, counter, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    raw.unpipe(body);
    await drainRequest(raw, cap);
    throw err;
  } finally {
    raw.off('close', onClose);
  }
}

/**
 * The options that restore the archive into the tenant the URL names. Under its own name
 * (`as`), so a backup of another tenant becomes this one's data with the ids rewritten and
 * a tenant renamed since its backup keeps its name. The local tenant's name is not one
 * `restoreTenant` takes as `as`: it takes its own backups only.
 */
async function restoreOptions(file: string, tenant: { id: string; name: string }): Promise<RestoreOptions> {
  if (tenant.name !== LOCAL_TENANT_NAME) return { as: tenant.name, force: true };
  const manifest = await readArchiveManifest(file);
  if (manifest.tenant.id !== tenant.id) throw invalidArgument('id', `the ${LOCAL_TENANT_NAME} tenant can be restored only from its own backups`);
  return { force: true };
}

/**
 * `POST /admin/tenants/:id/restore`: the body is a backup archive as
 * `POST /admin/tenants/:id/backup` answers it (or `tenants backup` writes it); it replaces
 * the data of tenant `:id`. The archive is written to a work folder named like a backup's
 * (removed by the next start if the server dies meanwhile), then restored with the CLI's
 * code (admin/restore-tenant.ts: every check before live data is touched, a crash-safe
 * swap) under the tenant's write lock, so no index run or upload of the tenant
 * interleaves with the swap.
 */
export async function restoreRoute(app: FastifyInstance, deps: RestoreRouteDeps): Promise<void> {
  const cap = deps.maxBytes;
  const adminCtx: AdminContext = { control: deps.control, pool: deps.engine.pool };
  streamArchiveBodies(app, ARCHIVE_TYPES, cap);

  app.post(
    '/admin/tenants/:id/restore',
    {
      config: { guard: { permission: 'admin', logAs: 'admin.restoreTenant' } },
      schema: {
        summary: "Replace a tenant's data with a backup archive (the body)",
        description: `Content-Type application/gzip (or application/octet-stream): an archive of POST /admin/tenants/:id/backup, at most ${cap} bytes. The tenant keeps its id, name and keys; its data, quota and settings become the archive's.`,
        params: tenantIdParams,
        consumes: ARCHIVE_TYPES,
      },
    },
    async (request) => {
      const tenant = deps.control.tenants.require((request.params as { id: string }).id);
      const raw = request.body as Readable;
      if (typeof raw?.pipe !== 'function') {
        throw new PctxError('UNSUPPORTED_MEDIA_TYPE', { contentType: request.headers['content-type'] ?? 'none', expected: ARCHIVE_TYPES.join(' or ') });
      }
      const dir = newBackupWorkDir();
      const file = path.join(dir, 'restore.tar.gz');
      try {
        await receive(raw, file, cap);
        const options = await restoreOptions(file, tenant);
        const result = await deps.engine.withWriteLock(tenant.id, () => restoreTenant(adminCtx, file, options));
        return { tenant: tenantJson(result.tenant), replaced: result.replaced, fromSchemaVersion: result.fromSchemaVersion, durationMs: Math.round(result.durationMs) };
      } catch (err) {
        // The temp file's path is the server's business: errors name the request body.
        throw isPctxError(err) ? redactPctxError(err, (text) => text.split(file).join(BODY_NAME)) : err;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}
