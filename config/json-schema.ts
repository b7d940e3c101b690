import { z } from 'zod';
import { ConfigSchema } from './schema';

/** Path of the published JSON Schema, relative to the project root. */
export const JSON_SCHEMA_FILE = 'config/config.schema.json';

/** JSON Schema of the override file (input side: defaulted fields are optional), for editors. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return { ...schema, $id: 'https://logic-apps-oauth.local/config.schema.json', title: 'logic-apps-oauth configuration' };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
