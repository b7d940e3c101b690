// check-token: would this receiver (workflow trigger) or API accept this token? Decodes a JWT, optionally
// verifies its signature against a JWKS file, and asks the model the same question the rules and the
// report ask (model/verdict.ts: admitAtTrigger, admitAtApi with the API's effective policy). Policy
// values that are Terraform references are resolved from a Terraform state file; values still
// unresolved are reported as unverified, never silently passed or failed, and printed in words.
import { existsSync, readFileSync } from 'node:fs';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, JSONWebKeySet, jwtVerify } from 'jose';
import type { TokenClaims } from '../../domain/tokens';
import { describeValue } from '../../model/describe';
import { ApiModel, buildStackModel, referencesIn, StackModel, stringsIn, SynthStack, TerraformValue, WorkflowModel } from '../../model/stack-model';
import { Admission, admitAtApi, admitAtTrigger, Reason } from '../../model/verdict';

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
    readonly instances?: ReadonlyArray<{ readonly attributes?: TerraformValue }>;
  }>;
}

export interface CheckTokenInput {
  /** The JWT (compact form). */
  readonly token: string;
  /** The stacks of the synth, or their models (already built by the caller). */
  readonly stacks: readonly (SynthStack | StackModel)[];
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
      let value: TerraformValue = resourceOf(ref.address)?.instances?.[0]?.attributes;
      for (const segment of pathSegments(ref.attribute)) value = value?.[segment];
      if (typeof value === 'string' || typeof value === 'number') bindings[ref.expression] = String(value);
    }
  }
  return bindings;
}

/** A minimal Terraform state (format 4) holding the given reference values: for tests and dry runs. */
export function stateFromBindings(bindings: Readonly<Record<string, string>>): TfState {
  const resources = new Map<string, { mode: string; type: string; name: string; instances: Array<{ attributes: TerraformValue }> }>();
  for (const [expression, value] of Object.entries(bindings)) {
    const m = /^((?:data\.)?)([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.(.+)$/.exec(expression);
    if (!m) continue;
    const key = `${m[1]}${m[2]}.${m[3]}`;
    const resource = resources.get(key) ?? { mode: m[1] ? 'data' : 'managed', type: m[2], name: m[3], instances: [{ attributes: {} }] };
    resources.set(key, resource);
    const segments = pathSegments(m[4]);
    let node: TerraformValue = resource.instances[0].attributes;
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

/** The name check-token lists for a target; it accepts it back as --receiver. */
export function targetLabel(t: Target): string {
  return t.kind === 'workflow' ? `${t.model.name}/${t.workflow.workflowName}` : `${t.model.name}/api:${t.api.apiName}`;
}

function targetsOf(model: StackModel): Target[] {
  const workflows = model.workflows
    .filter((wf) => wf.triggers.some((t) => t.kind === 'request') || wf.policies.length > 0)
    .sort((a, b) => a.workflowName.localeCompare(b.workflowName))
    .map((workflow): Target => ({ kind: 'workflow', model, workflow }));
  const apis = model.apis.map((api): Target => ({ kind: 'api', model, api }));
  return [...workflows, ...apis];
}

function matches(t: Target, name: string): boolean {
  if (name === targetLabel(t)) return true;
  const bare = name.replace(/^api:/, '');
  if (t.kind === 'workflow') {
    return !name.startsWith('api:') && [t.workflow.workflowName, t.workflow.path, t.workflow.address, t.workflow.path.replace(/\/Resource$/, '')].includes(name);
  }
  return [t.api.apiName, t.api.path, t.api.address, t.api.path.replace(/\/Resource$/, ''), `/${t.api.apiPath}`, t.api.apiPath].includes(bare);
}

function modelOf(stack: SynthStack | StackModel): StackModel {
  return 'workflows' in stack ? stack : buildStackModel(stack);
}

/** Every target check-token knows in `stacks`, by the label it lists. */
export function knownTargets(stacks: readonly (SynthStack | StackModel)[]): string[] {
  return [...stacks].sort((a, b) => a.name.localeCompare(b.name)).flatMap((s) => targetsOf(modelOf(s))).map(targetLabel);
}

function selectTarget(stacks: readonly (SynthStack | StackModel)[], stack?: string, receiver?: string): Target {
  const names = stacks.map((s) => s.name).sort();
  if (names.length === 0) throw new BadInput('no synthesized stacks found (run `npm run synth` first, or pass --dir)');
  if (stack !== undefined && !names.includes(stack)) throw new BadInput(`unknown stack ${stack} (known: ${names.join(', ')})`);
  const all = stacks
    .filter((s) => stack === undefined || s.name === stack)
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((s) => targetsOf(modelOf(s)));
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
// Output

/** One reason as a line: expected values in words (from the policy as written), then the token's value. */
export function reasonLine(model: StackModel, r: Reason): string {
  const where = r.policy ? `${r.policy}: ` : '';
  if (r.claim === undefined) return `  ${where}${r.summary}`;
  const actual = r.actual === undefined ? '(absent)' : JSON.stringify(r.actual);
  const original = (r.original ?? r.expected ?? []).map((v) => describeValue(model, v)).join(' | ');
  if (r.unresolved) return `  ${where}${r.claim} unverified (needs --state): expected ${original}, actual ${actual}`;
  const bound = (r.expected ?? []).map((v) => describeValue(model, v)).join(' | ');
  const expected = JSON.stringify(bound) + (original !== bound ? ` (${original})` : '');
  return `  ${where}${r.claim} expected ${expected}, actual ${actual}`;
}

/** The claims verdict in one line: `accepted (...)`, the Azure error (`401 WrongAudience`), or unverified. */
function admissionHeadline(target: Target, admission: Admission): string {
  if (admission.outcome === 'accepted') return `accepted (${admission.admittedBy})`;
  if (target.kind === 'workflow') return admission.error ?? 'unverified';
  const codes = [...new Set(admission.reasons.filter((r) => !r.unresolved).map((r) => r.code))];
  const status = admission.reasons.find((r) => r.httpStatus !== undefined)?.httpStatus ?? 401;
  return `${status}${codes.length ? ` ${codes.join(', ')}` : ''}`;
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

  let admission: Admission;
  if (target.kind === 'workflow') {
    const wf = target.workflow;
    const trigger = wf.triggers.find((t) => t.kind === 'request');
    lines.push(`receiver: ${wf.workflowName} (${wf.path}) in stack ${model.name}, ${wf.policies.length} polic${wf.policies.length === 1 ? 'y' : 'ies'}`);
    admission = admitAtTrigger(wf, trigger, { token: claims }, bindings);
  } else {
    const api = target.api;
    const validations = api.effectivePolicies.flatMap((d) => d.validations.map((v) => `${d.scope === 'global' ? 'global ' : ''}${v.kind}`));
    lines.push(`api: ${api.apiName} (${api.path}) on ${api.serviceLabel} in stack ${model.name}, ${validations.join(' + ') || 'no token validation'}`);
    admission = admitAtApi(api, claims, bindings);
  }
  const reasonLines = admission.reasons.map((r) => reasonLine(model, r));
  const headline = admissionHeadline(target, admission);

  if (problems.length) {
    lines.push(`refused: ${problems.join('; ')}`, `claims: ${headline}`, ...reasonLines);
    return { exitCode: EXIT.refused, lines };
  }
  if (admission.outcome === 'accepted') {
    lines.push(headline);
    return { exitCode: EXIT.accepted, lines };
  }
  if (admission.outcome === 'undecided') {
    const policies = [...new Set(admission.reasons.map((r) => r.policy).filter((p): p is string => p !== undefined))];
    lines.push(
      `unverified (needs --state): ${policies.length ? policies.join(', ') : 'the policy'} matches every claim that could be checked; ${admission.reasons.length} depend on deployed values`,
      ...reasonLines,
    );
    return { exitCode: EXIT.unverified, lines };
  }
  lines.push(headline, ...reasonLines);
  return { exitCode: EXIT.refused, lines };
}
