import { describe, expect, it } from '@jest/globals';
import { MAX_SLOW_PAYMENT_SECONDS } from '../../lambdas/payments/env.ts';
import { loadStageConfig, StageConfigError } from '../../lib/config.ts';

describe('loadStageConfig', () => {
  it('gives a dev stage with documented defaults when nothing is set', () => {
    expect(loadStageConfig({})).toEqual({
      stage: 'dev',
      sagaTimeoutSeconds: 90,
      sagaTimerGraceSeconds: 30,
      logLevel: 'INFO',
      apiAuth: 'IAM',
      apiCloudWatchRole: true,
      tracing: true,
      retainData: false,
      nagChecks: true,
      simulators: { paymentFailureRate: 0, slowPaymentSeconds: 120, providerFailureRate: 0 },
    });
  });

  it('reads every setting from its variable', () => {
    const config = loadStageConfig({
      STAGE: 'test-2',
      SAGA_TIMEOUT_SECONDS: '15',
      SAGA_TIMER_GRACE_SECONDS: '14',
      LOG_LEVEL: 'DEBUG',
      API_AUTH: 'NONE',
      API_CLOUDWATCH_ROLE: 'false',
      TRACING: 'false',
      RETAIN_DATA: '1',
      CDK_NAG: '0',
      PAYMENT_FAILURE_RATE: '0.25',
      SLOW_PAYMENT_SECONDS: '16',
      PROVIDER_FAILURE_RATE: '0.5',
    });
    expect(config).toEqual({
      stage: 'test-2',
      sagaTimeoutSeconds: 15,
      sagaTimerGraceSeconds: 14,
      logLevel: 'DEBUG',
      apiAuth: 'NONE',
      apiCloudWatchRole: false,
      tracing: false,
      retainData: true,
      nagChecks: false,
      simulators: { paymentFailureRate: 0.25, slowPaymentSeconds: 16, providerFailureRate: 0.5 },
    });
  });

  it('makes a tok_slow payment outlast a long saga timeout by default', () => {
    expect(loadStageConfig({ SAGA_TIMEOUT_SECONDS: '300' }).simulators.slowPaymentSeconds).toBe(
      330,
    );
    expect(loadStageConfig({ SAGA_TIMEOUT_SECONDS: '30' }).simulators.slowPaymentSeconds).toBe(120);
  });

  it('gives the saga timer a grace period that ends well before a short saga timeout', () => {
    const graceOf = (timeout: string) =>
      loadStageConfig({ SAGA_TIMEOUT_SECONDS: timeout }).sagaTimerGraceSeconds;
    expect(graceOf('3600')).toBe(30);
    expect(graceOf('60')).toBe(30);
    expect(graceOf('45')).toBe(22);
    expect(graceOf('6')).toBe(3);
    expect(graceOf('1')).toBe(0);
  });

  it('rejects a grace period that does not end before the saga timeout, or that SQS cannot delay', () => {
    const load = () =>
      loadStageConfig({ SAGA_TIMEOUT_SECONDS: '20', SAGA_TIMER_GRACE_SECONDS: '20' });
    expect(load).toThrow(StageConfigError);
    expect(load).toThrow(
      /SAGA_TIMER_GRACE_SECONDS="20": must be less than SAGA_TIMEOUT_SECONDS \(20\)/,
    );
    expect(() =>
      loadStageConfig({ SAGA_TIMEOUT_SECONDS: '3600', SAGA_TIMER_GRACE_SECONDS: '901' }),
    ).toThrow(/SAGA_TIMER_GRACE_SECONDS="901": must be a whole number from 0 to 900/);
    expect(
      loadStageConfig({ SAGA_TIMEOUT_SECONDS: '3600', SAGA_TIMER_GRACE_SECONDS: '0' })
        .sagaTimerGraceSeconds,
    ).toBe(0);
  });

  it('rejects a slow payment that would complete before the saga timeout', () => {
    const load = () => loadStageConfig({ SAGA_TIMEOUT_SECONDS: '90', SLOW_PAYMENT_SECONDS: '90' });
    expect(load).toThrow(StageConfigError);
    expect(load).toThrow(
      /SLOW_PAYMENT_SECONDS="90": must be more than SAGA_TIMEOUT_SECONDS \(90\)/,
    );
  });

  it('rejects a slow payment longer than the payment function accepts, so it fails the synth and not the function', () => {
    const load = (seconds: number) =>
      loadStageConfig({ SAGA_TIMEOUT_SECONDS: '60', SLOW_PAYMENT_SECONDS: String(seconds) });
    expect(load(90_000).simulators.slowPaymentSeconds).toBe(90_000);
    expect(() => load(MAX_SLOW_PAYMENT_SECONDS + 1)).toThrow(/SLOW_PAYMENT_SECONDS="\d+"/);
  });

  it('accepts stage names of up to 20 characters', () => {
    expect(loadStageConfig({ STAGE: 'a'.repeat(20) }).stage).toBe('a'.repeat(20));
    expect(() => loadStageConfig({ STAGE: 'a'.repeat(21) })).toThrow(`STAGE="${'a'.repeat(21)}"`);
  });

  it('retains data by default except in throwaway stages, and lets any stage choose', () => {
    for (const stage of ['prod', 'production', 'prd', 'live', 'staging', 'devops', 'eu-1'])
      expect([stage, loadStageConfig({ STAGE: stage }).retainData]).toEqual([stage, true]);
    for (const stage of ['dev', 'test', 'bench', 'local', 'e2e', 'ci', 'pr-42', 'dev-anna'])
      expect([stage, loadStageConfig({ STAGE: stage }).retainData]).toEqual([stage, false]);
    expect(loadStageConfig({ STAGE: 'prod', RETAIN_DATA: 'false' }).retainData).toBe(false);
    expect(loadStageConfig({ STAGE: 'dev', RETAIN_DATA: 'true' }).retainData).toBe(true);
  });

  it('treats empty and blank values as unset', () => {
    expect(loadStageConfig({ STAGE: '', SAGA_TIMEOUT_SECONDS: '  ' })).toMatchObject({
      stage: 'dev',
      sagaTimeoutSeconds: 90,
    });
  });

  it('ignores unrelated variables', () => {
    expect(loadStageConfig({ PATH: '/usr/bin', HOME: '/root' }).stage).toBe('dev');
  });

  it.each([
    ['STAGE', 'Prod'],
    ['STAGE', 'a-very-long-stage-name-indeed'],
    ['SAGA_TIMEOUT_SECONDS', 'abc'],
    ['SAGA_TIMEOUT_SECONDS', '0'],
    ['SAGA_TIMEOUT_SECONDS', '1.5'],
    ['SAGA_TIMEOUT_SECONDS', '86401'],
    ['LOG_LEVEL', 'LOUD'],
    ['API_AUTH', 'COGNITO'],
    ['TRACING', 'yes'],
    ['CDK_NAG', 'off'],
    ['PAYMENT_FAILURE_RATE', '1.5'],
    ['PAYMENT_FAILURE_RATE', '-0.1'],
    ['SLOW_PAYMENT_SECONDS', '2m'],
    ['SLOW_PAYMENT_SECONDS', '0'],
    ['PROVIDER_FAILURE_RATE', '2'],
  ])('rejects %s=%s with a message naming the setting and its value', (key, value) => {
    const load = () => loadStageConfig({ [key]: value });
    expect(load).toThrow(StageConfigError);
    expect(load).toThrow(`${key}=${JSON.stringify(value)}`);
  });

  it('lists every invalid setting at once', () => {
    expect(() => loadStageConfig({ LOG_LEVEL: 'LOUD', API_AUTH: 'OPEN' })).toThrow(
      /LOG_LEVEL="LOUD": must be one of TRACE, DEBUG, INFO, WARN, ERROR\n.*API_AUTH="OPEN": must be one of NONE, IAM/,
    );
  });
});
