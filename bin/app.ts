import { createOrderSagaApp } from '../lib/app.ts';

// `cdk synth` / `cdk deploy` run this file (cdk.json); the app is built in lib/app.ts.
createOrderSagaApp();
