// Writes events/schemas/*.json from the zod contracts (`npm run schemas`).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventJsonSchemas } from '../events/json-schema.ts';

const dir = join(import.meta.dirname, '..', 'events', 'schemas');
mkdirSync(dir, { recursive: true });
// Remove schemas of events that no longer exist, so the folder mirrors the catalog.
for (const file of readdirSync(dir)) rmSync(join(dir, file));
const schemas = eventJsonSchemas();
for (const [file, text] of schemas) writeFileSync(join(dir, file), text);
console.log(`wrote ${schemas.size} schemas to ${dir}`);
