import type { TemplateResolver } from './resolver.ts';

/**
 * An `AWS::ApiGateway::GatewayResponse` of a REST API: how API Gateway answers, for
 * one response type (`MISSING_AUTHENTICATION_TOKEN`, `DEFAULT_4XX`, ...), the requests
 * it answers itself instead of the integration.
 */
export interface GatewayResponseDefinition {
  responseType: string;
  /** Replaces the type's own status code (for `DEFAULT_*`, that of every type it covers). */
  statusCode?: number;
  /** Static headers (`gatewayresponse.header.<name>: "'value'"`). */
  headers: Record<string, string>;
  /** Body templates by content type: plain `$context.…` substitution. */
  templates: Record<string, string>;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * The gateway responses of the REST API whose id is `restApiId`. Header mappings
 * that are not static values (from the request's headers, say) are left out with a
 * warning: the local answers carry only the static ones.
 */
export function gatewayResponsesOf(
  restApiId: string,
  resolver: TemplateResolver,
): GatewayResponseDefinition[] {
  const responses: GatewayResponseDefinition[] = [];
  for (const id of resolver.resourcesOfType('AWS::ApiGateway::GatewayResponse')) {
    const p = resolver.properties(id);
    if (p.RestApiId !== restApiId) continue;
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(record(p.ResponseParameters))) {
      const header = /^gatewayresponse\.header\.(.+)$/.exec(key)?.[1];
      const staticValue = typeof value === 'string' ? /^'(.*)'$/.exec(value)?.[1] : undefined;
      if (header && staticValue !== undefined) headers[header.toLowerCase()] = staticValue;
      else resolver.warnings.push(`${id}: response parameter ${key} is not applied locally`);
    }
    const templates: Record<string, string> = {};
    for (const [contentType, template] of Object.entries(record(p.ResponseTemplates)))
      if (typeof template === 'string') templates[contentType] = template;
    const statusCode = Number(p.StatusCode);
    responses.push({
      responseType: String(p.ResponseType),
      ...(Number.isInteger(statusCode) && statusCode >= 100 ? { statusCode } : {}),
      headers,
      templates,
    });
  }
  return responses;
}
