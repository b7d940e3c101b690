import { writeFileSync } from 'node:fs';
import { configJsonSchemaText, JSON_SCHEMA_FILE } from '../config/json-schema';

// Regenerates config/config.schema.json from the zod schema (`npm run schema`); a test keeps them in sync.
writeFileSync(JSON_SCHEMA_FILE, configJsonSchemaText());
console.log(`wrote ${JSON_SCHEMA_FILE}`);
