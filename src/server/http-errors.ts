import type { FastifyError } from 'fastify';
import { PctxError, toPctxError } from '../errors.js';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
  message: string;
}

/**
 * Maps whatever a route or hook threw onto the error registry: PctxErrors pass through,
 * fastify's own errors (schema validation, body limits, bad JSON, content types) get
 * their registry code, anything else is INTERNAL. The HTTP answer is always
 * `{ error: { code, message, details } }` with the registry status.
 */
export function toHttpError(err: unknown, request: { bodyLimit: number; contentType: string | undefined }): PctxError {
  const { bodyLimit } = request;
  if (err instanceof PctxError) return err;
  const e = err as FastifyLikeError & FastifyError;
  if (e && typeof e === 'object' && Array.isArray(e.validation)) {
    const first = e.validation[0];
    const where = e.validationContext ?? 'body';
    const missing = first?.params && typeof first.params.missingProperty === 'string' ? `/${first.params.missingProperty}` : '';
    const extra = first?.params && typeof first.params.additionalProperty === 'string' ? `/${first.params.additionalProperty}` : '';
    const option = `${where}${first?.instancePath ?? ''}${missing}${extra}`.replace(/\//g, '.');
    return new PctxError('INVALID_ARGUMENT', { option, reason: first?.message ?? e.message });
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PctxError('PAYLOAD_TOO_LARGE', { limit: bodyLimit });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new PctxError('UNSUPPORTED_MEDIA_TYPE', { contentType: request.contentType ?? '(none)', expected: 'application/json' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new PctxError('INVALID_ARGUMENT', { option: 'body', reason: 'the JSON body is empty' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new PctxError('INVALID_ARGUMENT', { option: 'content-length', reason: 'does not match the body' });
  }
  if (e instanceof SyntaxError || (typeof e?.statusCode === 'number' && e.statusCode === 400)) {
    return new PctxError('INVALID_ARGUMENT', { option: 'body', reason: e.message });
  }
  return toPctxError(err);
}
