/**
 * The answer each service gives a request its caller's IAM policies do not allow, with
 * the message AWS writes (it names the role, the action and the resource):
 * `AccessDeniedException` for the JSON protocols (DynamoDB, EventBridge, Step
 * Functions, SQS's JSON protocol), a 403 `AccessDenied` error document for SQS's query
 * protocol.
 */
export function accessDeniedReply(
  service: string,
  message: string,
  contentType: string | undefined,
): { statusCode: number; headers: Record<string, string>; body: string } {
  if (service === 'sqs' && (contentType ?? '').includes('x-www-form-urlencoded')) {
    const escaped = message.replace(/[<>&]/g, (c) =>
      c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;',
    );
    return {
      statusCode: 403,
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${escaped}</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`,
    };
  }
  const jsonVersion = service === 'events' ? '1.1' : '1.0';
  return {
    statusCode: 400,
    headers: {
      'content-type': `application/x-amz-json-${jsonVersion}`,
      // SQS's JSON protocol also names the query-protocol code.
      ...(service === 'sqs' ? { 'x-amzn-query-error': 'AccessDenied;Sender' } : {}),
    },
    body: JSON.stringify({
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: message,
    }),
  };
}
