import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { DEFAULT_CONFIG } from './default';
import { convertLegacy, isLegacy, LegacyReceiversSchema } from './legacy';
import { Config, ConfigSchema, formatPath } from './schema';

/** Environment variable naming an optional JSON override file. */
export const CONFIG_ENV = 'LOGIC_APPS_CONFIG';

/** How the success line names the configuration when no file is given. */
export const EMBEDDED_DEFAULT = 'embedded demo default';

/** A configuration problem: the message is one line naming the field, the value and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A validated configuration and where it came from. */
export interface LoadedConfig {
  readonly config: Config;
  /** The file named by LOGIC_APPS_CONFIG, or EMBEDDED_DEFAULT. */
  readonly source: string;
  /** One-line `notice:` messages (e.g. the earlier format in use); not errors. */
  readonly notices: readonly string[];
}

/** Reads the file named by LOGIC_APPS_CONFIG (or the embedded default) and validates it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = env[CONFIG_ENV];
  const notices: string[] = [];
  if (!file) return { config: parseConfig(DEFAULT_CONFIG, notices), source: EMBEDDED_DEFAULT, notices };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config error: ${CONFIG_ENV}="${file}" cannot be read (${(err as NodeJS.ErrnoException).code}); point it at a JSON file or unset it`);
  }
  const raw = parseJson(text, file);
  return { config: parseConfig(raw, notices), source: file, notices };
}

/** JSON.parse with the syntax error's line and column (V8 gives a character position, or none). */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const offset = syntaxErrorOffset(text);
    const before = text.slice(0, offset).split('\n');
    const where = offset >= text.length ? 'at the end of the file' : `at line ${before.length} column ${before[before.length - 1].length + 1}`;
    const what = (err as Error).message
      .replace(/, .*is not valid JSON$/s, '') // V8 quotes (part of) the text: not one line
      .replace(/ (in JSON )?at position \d+.*$/s, '')
      .replace(/^Unexpected end of JSON input$/, 'the JSON ends too early')
      .replace(/^./, (c) => c.toLowerCase());
    throw new ConfigError(`config error: ${file} is not valid JSON: ${what} ${where}; fix the syntax there`);
  }
}

/**
 * Index of the character where `text` stops being the beginning of a JSON document (text.length when it
 * only ends too early): the shortest prefix JSON.parse refuses for a reason other than its end.
 */
function syntaxErrorOffset(text: string): number {
  const alive = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (err) {
      const message = (err as Error).message;
      if (message === 'Unexpected end of JSON input') return true;
      const at = / at position (\d+)/.exec(message);
      return at !== null && Number(at[1]) >= length;
    }
  };
  let low = 0; // alive (the empty prefix only ends too early)
  let high = text.length; // dead: the whole text fails
  if (alive(high)) return text.length;
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (alive(mid)) low = mid;
    else high = mid;
  }
  return high - 1;
}

/**
 * Validates a raw configuration object; throws ConfigError with a one-line message. A logic-apps-oauth
 * section in the earlier format (receivers) is converted to the call graph, and a notice is added.
 */
export function parseConfig(raw: unknown, notices: string[] = []): Config {
  if (!isLegacy(raw)) return validate(raw, raw);
  if (Object.hasOwn(raw.logicAppsOauth, 'workflows') || Object.hasOwn(raw.logicAppsOauth, 'calls')) {
    throw new ConfigError(
      'config error: logicAppsOauth: receivers (the earlier format) and workflows/calls (the current one) together; keep workflows and calls, and move each sender of receivers into calls',
    );
  }
  const earlier = LegacyReceiversSchema.safeParse({ receivers: raw.logicAppsOauth.receivers });
  if (!earlier.success) {
    const issues = earlier.error.issues.map((i) => ({ ...i, path: ['logicAppsOauth', ...i.path] }));
    throw toError(issues, raw, (path) => allowedKeys(LegacyReceiversSchema, path.slice(1)));
  }
  const converted = convertLegacy(raw, earlier.data.receivers);
  const config = validate(converted.raw, raw, converted.paths);
  notices.push(converted.notice);
  return config;
}

/** Parses `input`; errors name the paths of `original` (through `paths` when the input was converted). */
function validate(input: unknown, original: unknown, paths?: Map<string, string>): Config {
  const result = ConfigSchema.safeParse(input);
  if (result.success) return result.data;
  if (!paths) throw toError(result.error.issues, original);
  const byLength = [...paths.keys()].sort((a, b) => b.length - a.length);
  const rename = (text: string) => byLength.reduce((acc, from) => acc.split(from).join(paths.get(from)!), text);
  // Described on the converted input (where the path exists), then worded in the earlier paths.
  const error = toError(result.error.issues, input);
  throw new ConfigError(rename(error.message));
}

type KeysAt = (path: ReadonlyArray<PropertyKey>) => string[];

function toError(issues: z.core.$ZodIssue[], raw: unknown, keysAt: KeysAt = (path) => allowedKeys(ConfigSchema, path)): ConfigError {
  const [first, ...rest] = issues;
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return new ConfigError(`config error: ${describeIssue(first, raw, keysAt)}${more}`);
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, keysAt: KeysAt): string {
  const field = formatPath(issue.path) || '(top level)';
  const value = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysAt(issue.path);
      return `${field}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or use one of: ${allowed.join(', ')}`;
    }
    case 'invalid_type':
      if (value === undefined) {
        // A field's own message for a missing value ("is required: ..." says what to add), else the generic one.
        return issue.message.startsWith('is required') ? `${field} ${issue.message}` : `${field} is required; add it (${issue.expected})`;
      }
      return `${field} = ${show(value)}: expected ${issue.expected}, got ${typeName(value)}; change the value's type`;
    case 'invalid_value': {
      const types = new Set(issue.values.map((v) => typeName(v)));
      const [type] = types;
      const listed = issue.values.map((v) => JSON.stringify(v));
      if (types.size === 1 && typeName(value) !== type) {
        return `${field} = ${show(value)}: expected ${type} ${listed.join(' or ')}, got ${typeName(value)}; write ${listed.join(' or ')}`;
      }
      return `${field} = ${show(value)}: must be one of ${listed.join(', ')}`;
    }
    default:
      return value === undefined ? `${field}: ${issue.message}` : `${field} = ${show(value)}: ${issue.message}`;
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

/** The keys `root` allows at a path, for the unknown-key message. */
function allowedKeys(root: z.core.$ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let schema = unwrap(root);
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
