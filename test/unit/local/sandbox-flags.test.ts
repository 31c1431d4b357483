import { describe, expect, it } from '@jest/globals';
import { lambdaNodeFlags } from '../../../local/lambda/sandbox.ts';

describe('lambdaNodeFlags', () => {
  it('gives the young generation a tenth of the memory, in two semi-spaces, and the old one the rest', () => {
    expect(lambdaNodeFlags(512)).toEqual([
      '--expose-gc',
      '--max-http-header-size=81920',
      '--max-semi-space-size=25',
      '--max-old-space-size=461',
    ]);
  });

  it('rounds down like the runtime’s shell arithmetic', () => {
    expect(lambdaNodeFlags(128)).toContain('--max-semi-space-size=6');
    expect(lambdaNodeFlags(128)).toContain('--max-old-space-size=116');
  });
});
