import type { RouteOptions } from 'fastify';
import { PACKAGE_VERSION } from '../version.js';
import type { RouteGuard } from './route-guard.js';
import { errorBody } from './routes/schemas.js';

interface RouteSchema {
  summary?: string;
  description?: string;
  body?: Record<string, unknown>;
  /** Content types of a body that is not JSON (an archive), for routes that take one. */
  consumes?: readonly string[];
  params?: { properties?: Record<string, Record<string, unknown>>; required?: readonly string[] };
  querystring?: { properties?: Record<string, Record<string, unknown>>; required?: readonly string[] };
  headers?: { properties?: Record<string, Record<string, unknown>>; required?: readonly string[] };
}

/**
 * Builds the OpenAPI 3.1 document from the routes as registered: the same JSON Schemas
 * fastify validates with, the permission each route's guard demands, and the error
 * answers every guarded route can give. Collect routes with `collect` (an onRoute hook).
 */
export class OpenApiBuilder {
  private readonly routes: { method: string; url: string; schema: RouteSchema; guard: RouteGuard | undefined }[] = [];

  collect(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || route.url === '/openapi.json' && method !== 'GET') continue;
      this.routes.push({ method: method.toLowerCase(), url: route.url, schema: (route.schema ?? {}) as RouteSchema, guard: route.config?.guard });
    }
  }

  document(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const { method, url, schema, guard } of this.routes) {
      if (method === 'head') continue;
      const openPath = url.replace(/:(\w+)/g, '{$1}');
      const parameters = [
        ...parametersOf(schema.params, 'path'),
        ...parametersOf(schema.querystring, 'query'),
        ...parametersOf(schema.headers, 'header'),
      ];
      const responses: Record<string, unknown> = { default: { description: 'Error', content: { 'application/json': { schema: errorBody } } } };
      responses['2XX'] = { description: 'Success' };
      if (guard && guard.permission !== 'public') {
        responses['401'] = { description: 'Missing, malformed, unknown or revoked API key', content: { 'application/json': { schema: errorBody } } };
        responses['403'] = { description: `The key lacks the ${guard.permission} permission`, content: { 'application/json': { schema: errorBody } } };
        responses['429'] = { description: 'Rate limited; see Retry-After', content: { 'application/json': { schema: errorBody } } };
      }
      const operation: Record<string, unknown> = {
        summary: schema.summary ?? `${method.toUpperCase()} ${url}`,
        ...(schema.description ? { description: schema.description } : {}),
        ...(guard?.logAs ? { operationId: guard.logAs } : {}),
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema.body } } } } : {}),
        ...(schema.consumes ? { requestBody: { required: true, content: Object.fromEntries(schema.consumes.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }])) } } : {}),
        responses,
        security: guard && guard.permission !== 'public' ? [{ bearerAuth: [] }, { apiKeyHeader: [] }] : [],
        ...(guard && guard.permission !== 'public' ? { 'x-permission': guard.permission } : {}),
      };
      (paths[openPath] ??= {})[method] = operation;
    }
    return {
      openapi: '3.1.0',
      info: { title: 'PureContext HTTP API', version: PACKAGE_VERSION, description: 'MCP over Streamable HTTP, tenant REST routes and the admin API. See docs/http-api.md.' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer cl_live_…' },
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      paths,
    };
  }
}

function parametersOf(schema: RouteSchema['params'], where: 'path' | 'query' | 'header'): Record<string, unknown>[] {
  if (!schema?.properties) return [];
  return Object.entries(schema.properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (schema.required ?? []).includes(name),
    schema: s,
  }));
}
