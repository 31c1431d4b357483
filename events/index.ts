export * from './envelope.ts';
export * from './define-event.ts';
export * from './catalog.ts';
export * from './eventbridge.ts';
