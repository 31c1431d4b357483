import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Faults, parseFaultConfig } from '../../../local/faults.ts';
import { prepareCloud, startBanner } from '../../../local/startup.ts';

/** The inventory API's function, as the cloud's resources list it. */
const inventoryApi = {
  logicalId: 'InventoryApiFunction55841460',
  name: 'OrderSaga-dev-InventoryApiFunction55841460',
};

let faults: Faults;
let server: Server;
let apiUrl: string;
const answers: number[] = [];

beforeAll(async () => {
  // An API whose function gets the cloud's faults, as the local API Gateway's would: a
  // faulted invocation answers 502.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = faults.functionFault(inventoryApi) ? 502 : 201;
      answers.push(status);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 502 ? '{"message":"Internal server error"}' : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  answers.length = 0;
  faults = new Faults();
  faults.setResources({ functions: [inventoryApi], queues: [], tables: [] });
});

const setting = (config: unknown) => ({
  config: parseFaultConfig(config, 'LOCAL_FAULTS'),
  source: 'LOCAL_FAULTS',
});

describe('prepareCloud', () => {
  it('seeds the demo products before applying LOCAL_FAULTS, whose faults are then all left for the user', async () => {
    const lines: string[] = [];
    await prepareCloud(
      { apiUrl, faults },
      {
        seed: true,
        faults: setting({ functions: [{ function: '*', effect: 'timeout', count: 1 }] }),
      },
      (line) => lines.push(line),
    );
    expect(answers).toEqual([201, 201, 201]);
    expect(lines).toEqual([
      'Seeded SKU-1, SKU-2, SKU-3 (LOCAL_SEED=0 to skip)',
      'Faults (LOCAL_FAULTS) on now that seeding is done: functions.0.function "*": all',
    ]);
    // The user's first invocation gets the fault.
    expect(faults.functionFault(inventoryApi)?.effect).toBe('timeout');
  });

  it('applies the faults at once without seeding, and seeds without faults', async () => {
    const lines: string[] = [];
    await prepareCloud(
      { apiUrl, faults },
      { seed: false, faults: setting({ functions: [{ function: 'InventoryApi', count: 1 }] }) },
      (line) => lines.push(line),
    );
    expect(answers).toEqual([]);
    expect(lines).toEqual([
      'Faults (LOCAL_FAULTS) on: functions.0.function "InventoryApi": InventoryApiFunction55841460',
    ]);

    lines.length = 0;
    faults.clear();
    await prepareCloud({ apiUrl, faults }, { seed: true }, (line) => lines.push(line));
    expect(answers).toEqual([201, 201, 201]);
    expect(lines).toEqual(['Seeded SKU-1, SKU-2, SKU-3 (LOCAL_SEED=0 to skip)']);
  });

  it('stops with the setting named when a fault target names nothing', async () => {
    await expect(
      prepareCloud(
        { apiUrl, faults },
        { seed: true, faults: setting({ functions: [{ function: 'PaymentFunction' }] }) },
        () => undefined,
      ),
    ).rejects.toThrow(/Invalid LOCAL_FAULTS: a target matches nothing[^]*"PaymentFunction"/);
  });
});

const api = (restApiId: string, name: string) => ({
  logicalId: `${name}Api`,
  restApiId,
  name,
  stageName: 'dev',
  binaryMediaTypes: [],
  routes: [],
  gatewayResponses: [],
});
const cloud = {
  apiUrl: 'http://localhost:3000',
  endpoint: 'http://127.0.0.1:4566',
  region: 'us-east-1',
  model: { apis: [api('s6gceoi261', 'order-saga-dev')] },
};

describe('startBanner', () => {
  it("prints the API's id, which its LocalStack-style path needs", () => {
    const banner = startBanner(cloud, 1_640);
    expect(banner).toContain('Local cloud ready in 1.6 s');
    expect(banner).toContain(
      '  API:           http://localhost:3000   (also http://localhost:3000/dev/...)\n' +
        '  API id:        s6gceoi261   ' +
        '(http://localhost:3000/restapis/s6gceoi261/dev/_user_request_/...)\n',
    );
  });

  it('gives an AWS CLI example whose region AWS CLI v1 reads too (AWS_DEFAULT_REGION)', () => {
    const banner = startBanner(cloud, 1_000);
    expect(banner).toContain(
      'e.g. AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_DEFAULT_REGION=us-east-1 ' +
        'AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws dynamodb list-tables',
    );
    expect(banner).not.toMatch(/AWS_REGION=\S+ .*aws dynamodb/);
  });

  it('names each API when the stack has several', () => {
    const banner = startBanner(
      { ...cloud, model: { apis: [api('a1', 'orders'), api('b2', 'admin')] } },
      1_000,
    );
    expect(banner).toContain(
      '  API id:        a1 (orders)   (http://localhost:3000/restapis/a1/dev/_user_request_/...)\n' +
        '  API id:        b2 (admin)   (http://localhost:3000/restapis/b2/dev/_user_request_/...)\n',
    );
  });
});
