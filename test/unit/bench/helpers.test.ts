import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { costBarsSvg, latencyHistogramSvg } from '../../../bench/chart.ts';
import {
  HANDLER_ENTRIES,
  bundleComposition,
  dependencyBytes,
  isInstalled,
  moduleOf,
  ratio,
} from '../../../bench/bundles.ts';
import { fakeAnswer } from '../../../bench/fake-aws.ts';
import { runWithConcurrency } from '../../../bench/load.ts';

describe('runWithConcurrency', () => {
  it('runs every task once, never more than the concurrency at a time, results in order', async () => {
    let running = 0;
    let peak = 0;
    const results = await runWithConcurrency(20, 3, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      return i * 2;
    });
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(peak).toBe(3);
  });

  it('refuses a concurrency below one', async () => {
    await expect(runWithConcurrency(1, 0, () => Promise.resolve(1))).rejects.toThrow('concurrency');
  });
});

describe('fakeAnswer', () => {
  it('accepts every PutEvents entry', () => {
    const answer = fakeAnswer('AWSEvents.PutEvents', { Entries: [{}, {}] }) as {
      FailedEntryCount: number;
      Entries: unknown[];
    };
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries).toHaveLength(2);
  });

  it('answers reads with nothing found and SQS sends with the body MD5 the SDK checks', () => {
    expect(fakeAnswer('DynamoDB_20120810.Query', {})).toEqual({
      Items: [],
      Count: 0,
      ScannedCount: 0,
    });
    expect(fakeAnswer('DynamoDB_20120810.GetItem', {})).toEqual({});
    const sent = fakeAnswer('AmazonSQS.SendMessage', { MessageBody: 'hi' }) as {
      MD5OfMessageBody: string;
    };
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('hi').digest('hex'));
  });

  it('starts Step Functions executions', () => {
    const started = fakeAnswer('AWSStepFunctions.StartExecution', {}) as { executionArn: string };
    expect(started.executionArn).toMatch(/^arn:aws:states:/);
  });
});

describe('bundle helpers', () => {
  it('groups bundled files by package or repo folder', () => {
    expect(moduleOf('node_modules/@aws-sdk/client-sfn/dist-es/index.js')).toBe(
      '@aws-sdk/client-sfn',
    );
    expect(moduleOf('node_modules/zod/v4/mini/index.js')).toBe('zod');
    expect(moduleOf('lambdas/orders/api/router.ts')).toBe('lambdas/orders');
  });

  it('adds up the dependencies of both builds, leaving out the code of this repo', () => {
    const ours = [
      { module: 'zod', bytes: 20, own: false },
      { module: 'lambdas/relay', bytes: 10, own: true },
      { module: 'events/catalog.ts', bytes: 2, own: true },
      { module: '@middy/core', bytes: 3, own: false },
    ];
    const naive = [
      { module: 'zod', bytes: 40, own: false },
      { module: 'lambdas/relay', bytes: 19, own: true },
      { module: '@middy/core', bytes: 8, own: false },
    ];
    expect(dependencyBytes(ours, naive)).toEqual({ oursBytes: 23, naiveBytes: 48 });
  });

  it('tells our code from dependencies in a real bundle, minified and naive', async () => {
    const relay = HANDLER_ENTRIES.find((e) => e.name === 'relay')!;
    const ours = await bundleComposition(relay);
    const naive = await bundleComposition(relay, 'naive');
    const share = (shares: typeof ours, module: string) => shares.find((s) => s.module === module);
    expect(share(ours, 'lambdas/relay')?.own).toBe(true);
    expect(share(ours, 'zod')?.own).toBe(false);
    // The naive build is not minified: the same package takes more room there.
    expect(share(naive, 'zod')!.bytes).toBeGreaterThan(share(ours, 'zod')!.bytes);
  });

  it('rounds ratios to hundredths', () => {
    expect(ratio(1, 3)).toBe(0.33);
  });
});

describe('charts', () => {
  it('draws the latency histogram as SVG with the percentiles marked', () => {
    const svg = latencyHistogramSvg([100, 200, 300, 400, 5000], 'latency');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('p50 300 ms');
    expect(svg).toContain('p99 4816 ms');
  });

  it('draws one bar per component and configuration, with totals in the legend', () => {
    const breakdown = (name: string, usd: number) => ({
      configuration: name,
      lines: [
        {
          component: 'SQS requests',
          quantityPerOrder: 1,
          unit: 'request',
          usdPerMillionOrders: usd,
        },
      ],
      totalUsdPerMillionOrders: usd,
    });
    const svg = costBarsSvg([breakdown('ours', 1), breakdown('naive <x>', 3)], 'cost');
    // A bar per configuration, each labelled with its amount, under the component's name.
    expect(svg).toContain('>SQS requests<');
    expect(svg).toContain('>$1.00<');
    expect(svg).toContain('>$3.00<');
    expect(svg).toContain('naive &lt;x&gt;: $3.00 total');
  });
});

describe('chart markup', () => {
  it('never repeats an attribute in a tag (browsers reject such SVG)', () => {
    const breakdown = {
      configuration: 'ours',
      lines: [{ component: 'SQS', quantityPerOrder: 1, unit: 'request', usdPerMillionOrders: 1 }],
      totalUsdPerMillionOrders: 1,
    };
    for (const svg of [latencyHistogramSvg([1, 2, 3], 't'), costBarsSvg([breakdown], 't')]) {
      for (const tag of svg.match(/<[a-z]+ [^>]*>/g) ?? []) {
        const names = [...tag.matchAll(/ ([a-z-]+)=/g)].map((m) => m[1]);
        expect({ tag, duplicates: names.length - new Set(names).size }).toEqual({
          tag,
          duplicates: 0,
        });
      }
    }
  });
});

describe('isInstalled', () => {
  it('tells a dependency the handlers can import from one that is not installed', () => {
    expect(isInstalled('zod/mini')).toBe(true);
    expect(isInstalled('@aws-sdk/client-dynamodb')).toBe(true);
    expect(isInstalled('no-such-package-for-the-bench')).toBe(false);
  });
});
