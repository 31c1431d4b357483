import { jest } from '@jest/globals';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createObservability, type Observability } from '../../../lambdas/shared/observability.ts';

/** The `service` key of a log line and the `service` dimension of the metrics. */
function servicesOf({ logger, metrics }: Observability): { log: unknown; metric: unknown } {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  let line: string;
  try {
    logger.info('probe');
    line = String(write.mock.calls.at(-1)?.[0]);
  } finally {
    write.mockRestore();
  }
  metrics.addMetric('Probe', MetricUnit.Count, 1);
  const emf = metrics.serializeMetrics() as unknown as Record<string, unknown>;
  metrics.clearMetrics();
  return { log: (JSON.parse(line) as Record<string, unknown>).service, metric: emf.service };
}

describe('createObservability', () => {
  const saved = process.env.POWERTOOLS_SERVICE_NAME;
  afterEach(() => {
    if (saved === undefined) delete process.env.POWERTOOLS_SERVICE_NAME;
    else process.env.POWERTOOLS_SERVICE_NAME = saved;
  });

  it('names the service from POWERTOOLS_SERVICE_NAME, so one bundle deployed as several functions tells them apart', () => {
    // The stack runs the same relay bundle for three tables: orders-relay, payments-relay…
    process.env.POWERTOOLS_SERVICE_NAME = 'payments-relay';
    expect(servicesOf(createObservability('outbox-relay'))).toEqual({
      log: 'payments-relay',
      metric: 'payments-relay',
    });
  });

  it('falls back to the name given in code when the variable is not set', () => {
    delete process.env.POWERTOOLS_SERVICE_NAME;
    expect(servicesOf(createObservability('outbox-relay'))).toEqual({
      log: 'outbox-relay',
      metric: 'outbox-relay',
    });
  });
});
