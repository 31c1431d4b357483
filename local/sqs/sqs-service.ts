import { buildApp } from 'fauxqs';
import { escapeAstralCharactersInJson } from './astral-escape.ts';
import type { QueueDefinition } from '../template/model.ts';
import type { QueueSender } from '../ports.ts';
import { asText, type Counters } from '../util.ts';

/** An SQS message as ReceiveMessage returns it (JSON protocol). */
export interface SqsMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody?: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<
    string,
    { DataType: string; StringValue?: string; BinaryValue?: string }
  >;
  MD5OfMessageAttributes?: string;
}

/** An error answered by SQS (its short code and message). */
export class SqsError extends Error {
  readonly code: string;
  readonly statusCode: number;
  constructor(code: string, message: string, statusCode: number) {
    super(`${code}: ${message}`);
    this.code = code;
    this.statusCode = statusCode;
    this.name = 'SqsError';
  }
}

type FauxqsApp = ReturnType<typeof buildApp>;

/** A raw HTTP exchange forwarded from the AWS endpoint. */
export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
export interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * SQS on the local endpoint, backed by fauxqs (in process, no port of its own:
 * requests are injected into its router). fauxqs implements the JSON protocol,
 * visibility timeouts, long polling, FIFO groups and dedup, `ApproximateReceiveCount`
 * and redrive to the DLQ after `maxReceiveCount` (at receive time, as SQS does).
 *
 * Queue URLs are `<endpoint>/000000000000/<name>`: fauxqs looks queues up by the
 * URL's last segment, and the URLs it hands out are rewritten to that form so a
 * client configured with `AWS_ENDPOINT_URL` never gets redirected to a host that
 * does not resolve.
 */
export class SqsService implements QueueSender {
  private readonly app: FauxqsApp;
  private readonly endpointHost: string;
  private readonly origin: string;
  private readonly queues: QueueDefinition[];
  private readonly counters: Counters;

  private constructor(
    app: FauxqsApp,
    origin: string,
    queues: QueueDefinition[],
    counters: Counters,
  ) {
    this.app = app;
    this.origin = origin;
    this.endpointHost = new URL(origin).host;
    this.queues = queues;
    this.counters = counters;
  }

  /** Starts the emulator and creates the template's queues (DLQs first). */
  static async start(options: {
    origin: string;
    queues: QueueDefinition[];
    counters: Counters;
  }): Promise<SqsService> {
    const app = buildApp({ logger: false });
    await app.ready();
    const service = new SqsService(app, options.origin, options.queues, options.counters);
    // A redrive policy may only name an existing queue: create targets first.
    const ordered = [...options.queues].sort(
      (a, b) => Number('RedrivePolicy' in a.attributes) - Number('RedrivePolicy' in b.attributes),
    );
    for (const queue of ordered) {
      await service.call('CreateQueue', { QueueName: queue.name, Attributes: queue.attributes });
    }
    return service;
  }

  /** Handles a request forwarded from the AWS endpoint (counted as an SQS request). */
  async handle(request: RawRequest): Promise<RawResponse> {
    const target = String(request.headers['x-amz-target'] ?? '');
    this.countRequest(target.slice(target.indexOf('.') + 1));
    const response = await this.app.inject({
      method: request.method as 'POST',
      url: request.url,
      headers: request.headers as Record<string, string>,
      payload: request.body,
    });
    let body = response.rawPayload;
    if (
      /AmazonSQS\.(GetQueueUrl|CreateQueue|ListQueues|ListDeadLetterSourceQueues)$/.test(target)
    ) {
      body = Buffer.from(this.rewriteUrls(body.toString('utf8')));
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(response.headers)) {
      if (v !== undefined && k !== 'content-length' && k !== 'connection') headers[k] = String(v);
    }
    return { statusCode: response.statusCode, headers, body };
  }

  /** Counts one billable request, in total and by action (the bench shows where they go). */
  private countRequest(action: string): void {
    this.counters.add('sqs.requests');
    this.counters.add(`sqs.requests.${action || 'unknown'}`);
  }

  /**
   * Calls an SQS action in process (used by the event source mappings, the
   * helpers and the other emulators). Counted as an SQS request unless `uncounted`.
   */
  async call<T = Record<string, unknown>>(
    action: string,
    body: object,
    uncounted = false,
  ): Promise<T> {
    if (!uncounted) this.countRequest(action);
    const response = await this.app.inject({
      method: 'POST',
      url: '/',
      headers: {
        host: this.endpointHost,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${action}`,
      },
      payload: JSON.stringify(body),
    });
    const parsed = (response.body ? JSON.parse(response.body) : {}) as Record<string, unknown>;
    if (response.statusCode >= 400) {
      const code =
        asText(parsed.__type ?? 'Error')
          .split('#')
          .pop() ?? 'Error';
      throw new SqsError(
        code,
        asText(parsed.message ?? parsed.Message ?? response.body),
        response.statusCode,
      );
    }
    return parsed as T;
  }

  /** A template queue by logical id, name, ARN or URL. */
  queue(ref: string): QueueDefinition | undefined {
    return this.queues.find(
      (q) => q.logicalId === ref || q.name === ref || q.arn === ref || q.url === ref,
    );
  }

  /** The URL to use for a queue given by ARN, name, logical id or URL. */
  urlOf(ref: string): string {
    const known = this.queue(ref);
    if (known) return known.url;
    if (ref.startsWith('arn:')) return `${this.origin}/${ref.split(':')[4]}/${ref.split(':')[5]}`;
    if (ref.startsWith('http')) return ref;
    return `${this.origin}/000000000000/${ref}`;
  }

  /** The QueueSender port (EventBridge targets, failure destinations). */
  async sendMessage(
    queueArn: string,
    body: string,
    options: { messageGroupId?: string; messageDeduplicationId?: string } = {},
  ): Promise<void> {
    await this.call('SendMessage', {
      QueueUrl: this.urlOf(queueArn),
      MessageBody: escapeAstralCharactersInJson(body),
      ...(options.messageGroupId ? { MessageGroupId: options.messageGroupId } : {}),
      ...(options.messageDeduplicationId
        ? { MessageDeduplicationId: options.messageDeduplicationId }
        : {}),
    });
  }

  /** Receives messages (with all system attributes), long polling up to `waitSeconds`. */
  async receive(
    ref: string,
    options: {
      max?: number;
      waitSeconds?: number;
      visibilityTimeout?: number;
      uncounted?: boolean;
    } = {},
  ): Promise<SqsMessage[]> {
    const response = await this.call<{ Messages?: SqsMessage[] }>(
      'ReceiveMessage',
      {
        QueueUrl: this.urlOf(ref),
        MaxNumberOfMessages: Math.min(10, Math.max(1, options.max ?? 10)),
        WaitTimeSeconds: options.waitSeconds ?? 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        ...(options.visibilityTimeout !== undefined
          ? { VisibilityTimeout: options.visibilityTimeout }
          : {}),
      },
      options.uncounted,
    );
    return response.Messages ?? [];
  }

  /** Deletes messages by receipt handle (batched by 10). */
  async deleteMessages(ref: string, receiptHandles: string[], uncounted = false): Promise<void> {
    for (let i = 0; i < receiptHandles.length; i += 10) {
      await this.call(
        'DeleteMessageBatch',
        {
          QueueUrl: this.urlOf(ref),
          Entries: receiptHandles
            .slice(i, i + 10)
            .map((h, n) => ({ Id: String(n), ReceiptHandle: h })),
        },
        uncounted,
      );
    }
  }

  /** Makes messages visible again after `seconds` (0 = now). */
  async changeVisibility(ref: string, receiptHandles: string[], seconds: number): Promise<void> {
    for (let i = 0; i < receiptHandles.length; i += 10) {
      await this.call('ChangeMessageVisibilityBatch', {
        QueueUrl: this.urlOf(ref),
        Entries: receiptHandles
          .slice(i, i + 10)
          .map((h, n) => ({ Id: String(n), ReceiptHandle: h, VisibilityTimeout: seconds })),
      });
    }
  }

  /** Queue attributes (counts, settings), as GetQueueAttributes returns them. */
  async attributes(ref: string): Promise<Record<string, string>> {
    const response = await this.call<{ Attributes?: Record<string, string> }>(
      'GetQueueAttributes',
      { QueueUrl: this.urlOf(ref), AttributeNames: ['All'] },
      true,
    );
    return response.Attributes ?? {};
  }

  /** Non-destructive view of every message of a queue (fauxqs inspection). */
  async peek(ref: string): Promise<{ ready: unknown[]; delayed: unknown[]; inflight: unknown[] }> {
    const name = this.queue(ref)?.name ?? ref.split('/').pop() ?? ref;
    const response = await this.app.inject({
      method: 'GET',
      url: `/_fauxqs/queues/${encodeURIComponent(name)}`,
    });
    if (response.statusCode === 404)
      throw new SqsError('QueueDoesNotExist', `Queue ${ref} not found`, 400);
    const parsed = JSON.parse(response.body) as {
      messages: { ready: unknown[]; delayed: unknown[]; inflight: unknown[] };
    };
    return parsed.messages;
  }

  private closing: Promise<void> | undefined;

  /** Stops the emulator (ends pending long polls); safe to call twice. */
  stop(): Promise<void> {
    this.closing ??= this.app.close();
    return this.closing;
  }

  private rewriteUrls(text: string): string {
    return text.replace(/https?:\/\/sqs\.[a-z0-9-]+\.localhost(?::\d+)?/g, this.origin);
  }
}
