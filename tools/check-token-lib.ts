// check-token: would this receiver (workflow trigger) or API accept this token? Decodes a JWT, optionally
// verifies its signature against a JWKS file, and evaluates its claims against the synthesized policies
// with the semantics of tools/token-eval.ts (workflows) and tools/apim-token-eval.ts (APIs, through
// report-apim-eval.ts). Policy values that are Terraform references are resolved from a Terraform state
// file; values still unresolved are reported as unverified, never silently passed or failed.
import { existsSync, readFileSync } from 'node:fs';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, JSONWebKeySet, jwtVerify } from 'jose';
import { buildStackModel, Json, referencesIn, StackModel, stringsIn, SynthStack, WorkflowModel } from './synth-model';
import { evaluateTrigger, TokenClaims } from './token-eval';
import { ApiModel, apisOf } from './report-apim';
import { evaluateApiToken } from './report-apim-eval';
import { describeValue } from './report-lib';

/** Exit codes: 0 accepted, 1 refused, 2 bad input, 3 undecided (claims need --state). */
export const EXIT = { accepted: 0, refused: 1, badInput: 2, unverified: 3 } as const;

/** Bad input: not a JWT, unreadable file, unknown stack or receiver. The message is one line. */
export class BadInput extends Error {}

export interface TfState {
  readonly version?: number;
  readonly resources?: ReadonlyArray<{
    readonly mode?: string;
    readonly type: string;
    readonly name: string;
    readonly instances?: ReadonlyArray<{ readonly attributes?: Json }>;
  }>;
}

export interface CheckTokenInput {
  /** The JWT (compact form). */
  readonly token: string;
  readonly stacks: readonly SynthStack[];
  readonly stack?: string;
  readonly receiver?: string;
  /** Parsed JWKS ({ keys: [...] }); the signature is verified when given. */
  readonly jwks?: unknown;
  /** Parsed Terraform state of the stack, to resolve `${...}` references in policies. */
  readonly state?: TfState;
  /** Evaluation time, seconds since the epoch. @default now */
  readonly now?: number;
}

export interface CheckTokenResult {
  readonly exitCode: 0 | 1 | 2 | 3;
  readonly lines: string[];
}

// ---------------------------------------------------------------------------------------------------
// Input

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The token from a CLI argument: the JWT itself, or a file holding it (raw, `Bearer ...`, or az CLI JSON). */
export function tokenFromArgument(arg: string): string {
  const clean = (s: string) => s.trim().replace(/^Bearer\s+/i, '');
  if (JWT_SHAPE.test(clean(arg))) return clean(arg);
  if (!existsSync(arg)) {
    throw new BadInput(`not a JWT and not a readable file: ${arg.length > 40 ? `${arg.slice(0, 40)}...` : arg}`);
  }
  let text: string;
  try {
    text = readFileSync(arg, 'utf8');
  } catch (err) {
    throw new BadInput(`cannot read ${arg}: ${(err as Error).message.split('\n')[0]}`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const json = JSON.parse(trimmed);
      const value = json.accessToken ?? json.access_token;
      if (typeof value === 'string') return clean(value);
    } catch {
      // not JSON: fall through to the JWT check
    }
  }
  const token = clean(trimmed);
  if (!JWT_SHAPE.test(token)) throw new BadInput(`${arg} does not hold a JWT (expected header.payload.signature)`);
  return token;
}

function decode(token: string): { claims: TokenClaims; kid?: string; alg?: string } {
  try {
    const header = decodeProtectedHeader(token);
    return { claims: decodeJwt(token), kid: header.kid, alg: header.alg };
  } catch (err) {
    throw new BadInput(`not a JWT: ${(err as Error).message.split('\n')[0]}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Terraform state

function pathSegments(attribute: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const part of attribute.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [];
    segments.push(m[1]);
    for (const index of m[2].match(/\d+/g) ?? []) segments.push(Number(index));
  }
  return segments;
}

/** Values for every simple `${type.name.attr}` reference of the stack that the state holds. */
export function bindingsFromState(model: StackModel, state: TfState): Record<string, string> {
  const bindings: Record<string, string> = {};
  const resourceOf = (address: string) => {
    const data = address.startsWith('data.');
    const [type, name] = address.replace(/^data\./, '').split('.');
    return state.resources?.find((r) => r.type === type && r.name === name && (r.mode ?? 'managed') === (data ? 'data' : 'managed'));
  };
  for (const s of stringsIn(model.json.resource ?? {})) {
    for (const ref of referencesIn(s)) {
      if (ref.expression.includes('(') || bindings[ref.expression] !== undefined) continue;
      let value: Json = resourceOf(ref.address)?.instances?.[0]?.attributes;
      for (const segment of pathSegments(ref.attribute)) value = value?.[segment];
      if (typeof value === 'string' || typeof value === 'number') bindings[ref.expression] = String(value);
    }
  }
  return bindings;
}

/** A minimal Terraform state (format 4) holding the given reference values: for tests and dry runs. */
export function stateFromBindings(bindings: Readonly<Record<string, string>>): TfState {
  const resources = new Map<string, { mode: string; type: string; name: string; instances: Array<{ attributes: Json }> }>();
  for (const [expression, value] of Object.entries(bindings)) {
    const m = /^((?:data\.)?)([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.(.+)$/.exec(expression);
    if (!m) continue;
    const key = `${m[1]}${m[2]}.${m[3]}`;
    const resource = resources.get(key) ?? { mode: m[1] ? 'data' : 'managed', type: m[2], name: m[3], instances: [{ attributes: {} }] };
    resources.set(key, resource);
    const segments = pathSegments(m[4]);
    let node: Json = resource.instances[0].attributes;
    segments.forEach((segment, i) => {
      if (i === segments.length - 1) node[segment] = value;
      else node = node[segment] ??= typeof segments[i + 1] === 'number' ? [] : {};
    });
  }
  return { version: 4, resources: [...resources.values()] };
}

// ---------------------------------------------------------------------------------------------------
// Targets

type Target =
  | { readonly kind: 'workflow'; readonly model: StackModel; readonly workflow: WorkflowModel }
  | { readonly kind: 'api'; readonly model: StackModel; readonly api: ApiModel };

function targetLabel(t: Target): string {
  return t.kind === 'workflow' ? `${t.model.name}/${t.workflow.workflowName}` : `${t.model.name}/api:${t.api.apiName}`;
}

function targetsOf(model: StackModel): Target[] {
  const workflows = model.workflows
    .filter((wf) => wf.triggers.some((t) => t.kind === 'request') || wf.policies.length > 0)
    .sort((a, b) => a.workflowName.localeCompare(b.workflowName))
    .map((workflow): Target => ({ kind: 'workflow', model, workflow }));
  const apis = apisOf(model).map((api): Target => ({ kind: 'api', model, api }));
  return [...workflows, ...apis];
}

function matches(t: Target, name: string): boolean {
  const bare = name.replace(/^api:/, '');
  if (t.kind === 'workflow') {
    return !name.startsWith('api:') && [t.workflow.workflowName, t.workflow.path, t.workflow.address, t.workflow.path.replace(/\/Resource$/, '')].includes(name);
  }
  return [t.api.apiName, t.api.path, t.api.address, t.api.path.replace(/\/Resource$/, ''), `/${t.api.apiPath}`, t.api.apiPath].includes(bare);
}

function selectTarget(stacks: readonly SynthStack[], stack?: string, receiver?: string): Target {
  const names = stacks.map((s) => s.name).sort();
  if (names.length === 0) throw new BadInput('no synthesized stacks found (run `npm run synth` first, or pass --dir)');
  if (stack !== undefined && !names.includes(stack)) throw new BadInput(`unknown stack ${stack} (known: ${names.join(', ')})`);
  const all = stacks
    .filter((s) => stack === undefined || s.name === stack)
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((s) => targetsOf(buildStackModel(s)));
  const known = all.map(targetLabel).join(', ') || '(none)';
  if (receiver === undefined) {
    if (all.length === 1) return all[0];
    throw new BadInput(`name the receiver with --receiver (known: ${known})`);
  }
  const found = all.filter((t) => matches(t, receiver));
  if (found.length === 0) throw new BadInput(`unknown receiver ${receiver} (known: ${known})`);
  if (found.length > 1) throw new BadInput(`receiver ${receiver} is ambiguous (${found.map(targetLabel).join(', ')}); add --stack`);
  return found[0];
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

interface Failure {
  readonly policy?: string;
  readonly claim: string;
  /** Expected value (bound as far as possible). */
  readonly expected: string;
  /** The policy's own value, with Terraform references. */
  readonly original?: string;
  readonly actual: string | undefined;
  readonly unresolved?: boolean;
}

const API_REASONS: Record<string, string> = {
  iss: 'WrongTenantIssuer',
  aud: 'WrongAudience',
  appid: 'WrongClientApplicationId',
  azp: 'WrongClientApplicationId',
  exp: 'TokenExpired',
  nbf: 'TokenNotYetValid',
};

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * An unresolved expected value still fixes its literal parts: `api://${x}` cannot match
 * `https://management.azure.com/`. Such a claim is a definite mismatch; otherwise it stays unverified.
 */
function couldMatch(expected: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  // APIM failures join the admitted values with " | ": any alternative may match.
  return expected.split(' | ').some((alternative) => {
    const pattern = alternative.split(/\$\{[^}]+\}/).map(escapeRegExp).join('.+');
    return new RegExp(`^${pattern}$`).test(actual);
  });
}

function failureLine(model: StackModel, f: Failure): string {
  const where = f.policy ? `policy ${f.policy}: ` : '';
  const actual = f.actual === undefined ? '(absent)' : JSON.stringify(f.actual);
  const readable = f.original ? describeValue(model, f.original) : undefined;
  if (f.unresolved) {
    return `  ${where}${f.claim} unverified (needs --state): expected ${readable ?? describeValue(model, f.expected)}, actual ${actual}`;
  }
  const expectedText = JSON.stringify(f.expected) + (readable && readable !== f.expected ? ` (${readable})` : '');
  return `  ${where}${f.claim} expected ${expectedText}, actual ${actual}`;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function claimSummary(claims: TokenClaims): string {
  const pick = ['ver', 'iss', 'aud', 'oid', 'appid', 'azp', 'roles'].filter((k) => claims[k] !== undefined);
  return pick.map((k) => `${k}=${typeof claims[k] === 'string' ? claims[k] : JSON.stringify(claims[k])}`).join(' ');
}

async function verifySignature(token: string, jwks: unknown, now: number): Promise<{ ok: boolean; line: string; expired?: boolean }> {
  if (!jwks || typeof jwks !== 'object' || !Array.isArray((jwks as { keys?: unknown }).keys)) {
    throw new BadInput('the JWKS file has no "keys" array');
  }
  let keySet;
  try {
    keySet = createLocalJWKSet(jwks as JSONWebKeySet);
  } catch (err) {
    throw new BadInput(`invalid JWKS: ${(err as Error).message}`);
  }
  try {
    await jwtVerify(token, keySet, { currentDate: new Date(now * 1000) });
    return { ok: true, line: 'signature: verified' };
  } catch (err) {
    // jose checks the signature before the claims, so a lifetime error means the signature is good.
    if (err instanceof errors.JWTExpired) return { ok: true, expired: true, line: 'signature: verified' };
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') return { ok: true, line: 'signature: verified' };
    if (err instanceof errors.JWKSNoMatchingKey) return { ok: false, line: 'signature: no key in the JWKS matches the token header (kid/alg)' };
    if (err instanceof errors.JWSSignatureVerificationFailed) return { ok: false, line: 'signature: INVALID (does not verify against the JWKS)' };
    return { ok: false, line: `signature: not verified (${(err as Error).message})` };
  }
}

/** Checks a token against one receiver or API. Throws BadInput for bad input. */
export async function checkToken(input: CheckTokenInput): Promise<CheckTokenResult> {
  const { claims, kid, alg } = decode(input.token);
  const target = selectTarget(input.stacks, input.stack, input.receiver);
  const model = target.model;
  const now = input.now ?? Math.floor(Date.now() / 1000);
  const bindings = input.state ? bindingsFromState(model, input.state) : {};
  const lines: string[] = [];

  lines.push(`token: ${claimSummary(claims)}${kid ? ` (kid ${kid}, ${alg})` : ''}`);
  const problems: string[] = [];
  if (input.jwks !== undefined) {
    const sig = await verifySignature(input.token, input.jwks, now);
    lines.push(sig.line);
    if (!sig.ok) problems.push('signature does not verify');
  } else {
    lines.push('signature: not verified (no --jwks given)');
  }
  if (typeof claims.exp === 'number' && claims.exp <= now) problems.push(`token expired at ${iso(claims.exp)}`);
  if (typeof claims.nbf === 'number' && claims.nbf > now) problems.push(`token not valid before ${iso(claims.nbf)}`);

  let failures: Failure[] = [];
  let verdict: { accepted: true; text: string } | { accepted: false; error: string; note?: string };
  if (target.kind === 'workflow') {
    const wf = target.workflow;
    const trigger = wf.triggers.find((t) => t.kind === 'request');
    lines.push(`receiver: ${wf.workflowName} (${wf.path}) in stack ${model.name}, ${wf.policies.length} polic${wf.policies.length === 1 ? 'y' : 'ies'}`);
    const outcome = evaluateTrigger(wf.policies, { token: claims }, { bindings, bearerOnly: trigger?.bearerOnly });
    if (outcome.accepted) {
      verdict = { accepted: true, text: `accepted (policy ${outcome.policy})` };
    } else {
      failures = outcome.failures.map((f) => ({
        ...f,
        original: wf.policies.find((p) => p.name === f.policy)?.claims.find((c) => c.name === f.claim)?.value,
      }));
      verdict = { accepted: false, error: outcome.error, note: wf.policies.length === 0 ? '  the receiver has no authorization policy' : undefined };
    }
  } else {
    const api = target.api;
    lines.push(`api: ${api.apiName} (${api.path}) on ${api.serviceLabel} in stack ${model.name}, ${api.validation?.kind ?? 'no token validation'}`);
    const outcome = evaluateApiToken(api, claims, bindings);
    const v = api.validation;
    if (outcome.accepted) {
      verdict = { accepted: true, text: `accepted (${outcome.detail})` };
    } else {
      failures = outcome.failures.map((f) => ({
        ...f,
        original: f.claim === 'aud' ? v?.audiences.join(' | ') : f.claim === 'appid' || f.claim === 'azp' ? v?.clientApplicationIds.join(' | ') : undefined,
      }));
      verdict = { accepted: false, error: outcome.error };
    }
  }
  const apiStatus = target.kind === 'api' && !verdict.accepted ? (/^\d+/.exec(verdict.error)?.[0] ?? '401') : undefined;

  // Unresolved expectations whose literal parts already contradict the token are definite mismatches.
  failures = failures.map((f) => (f.unresolved && !couldMatch(f.expected, f.actual) ? { ...f, unresolved: false } : f));
  const hard = (group: Failure[]) => group.filter((f) => !f.unresolved);
  const groups = new Map<string, Failure[]>();
  for (const f of failures) groups.set(f.policy ?? '', [...(groups.get(f.policy ?? '') ?? []), f]);
  const undecided = [...groups.values()].find((g) => hard(g).length === 0 && g.length > 0);
  if (apiStatus !== undefined && !verdict.accepted) {
    // Name the API failure after the definite mismatches (the shared evaluator cannot judge unresolved values).
    const reasons = [...new Set(hard(failures).map((f) => API_REASONS[f.claim] ?? 'MissingRequiredClaim'))];
    verdict = { accepted: false, error: `${apiStatus}${reasons.length ? ` ${reasons.join(', ')}` : ''}` };
  }

  if (problems.length) {
    lines.push(`refused: ${problems.join('; ')}`);
    if (!verdict.accepted) lines.push(`claims: ${verdict.error}`, ...failures.map((f) => failureLine(model, f)));
    else lines.push(`claims: ${verdict.text}`);
    return { exitCode: EXIT.refused, lines };
  }
  if (verdict.accepted) {
    lines.push(verdict.text);
    return { exitCode: EXIT.accepted, lines };
  }
  if (undecided) {
    const policy = undecided[0].policy;
    lines.push(
      `unverified (needs --state): ${policy ? `policy ${policy}` : 'the policy'} matches every claim that could be checked; ${undecided.length} depend on deployed values`,
      ...undecided.map((f) => failureLine(model, f)),
    );
    return { exitCode: EXIT.unverified, lines };
  }
  lines.push(verdict.error, ...(verdict.note ? [verdict.note] : []), ...failures.map((f) => failureLine(model, f)));
  return { exitCode: EXIT.refused, lines };
}
