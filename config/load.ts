import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_CONFIG } from './default';
import { convertLegacy, isLegacy, LegacyReceiversSchema } from './legacy';
import { Config, ConfigSchema, formatPath } from './schema';
import { quoteKey } from './path';

/** Environment variable naming an optional JSON override file. */
export const CONFIG_ENV = 'LOGIC_APPS_CONFIG';

/** How the success line names the configuration when no file is given. */
export const EMBEDDED_DEFAULT = 'embedded demo default';

/** Limits on an override file, so that a wrong or hostile file fails fast with one line. */
export const FILE_LIMITS = {
  /** A real configuration is a few KB; the largest sensible one (hundreds of workflows) well under this. */
  bytes: 1024 * 1024,
  /** The schema nests 6 levels; anything far deeper is not a configuration. */
  depth: 32,
} as const;

/** A configuration problem: the message is one line naming the field, the value and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    // Anything echoed from the file (keys, values, parser snippets) may hold line breaks or control
    // characters: escape them so the message stays one line.
    super(message.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, escapeControl));
    this.name = 'ConfigError';
  }
}

function escapeControl(c: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
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
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > FILE_LIMITS.bytes) {
      throw new ConfigError(
        `config error: ${file} is ${(size / 1024 / 1024).toFixed(1)} MB; a configuration file is at most ${FILE_LIMITS.bytes / 1024 / 1024} MB: point ${CONFIG_ENV} at the right file`,
      );
    }
    bytes = readFileSync(file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`config error: ${CONFIG_ENV}="${file}" cannot be read (${(err as NodeJS.ErrnoException).code}); point it at a JSON file or unset it`);
  }
  const raw = parseJson(decodeUtf8(file, bytes), file);
  checkStructure(raw, file);
  return { config: parseConfig(raw, notices), source: file, notices };
}
/**
 * The file's text: UTF-8, with or without the byte-order mark editors write. UTF-16 and UTF-32 (what
 * Windows PowerShell's `>` and `Out-File` write) and other encodings are refused naming the fix.
 */
function decodeUtf8(file: string, bytes: Buffer): string {
  const reencode = `save it as UTF-8 (PowerShell: Get-Content ${file} | Set-Content -Encoding utf8 <new file>)`;
  const startsWith = (...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
  if (startsWith(0x00, 0x00, 0xfe, 0xff) || startsWith(0xff, 0xfe, 0x00, 0x00)) {
    throw new ConfigError(`config error: ${file} is UTF-32 encoded; ${reencode}`);
  }
  if (startsWith(0xff, 0xfe) || startsWith(0xfe, 0xff) || bytes.subarray(0, 64).includes(0)) {
    throw new ConfigError(`config error: ${file} is UTF-16 encoded (what Windows PowerShell's ">" writes); ${reencode}`);
  }
  const body = startsWith(0xef, 0xbb, 0xbf) ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new ConfigError(`config error: ${file} is not valid UTF-8 (another encoding, e.g. Latin-1?); ${reencode}`);
  }
}

/**
 * Before the schema sees it: no nesting deeper than FILE_LIMITS.depth (deep values overflow the stack of
 * any recursive reader), and no "__proto__" key anywhere (JSON.parse keeps it as a plain key, but copying
 * it into an object sets the prototype instead, so it would vanish silently).
 */
function checkStructure(raw: unknown, source: string): void {
  // Depth-first, in the same order as a stack of paths; a node keeps a link to its parent instead of a copy
  // of its path (the property tests parse ~13,000 configs), and the path is built only for the message.
  if (raw === null || typeof raw !== 'object') return;
  const stack: StructureNode[] = [{ value: raw, parent: undefined, key: '', depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const value = node.value as Record<string, unknown>;
    if (node.depth >= FILE_LIMITS.depth) {
      throw new ConfigError(
        `config error: ${source} nests deeper than ${FILE_LIMITS.depth} levels (at ${formatPath(pathOf(node).slice(0, 6))}...); the configuration nests a few levels only: fix its structure`,
      );
    }
    const array = Array.isArray(value);
    for (const key of Object.keys(value)) {
      if (key === '__proto__') {
        throw new ConfigError(`config error: ${formatPath([...pathOf(node), array ? Number(key) : key])}: the key "__proto__" is not allowed (JavaScript would drop it silently); rename or remove it`);
      }
      const child = value[key];
      if (child !== null && typeof child === 'object') stack.push({ value: child, parent: node, key: array ? Number(key) : key, depth: node.depth + 1 });
    }
  }
}

interface StructureNode {
  readonly value: object;
  readonly parent: StructureNode | undefined;
  /** The key in the parent (a number in an array). */
  readonly key: PropertyKey;
  readonly depth: number;
}

function pathOf(node: StructureNode): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let cur: StructureNode | undefined = node; cur?.parent; cur = cur.parent) path.push(cur.key);
  return path.reverse();
}

/** JSON.parse with the syntax error's line and column (V8 gives a character position, or none). */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    let offset = syntaxErrorOffset(text);
    let what = (err as Error).message
      .replace(/, .*is not valid JSON$/s, '') // V8 quotes (part of) the text: not one line
      .replace(/ (in JSON )?at position \d+.*$/s, '')
      .replace(/^Unexpected end of JSON input$/, 'the JSON ends too early')
      .replace(/^./, (c) => c.toLowerCase());
    // What a person wrote, rather than the first character the grammar refuses: a bare word (V8 blames
    // its second letter, as "n" could begin null) and a string the line ends in (a missing quote).
    const word = /^[A-Za-z_$][\w$]*/.exec(text.slice(wordStart(text, offset)));
    if (word && !['true', 'false', 'null'].includes(word[0]) && /^unexpected token/.test(what)) {
      offset = wordStart(text, offset);
      what = `unquoted text ${word[0]} (JSON needs double quotes around keys and strings)`;
    } else if (/^bad control character in string literal$/.test(what) && /[\r\n]/.test(text[offset] ?? '')) {
      what = 'a string is not closed before the end of the line (a missing closing quote?)';
    }
    const before = text.slice(0, offset).split('\n');
    const where = offset >= text.length ? 'at the end of the file' : `at line ${before.length} column ${before[before.length - 1].length + 1}`;
    throw new ConfigError(`config error: ${file} is not valid JSON: ${what} ${where}; fix the syntax there`);
  }
}

/** Start of the run of word characters that ends at `offset` (or `offset` itself). */
function wordStart(text: string, offset: number): number {
  let start = offset;
  while (start > 0 && /[\w$]/.test(text[start - 1])) start--;
  return start;
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
  checkStructure(raw, 'the configuration');
  if (!isLegacy(raw)) return validate(raw, raw);
  if (Object.hasOwn(raw.logicAppsOauth, 'workflows') || Object.hasOwn(raw.logicAppsOauth, 'calls')) {
    throw new ConfigError(
      'config error: logicAppsOauth: receivers (the earlier format) and workflows/calls (the current one) together; keep workflows and calls, and move each sender of receivers into calls',
    );
  }
  const earlier = safeParse(LegacyReceiversSchema, { receivers: raw.logicAppsOauth.receivers });
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
  let result: ReturnType<typeof safeParse<typeof ConfigSchema>>;
  try {
    result = safeParse(ConfigSchema, input);
  } catch (err) {
    // Defence in depth: checkStructure bounds the input, so this is not expected.
    if (err instanceof RangeError) throw new ConfigError('config error: the configuration is too large or too deeply nested to validate; fix its structure');
    throw err;
  }
  if (result.success) return result.data;
  if (!paths) throw toError(result.error.issues, original);
  const byLength = [...paths.keys()].sort((a, b) => b.length - a.length);
  const rename = (text: string) => byLength.reduce((acc, from) => acc.split(from).join(paths.get(from)!), text);
  // Described on the converted input (where the path exists), then worded in the earlier paths.
  const error = toError(result.error.issues, input);
  throw new ConfigError(rename(error.message));
}

/**
 * zod's safeParse, with the issues in a plain object instead of a ZodError: that one is an Error (a stack
 * trace captured) whose message is every issue as indented JSON, and only the issues are read here. Same
 * issues and messages (zod's own `_safeParse` with another error class); ~13,000 parses in the property tests.
 */
class ParseIssues {
  constructor(readonly issues: z.core.$ZodIssue[]) {}
}
const safeParse = z.core._safeParse(ParseIssues as unknown as z.core.$ZodErrorClass);

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
      // At most five keys, each cut if long: a file with thousands of keys still gets one readable line.
      const shown = issue.keys.slice(0, 5).map((k) => quoteKey(k)).join(', ');
      const more = issue.keys.length > 5 ? ` (and ${issue.keys.length - 5} more)` : '';
      return `${field}: unknown key${issue.keys.length > 1 ? 's' : ''} ${shown}${more}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or use one of: ${allowed.join(', ')}`;
    }
    case 'invalid_type':
      if (value === undefined) {
        // A field's own message for a missing value ("is required: ..." says what to add), else the generic one.
        return issue.message.startsWith('is required') ? `${field} ${issue.message}` : `${field} is required; add it (${issue.expected})`;
      }
      return `${field} = ${show(value)}: expected ${issue.expected}, got ${typeName(value)}; ${typeFix(issue.expected, value, issue.path)}`;
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

/**
 * The fix for a value of the wrong type: a quoted number or boolean is written without the quotes, a
 * workflow or API given by its name alone is written as an object with that name.
 */
function typeFix(expected: string, value: unknown, path: ReadonlyArray<PropertyKey>): string {
  const list = path[path.length - 2];
  if (expected === 'object' && typeof value === 'string' && (list === 'workflows' || list === 'apis') && typeof path[path.length - 1] === 'number') {
    return `write ${JSON.stringify({ name: value }).replace(':', ': ')}`;
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (expected === 'number' && text !== '' && Number.isFinite(Number(text))) return `write ${Number(text)} without quotes`;
    if (expected === 'boolean' && /^(true|false)$/i.test(text)) return `write ${text.toLowerCase()} without quotes`;
  }
  return "change the value's type";
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
