import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { httpErrors } from './http.ts';

/** What a route's handler gets: the event, the Lambda context and the path parameters. */
export interface RouteRequest {
  event: APIGatewayProxyEvent;
  context: Context;
  /** Decoded path parameters, e.g. `{ orderId: '…' }` for `/orders/{orderId}`. */
  params: Record<string, string>;
}

export interface Route {
  method: string;
  /** The API Gateway resource template, e.g. `/orders/{orderId}`. */
  resource: string;
  handle: (request: RouteRequest) => Promise<APIGatewayProxyResult>;
}

interface CompiledTemplate {
  pattern: RegExp;
  names: string[];
}

function compile(resource: string): CompiledTemplate {
  const names: string[] = [];
  const source = resource
    .split('/')
    .map((segment) => {
      const parameter = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (!parameter?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`), names };
}

/** Path parameters of `path` under `template`, or undefined when it does not match. */
function matchPath(template: CompiledTemplate, path: string): Record<string, string> | undefined {
  const match = template.pattern.exec(path);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [index, name] of template.names.entries()) {
    try {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    } catch {
      return undefined; // a malformed %-escape cannot name anything we have
    }
  }
  return params;
}

/**
 * Routes API Gateway REST events on `resource` + `httpMethod`, the way the API is
 * declared. When the resource is not one of ours (a `{proxy+}` integration, or a test
 * event without it) the concrete `path` is matched against the templates instead, so
 * the handler works behind either API shape.
 *
 * A known resource with a method it does not support answers 405 with an `Allow`
 * header (more useful to a client than a 404); an unknown path answers 404.
 */
export function createRouter(routes: readonly Route[]) {
  const compiled = routes.map((route) => ({ route, template: compile(route.resource) }));

  return (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const method = typeof event.httpMethod === 'string' ? event.httpMethod.toUpperCase() : '';
    const byResource = compiled.filter(({ route }) => route.resource === event.resource);
    let candidates: { route: Route; params: Record<string, string> }[];
    if (byResource.length > 0) {
      const params: Record<string, string> = {};
      for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
        if (typeof value === 'string') params[name] = value;
      }
      candidates = byResource.map(({ route }) => ({ route, params }));
    } else {
      const path = typeof event.path === 'string' ? event.path : '';
      candidates = compiled.flatMap(({ route, template }) => {
        const params = matchPath(template, path);
        return params ? [{ route, params }] : [];
      });
    }
    if (candidates.length === 0) throw httpErrors.notFound('No such resource');
    const chosen = candidates.find(({ route }) => route.method === method);
    if (!chosen) {
      throw httpErrors.methodNotAllowed(
        method || '(none)',
        candidates.map(({ route }) => route.method),
      );
    }
    return chosen.route.handle({ event, context, params: chosen.params });
  };
}
