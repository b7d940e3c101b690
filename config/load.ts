import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { DEFAULT_CONFIG } from './default';
import { Config, ConfigSchema, formatPath } from './schema';

/** Environment variable naming an optional JSON override file. */
export const CONFIG_ENV = 'LOGIC_APPS_CONFIG';

/** A configuration problem: the message is one line naming the field, the value and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads the file named by LOGIC_APPS_CONFIG (or the embedded default) and validates it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env[CONFIG_ENV];
  if (!file) return parseConfig(DEFAULT_CONFIG);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config error: ${CONFIG_ENV}="${file}" cannot be read (${(err as NodeJS.ErrnoException).code}); point it at a JSON file or unset it`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config error: ${file} is not valid JSON (${(err as Error).message}); fix the syntax`);
  }
  return parseConfig(raw);
}

/** Validates a raw configuration object; throws ConfigError with a one-line message. */
export function parseConfig(raw: unknown): Config {
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  throw new ConfigError(`config error: ${describeIssue(first, raw)}${more}`);
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const field = formatPath(issue.path) || '(top level)';
  const value = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(issue.path);
      return `${field}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or use one of: ${allowed.join(', ')}`;
    }
    case 'invalid_type':
      if (value === undefined) return `${field} is required; add it (${issue.expected})`;
      return `${field} = ${show(value)}: expected ${issue.expected}, got ${typeName(value)}; change the value's type`;
    case 'invalid_value':
      return `${field} = ${show(value)}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${field} = ${show(value)}: ${issue.message}`;
  }
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = raw;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The keys the schema allows at a path, for the unknown-key message. */
function allowedKeys(path: ReadonlyArray<PropertyKey>): string[] {
  let schema = unwrap(ConfigSchema as unknown as z.core.$ZodType);
  for (const key of path) {
    const def = schema._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'object') schema = unwrap((def.shape as Record<string, z.core.$ZodType>)[String(key)]);
    else if (def.type === 'array') schema = unwrap(def.element as z.core.$ZodType);
    else if (def.type === 'record') schema = unwrap(def.valueType as z.core.$ZodType);
    else return [];
    if (!schema) return [];
  }
  const def = schema._zod.def as unknown as Record<string, unknown>;
  return def.type === 'object' ? Object.keys(def.shape as object).filter((k) => k !== '$schema') : [];
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType {
  let cur = schema as z.core.$ZodType;
  for (;;) {
    const def = cur?._zod.def as unknown as Record<string, unknown> | undefined;
    if (def && (def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault')) {
      cur = def.innerType as z.core.$ZodType;
    } else {
      return cur;
    }
  }
}
