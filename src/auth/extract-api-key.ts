/** Request headers as Node and fastify hand them over (names lowercased). */
export type RequestHeaders = Record<string, string | string[] | undefined>;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The API key a request carries: `Authorization: Bearer <key>`, else `X-API-Key: <key>`.
 * Returns null only when neither header is present, so that an `Authorization` header of
 * another scheme, an empty value or a repeated header comes back as a string that fails
 * parsing as `malformed` rather than passing for "no key".
 */
export function extractApiKey(headers: RequestHeaders): string | null {
  const authorization = header(headers, 'authorization');
  if (authorization !== undefined) {
    const bearer = BEARER.exec(authorization);
    if (bearer !== null) return bearer[1]!;
  }
  const apiKey = header(headers, 'x-api-key');
  if (apiKey !== undefined) return apiKey.trim();
  return authorization ?? null;
}

function header(headers: RequestHeaders, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    // Node lowercases incoming names; a caller building headers by hand may not have.
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name && headers[key] !== undefined) {
        value = headers[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}
