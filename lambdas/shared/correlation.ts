import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { getHeader } from './http.ts';

/** Header through which callers pass (and every API response echoes) the correlation id. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

const CorrelationId = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/));

/**
 * The id that ties this request's logs to the caller's: the caller's `x-correlation-id`
 * when it is a sane token (anything else is ignored, not an error), else API Gateway's
 * request id, else the Lambda request id.
 */
export function correlationIdOf(
  event: Partial<APIGatewayProxyEvent>,
  awsRequestId: string,
): string {
  const fromHeader = getHeader({ headers: event.headers ?? {} }, CORRELATION_ID_HEADER);
  if (fromHeader !== undefined && z.safeParse(CorrelationId, fromHeader).success) return fromHeader;
  const apiRequestId: unknown = event.requestContext?.requestId;
  if (typeof apiRequestId === 'string' && z.safeParse(CorrelationId, apiRequestId).success)
    return apiRequestId;
  return awsRequestId;
}
