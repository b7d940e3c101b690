// The access diff: what a change to the synthesized stacks does to who may call whom. A pure function
// of two StackAccess sets (./access.ts), so it is deterministic and mirror-symmetric: every change of
// diff(A, B) appears in diff(B, A) with the opposite severity (widens <-> narrows, neutral stays), and
// diff(A, A) is empty. The property test in __tests__/access-diff.test.ts holds it to that.
import type {
  ApiAccess,
  RoleAssignmentAccess,
  AudienceAccess,
  CallAccess,
  CallerRef,
  PolicyAccess,
  RequiredClaim,
  ResourceAccess,
  StackAccess,
  Value,
  Verdict,
  WorkflowAccess,
} from './access';
import { admitsNobody, beyond, contains, IpEntry, IpList, sameEntries } from './ip-coverage';

export type Severity = 'widens' | 'narrows' | 'neutral';

/** What a change is about; with the severity it names the kind of change. */
export type ChangeKind =
  | 'receiver'
  | 'rename'
  | 'admission'
  | 'trigger-ips'
  | 'run-history'
  | 'sas'
  | 'secure-data'
  | 'tags'
  | 'api'
  | 'token-validation'
  | 'api-tenants'
  | 'api-clients'
  | 'api-audiences'
  | 'api-issuers'
  | 'required-claim'
  | 'subscription-key'
  | 'assignment-required'
  | 'token-version'
  | 'grant'
  | 'role-assignment'
  | 'call'
  | 'verdict'
  | 'suppression';

export interface Named {
  /**
   * Identity across the two sides: the Terraform address, or for a resource whose address changed
   * "<address> ~ <address>" (the same for diff(A, B) and diff(B, A)).
   */
  readonly id: string;
  readonly name: string;
}

export interface AccessChange {
  readonly severity: Severity;
  readonly stack: string;
  readonly kind: ChangeKind;
  readonly subject: Named & { readonly type: 'receiver' | 'workflow' | 'API' | 'audience' | 'role' | 'resource' };
  /** The caller the change concerns; undefined when it concerns every caller. */
  readonly caller?: Named;
  readonly text: string;
}

/** A trust-bearing resource Terraform would destroy and create again. */
export interface Replacement {
  readonly stack: string;
  readonly type: string;
  readonly name: string;
  /** The address on the head side. */
  readonly address: string;
  readonly reason: string;
}

export type EdgeStatus = 'added' | 'removed' | 'kept';

/** One call of either side, for the graph. */
export interface EdgeChange {
  readonly stack: string;
  readonly status: EdgeStatus;
  readonly caller: Named;
  readonly target: Named & { readonly kind: 'receiver' | 'API' };
  /** The head's verdict (the base's for a removed call). */
  readonly verdict: Verdict;
  /** The verdict flipped (accepted <-> refused). */
  readonly flipped: boolean;
}

export interface AccessDiff {
  readonly changes: readonly AccessChange[];
  readonly replacements: readonly Replacement[];
  readonly edges: readonly EdgeChange[];
}

export const SEVERITY_ORDER: readonly Severity[] = ['widens', 'narrows', 'neutral'];

export function mirrorSeverity(severity: Severity): Severity {
  return severity === 'widens' ? 'narrows' : severity === 'narrows' ? 'widens' : 'neutral';
}

// ---------------------------------------------------------------------------------------------------
// Matching resources across the two sides

/** Which head resource is which base resource: same address, else same type and Azure name. */
interface Matching {
  /** Base address of a head address (identity for unchanged addresses). */
  readonly toBase: ReadonlyMap<string, string>;
  /** Head address of a base address. */
  readonly toHead: ReadonlyMap<string, string>;
}

/** A workflow's authorization policies as sets of claims (policy names aside), canonical on the head side. */
function admissionSets(workflow: WorkflowAccess | undefined, canon: (raw: string) => string): string[] {
  return (workflow?.policies ?? []).map((p) =>
    p.claims
      .map((c) => `${c.name}=${canon(c.value.raw)}`)
      .sort()
      .join('&'),
  );
}

function matchResources(baseStack: StackAccess, headStack: StackAccess): Matching {
  const base = baseStack.resources;
  const head = headStack.resources;
  const toBase = new Map<string, string>();
  const toHead = new Map<string, string>();
  const pair = (b: string, h: string) => {
    toHead.set(b, h);
    toBase.set(h, b);
  };
  const headAddresses = new Set(head.map((r) => r.id));
  for (const r of base) if (headAddresses.has(r.id)) pair(r.id, r.id);
  // A construct id change keeps what the resource is: pair the unmatched resources of one type that
  // agree on a key (first the Azure name, then the replacement-relevant arguments with references to
  // already paired resources rewritten), when the pairing is unambiguous on both sides.
  const pairBy = (key: (r: ResourceAccess, side: 'base' | 'head') => string | undefined) => {
    const groups = (side: readonly ResourceAccess[], which: 'base' | 'head') => {
      const matched = which === 'base' ? toHead : toBase;
      const out = new Map<string, ResourceAccess[]>();
      for (const r of side) {
        const k = matched.has(r.id) ? undefined : key(r, which);
        if (k !== undefined) out.set(`${r.type}\n${k}`, [...(out.get(`${r.type}\n${k}`) ?? []), r]);
      }
      return out;
    };
    const headGroups = groups(head, 'head');
    for (const [k, bs] of groups(base, 'base')) {
      const hs = headGroups.get(k);
      if (bs.length === 1 && hs?.length === 1) pair(bs[0].id, hs[0].id);
    }
  };
  pairBy((r) => (r.name && r.name !== r.id ? r.name : undefined));
  const byForceNew = () => {
    const canon = canonicalizer({ toBase, toHead });
    pairBy((r, side) => {
      const attrs = Object.keys(r.forceNew).sort();
      if (attrs.length === 0) return undefined;
      const c = side === 'head' ? canon : (raw: string) => raw;
      return attrs.map((a) => `${a}=${c(r.forceNew[a].raw)}`).join('\n');
    });
  };
  byForceNew();
  // A renamed receiver (new Azure name and construct id, so neither key above): the unmatched workflow
  // that admits the same callers (its policies' claims, references to paired resources rewritten), first
  // exactly, then by at least one common policy, when that pairs one workflow on each side.
  const workflows = { base: new Map(baseStack.workflows.map((w) => [w.id, w])), head: new Map(headStack.workflows.map((w) => [w.id, w])) };
  const unmatchedReceivers = (side: 'base' | 'head', canon: (raw: string) => string) =>
    (side === 'base' ? base : head)
      .filter((r) => r.type === 'azurerm_logic_app_workflow' && !(side === 'base' ? toHead : toBase).has(r.id))
      .map((r) => ({ id: r.id, sets: admissionSets(workflows[side].get(r.id), canon) }))
      .filter((r) => r.sets.length > 0);
  const identity = (raw: string) => raw;
  const canon = canonicalizer({ toBase, toHead });
  pairBy((r, side) => {
    if (r.type !== 'azurerm_logic_app_workflow') return undefined;
    const sets = admissionSets(workflows[side].get(r.id), side === 'head' ? canon : identity);
    return sets.length ? [...new Set(sets)].sort().join('\n') : undefined;
  });
  const bs = unmatchedReceivers('base', identity);
  const hs = unmatchedReceivers('head', canonicalizer({ toBase, toHead }));
  const overlaps = (x: { sets: string[] }, y: { sets: string[] }) => x.sets.some((set) => y.sets.includes(set));
  for (const b of bs) {
    const candidates = hs.filter((h) => overlaps(b, h));
    if (candidates.length === 1 && bs.filter((x) => overlaps(x, candidates[0])).length === 1) pair(b.id, candidates[0].id);
  }
  // What identifies itself by a paired workflow (a role assignment of its identity) pairs now.
  byForceNew();
  return { toBase, toHead };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rewrites the head's references to moved resources into base addresses, so that values compare. */
function canonicalizer(matching: Matching): (raw: string) => string {
  const moved = [...matching.toBase].filter(([head, base]) => head !== base);
  if (moved.length === 0) return (raw) => raw;
  const re = new RegExp(`(?<![A-Za-z0-9_-])(${moved.map(([head]) => escapeRegExp(head)).join('|')})(?=\\.|$|\\})`, 'g');
  const map = new Map(moved);
  return (raw) => raw.replace(re, (address) => map.get(address) ?? address);
}

function pairId(base: string | undefined, head: string | undefined): string {
  if (base === undefined) return head!;
  if (head === undefined || head === base) return base;
  return [base, head].sort().join(' ~ ');
}

/** Pairs the items of both sides by their address through the matching. */
function pairUp<T extends { id: string }>(base: readonly T[], head: readonly T[], matching: Matching): Array<[T | undefined, T | undefined]> {
  const headById = new Map(head.map((h) => [h.id, h]));
  const pairs: Array<[T | undefined, T | undefined]> = [];
  const used = new Set<string>();
  for (const b of base) {
    const h = headById.get(matching.toHead.get(b.id) ?? b.id);
    if (h) used.add(h.id);
    pairs.push([b, h]);
  }
  for (const h of head) if (!used.has(h.id)) pairs.push([undefined, h]);
  return pairs;
}

// ---------------------------------------------------------------------------------------------------
// Per-stack diff

interface Context {
  readonly stack: string;
  readonly matching: Matching;
  /** Canonical form of a head value (references to moved resources rewritten to the base address). */
  readonly canon: (raw: string) => string;
  readonly changes: AccessChange[];
}

function callerId(ctx: Context, side: 'base' | 'head', caller: CallerRef): Named {
  const other = side === 'base' ? ctx.matching.toHead.get(caller.id) : ctx.matching.toBase.get(caller.id);
  const id = other === undefined ? caller.id : side === 'base' ? pairId(caller.id, other) : pairId(other, caller.id);
  return { id, name: caller.name };
}

function add(ctx: Context, change: Omit<AccessChange, 'stack'>): void {
  ctx.changes.push({ stack: ctx.stack, ...change });
}

const claimKey = (name: string, raw: string) => `${name}=${raw}`;

function claimSet(policy: PolicyAccess, canon: (raw: string) => string): Set<string> {
  return new Set(policy.claims.map((c) => claimKey(c.name, canon(c.value.raw))));
}

/** Whether every token `policy` admits is admitted by one of `others` (fewer claims admit more). */
function policyCovered(policy: Set<string>, others: readonly Set<string>[]): boolean {
  return others.some((other) => [...other].every((claim) => policy.has(claim)));
}

function claimsText(policy: PolicyAccess): string {
  return policy.claims.map((c) => `${c.name} = ${c.value.text}`).join(', ');
}

/** How `to` differs from the same-named policy `from`: "drops oid = ...; aud = x (was y)". */
function policyDelta(from: PolicyAccess, to: PolicyAccess, canonFrom: (r: string) => string, canonTo: (r: string) => string): string {
  const parts: string[] = [];
  for (const c of from.claims) {
    const now = to.claims.find((x) => x.name === c.name);
    if (!now) parts.push(`drops ${c.name} = ${c.value.text}`);
    else if (canonTo(now.value.raw) !== canonFrom(c.value.raw)) parts.push(`${c.name} = ${now.value.text} (was ${c.value.text})`);
  }
  for (const c of to.claims) if (!from.claims.some((x) => x.name === c.name)) parts.push(`requires ${c.name} = ${c.value.text}`);
  return parts.join('; ');
}

function diffPolicies(ctx: Context, subject: AccessChange['subject'], base: readonly PolicyAccess[], head: readonly PolicyAccess[]): void {
  const id = (raw: string) => raw;
  const baseSets = base.map((p) => claimSet(p, id));
  const headSets = head.map((p) => claimSet(p, ctx.canon));
  let changed = false;
  head.forEach((policy, i) => {
    if (policyCovered(headSets[i], baseSets)) return;
    changed = true;
    const before = base.find((p) => p.name === policy.name);
    add(ctx, {
      severity: 'widens',
      kind: 'admission',
      subject,
      caller: callerId(ctx, 'head', policy.caller),
      text: before
        ? `policy ${policy.name} admits more: ${policyDelta(before, policy, id, ctx.canon)}`
        : `admitted by new policy ${policy.name} (${claimsText(policy)})`,
    });
  });
  base.forEach((policy, i) => {
    if (policyCovered(baseSets[i], headSets)) return;
    changed = true;
    const after = head.find((p) => p.name === policy.name);
    add(ctx, {
      severity: 'narrows',
      kind: 'admission',
      subject,
      caller: callerId(ctx, 'base', policy.caller),
      text: after
        ? `policy ${policy.name} admits less: ${policyDelta(policy, after, id, ctx.canon)}`
        : `no longer admitted: policy ${policy.name} removed (${claimsText(policy)})`,
    });
  });
  const signature = (policies: readonly PolicyAccess[], canon: (r: string) => string) =>
    policies
      .map((p) => `${p.name}:${[...claimSet(p, canon)].sort().join(',')}`)
      .sort()
      .join('\n');
  if (!changed && signature(base, id) !== signature(head, ctx.canon)) {
    add(ctx, { severity: 'neutral', kind: 'admission', subject, text: 'authorization policies rewritten; they admit the same tokens' });
  }
}

const NO_IPS: IpList = { any: false, entries: [] };

function canonList(list: IpList, canon: (raw: string) => string): IpList {
  return list.any ? list : { any: false, entries: list.entries.map((e) => ({ ...e, value: canon(e.value) })) };
}

function listText(list: IpList): string {
  if (list.any) return 'any address';
  const shown = list.entries.filter((e) => !admitsNobody(e));
  return shown.length ? shown.map((e) => e.text).join(', ') : 'nobody';
}

/** Widening and narrowing lines of an IP list (`what`: "trigger IP list", "run-history IP list"). */
function diffIps(ctx: Context, subject: AccessChange['subject'], kind: 'trigger-ips' | 'run-history', what: string, baseList: IpList, headRaw: IpList): void {
  const headList = canonList(headRaw, ctx.canon);
  const wider = beyond(headList, baseList);
  const narrower = beyond(baseList, headList);
  const callerOf = (side: 'base' | 'head', e: IpEntry) => (e.caller ? callerId(ctx, side, e.caller) : undefined);
  if (wider === 'any') {
    add(ctx, { severity: 'widens', kind, subject, text: `${what}: no IP restriction any more, any address is admitted (was ${listText(baseList)})` });
  } else {
    for (const entry of wider) {
      const replaced = baseList.any ? [] : baseList.entries.filter((b) => contains(entry, b) && b.value !== entry.value);
      add(ctx, {
        severity: 'widens',
        kind,
        subject,
        caller: callerOf('head', entry),
        text: `${what} admits ${entry.text}${replaced.length ? ` (broadened from ${replaced.map((r) => r.text).join(', ')})` : ''}`,
      });
    }
  }
  if (narrower === 'any') {
    add(ctx, { severity: 'narrows', kind, subject, text: `${what}: IP restriction added, only ${listText(headList)} (was any address)` });
  } else {
    for (const entry of narrower) {
      const replacement = headList.any ? [] : headList.entries.filter((h) => contains(entry, h) && h.value !== entry.value);
      add(ctx, {
        severity: 'narrows',
        kind,
        subject,
        caller: callerOf('base', entry),
        text: `${what} no longer admits ${entry.text}${replacement.length ? ` (narrowed to ${replacement.map((r) => r.text).join(', ')})` : ''}`,
      });
    }
  }
  const unchanged = wider !== 'any' && wider.length === 0 && narrower !== 'any' && narrower.length === 0;
  if (unchanged && !sameEntries(baseList, headList)) {
    add(ctx, { severity: 'neutral', kind, subject, text: `${what} rewritten: ${listText(headRaw)} (was ${listText(baseList)}); they admit the same addresses` });
  }
}

function tagsText(base: Readonly<Record<string, string>>, head: Readonly<Record<string, string>>): string {
  const keys = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort();
  return keys
    .filter((k) => base[k] !== head[k])
    .map((k) => (base[k] === undefined ? `+${k}=${head[k]}` : head[k] === undefined ? `-${k}` : `${k}: ${base[k]} -> ${head[k]}`))
    .join(', ');
}

function diffWorkflow(ctx: Context, base: WorkflowAccess | undefined, head: WorkflowAccess | undefined): void {
  const any = (head ?? base)!;
  const receiver = Boolean(head?.receiver || base?.receiver);
  const subject = { type: receiver ? ('receiver' as const) : ('workflow' as const), id: pairId(base?.id, head?.id), name: any.name };
  if (receiver && (!base?.receiver || !head?.receiver)) {
    add(ctx, { severity: 'neutral', kind: 'receiver', subject, text: head?.receiver ? `new receiver (${head.path})` : `no longer a receiver${head ? '' : ' (removed)'}` });
  }
  if (base && head && base.name !== head.name) {
    add(ctx, { severity: 'neutral', kind: 'rename', subject, text: `renamed from ${base.name}` });
  }
  diffPolicies(ctx, subject, base?.policies ?? [], head?.policies ?? []);
  diffIps(ctx, subject, 'trigger-ips', 'trigger IP list', base?.receiver ? base.triggerIps : NO_IPS, head?.receiver ? head.triggerIps : NO_IPS);
  diffIps(ctx, subject, 'run-history', 'run-history IP list', base?.runHistoryIps ?? NO_IPS, head?.runHistoryIps ?? NO_IPS);

  const sasOpen = (w: WorkflowAccess | undefined) => new Set((w?.requestTriggers ?? []).filter((t) => !t.bearerOnly).map((t) => t.name));
  const baseSas = sasOpen(base);
  const headSas = sasOpen(head);
  const known = (w: WorkflowAccess | undefined, name: string) => (w?.requestTriggers ?? []).some((t) => t.name === name);
  for (const t of [...headSas].filter((t) => !baseSas.has(t)).sort()) {
    add(ctx, {
      severity: 'widens',
      kind: 'sas',
      subject,
      text: known(base, t)
        ? `trigger ${t} lost its Bearer-only condition: its SAS callback URL (sig) now invokes it without a token`
        : `new trigger ${t} accepts SAS: its callback URL (sig) invokes it without a token`,
    });
  }
  for (const t of [...baseSas].filter((t) => !headSas.has(t)).sort()) {
    add(ctx, {
      severity: 'narrows',
      kind: 'sas',
      subject,
      text: known(head, t) ? `trigger ${t} got the Bearer-only condition: SAS-only calls are skipped` : `trigger ${t} that accepted SAS removed`,
    });
  }

  const steps = (w: WorkflowAccess | undefined) => new Map((w?.sensitiveSteps ?? []).map((s) => [`${s.kind} ${s.name}`, s]));
  const baseSteps = steps(base);
  const headSteps = steps(head);
  for (const key of [...new Set([...baseSteps.keys(), ...headSteps.keys()])].sort()) {
    const before = new Set(baseSteps.get(key)?.exposed ?? []);
    const after = new Set(headSteps.get(key)?.exposed ?? []);
    const opened = [...after].filter((p) => !before.has(p));
    const closed = [...before].filter((p) => !after.has(p));
    const isNew = !baseSteps.has(key);
    const isGone = !headSteps.has(key);
    if (opened.length) {
      add(ctx, {
        severity: 'widens',
        kind: 'secure-data',
        subject,
        text: `${isNew ? 'new ' : ''}${key}: ${opened.join(' and ')} ${isNew ? 'not' : 'no longer'} secured (token or secret visible in run history)`,
      });
    }
    if (closed.length) {
      add(ctx, {
        severity: 'narrows',
        kind: 'secure-data',
        subject,
        text: isGone ? `${key} with unsecured ${closed.join(' and ')} removed` : `${key}: ${closed.join(' and ')} now secured`,
      });
    }
  }

  if (base && head && tagsText(base.tags, head.tags)) {
    add(ctx, { severity: 'neutral', kind: 'tags', subject, text: `tags: ${tagsText(base.tags, head.tags)}` });
  }
}

/** A list constraint where empty means "any": values of `list` beyond `other`, or 'any'. */
function valuesBeyond(list: readonly Value[], other: readonly Value[], canonList: (r: string) => string, canonOther: (r: string) => string): Value[] | 'any' {
  if (list.length === 0) return other.length === 0 ? [] : 'any';
  if (other.length === 0) return [];
  const known = new Set(other.map((v) => canonOther(v.raw)));
  return list.filter((v) => !known.has(canonList(v.raw)));
}

/** Whether every token satisfying `c` satisfies `other` (a missing constraint admits everything). */
function claimCovered(c: RequiredClaim | undefined, other: RequiredClaim | undefined, canonC: (r: string) => string, canonOther: (r: string) => string): boolean {
  if (!other || other.values.length === 0) return true;
  if (!c || c.values.length === 0) return false;
  const cv = new Set(c.values.map((v) => canonC(v.raw)));
  const ov = new Set(other.values.map((v) => canonOther(v.raw)));
  if (other.match === 'any') {
    // c guarantees one of its values (any) or all of them (all): some guaranteed value must be in ov.
    return c.match === 'all' ? [...cv].some((v) => ov.has(v)) : [...cv].every((v) => ov.has(v));
  }
  // other needs all of ov: c must guarantee each of them.
  return c.match === 'all' ? [...ov].every((v) => cv.has(v)) : cv.size === 1 && [...ov].every((v) => cv.has(v));
}

function requiredText(c: RequiredClaim): string {
  return `${c.name} ${c.match === 'all' ? 'all of' : 'any of'} ${c.values.map((v) => v.text).join(', ')}`;
}

function apiAdmitsText(api: ApiAccess): string {
  const v = api.validation;
  if (!v) return 'no token validation: anyone who reaches the gateway';
  const list = (values: readonly Value[], none: string) => (values.length ? values.map((x) => x.text).join(', ') : none);
  return `${v.kind}: clients ${list(v.clients, 'any')}, audiences ${list(v.audiences, 'any')}`;
}

function diffApi(ctx: Context, base: ApiAccess | undefined, head: ApiAccess | undefined): void {
  const any = (head ?? base)!;
  const subject = { type: 'API' as const, id: pairId(base?.id, head?.id), name: any.label };
  if (!base || !head) {
    add(ctx, head ? { severity: 'widens', kind: 'api', subject, text: `new API admits callers (${apiAdmitsText(head)})` } : { severity: 'narrows', kind: 'api', subject, text: `API removed (admitted ${apiAdmitsText(base!)})` });
    return;
  }
  const id = (r: string) => r;
  if (base.label !== head.label) add(ctx, { severity: 'neutral', kind: 'rename', subject, text: `renamed from ${base.label}` });
  if (base.subscriptionRequired && !head.subscriptionRequired) {
    add(ctx, { severity: 'widens', kind: 'subscription-key', subject, text: 'subscription key no longer required' });
  } else if (!base.subscriptionRequired && head.subscriptionRequired) {
    add(ctx, { severity: 'narrows', kind: 'subscription-key', subject, text: 'subscription key now required' });
  }
  const bv = base.validation;
  const hv = head.validation;
  if (!bv || !hv) {
    if (bv) add(ctx, { severity: 'widens', kind: 'token-validation', subject, text: `token validation removed (was ${bv.kind}): anyone who reaches the gateway is admitted` });
    if (hv) add(ctx, { severity: 'narrows', kind: 'token-validation', subject, text: `token validation added (${apiAdmitsText(head)})` });
    return;
  }
  if (bv.kind !== hv.kind) add(ctx, { severity: 'neutral', kind: 'token-validation', subject, text: `token validation is now ${hv.kind} (was ${bv.kind})` });
  const dims: Array<[ChangeKind, string, readonly Value[], readonly Value[]]> = [
    ['api-tenants', 'tenant', bv.tenants, hv.tenants],
    ['api-clients', 'client application', bv.clients, hv.clients],
    ['api-audiences', 'audience', bv.audiences, hv.audiences],
    ['api-issuers', 'issuer', bv.issuers, hv.issuers],
  ];
  for (const [kind, what, b, h] of dims) {
    const wider = valuesBeyond(h, b, ctx.canon, id);
    const narrower = valuesBeyond(b, h, id, ctx.canon);
    // A client id is a caller: the workflow whose identity it is, when known.
    const asCaller = (side: 'base' | 'head', v: Value & { caller?: CallerRef }) =>
      kind === 'api-clients' ? { caller: v.caller ? callerId(ctx, side, v.caller) : { id: v.raw, name: v.text } } : {};
    if (wider === 'any') add(ctx, { severity: 'widens', kind, subject, text: `any ${what} admitted (was ${b.map((v) => v.text).join(', ')})` });
    else for (const v of wider) add(ctx, { severity: 'widens', kind, subject, ...asCaller('head', v), text: `${what} ${v.text} admitted` });
    if (narrower === 'any') add(ctx, { severity: 'narrows', kind, subject, text: `only ${what} ${h.map((v) => v.text).join(', ')} admitted (was any)` });
    else for (const v of narrower) add(ctx, { severity: 'narrows', kind, subject, ...asCaller('base', v), text: `${what} ${v.text} no longer admitted` });
  }
  const names = [...new Set([...bv.requiredClaims, ...hv.requiredClaims].map((c) => c.name))].sort();
  for (const name of names) {
    const b = bv.requiredClaims.find((c) => c.name === name);
    const h = hv.requiredClaims.find((c) => c.name === name);
    if (!claimCovered(h, b, ctx.canon, id)) {
      add(ctx, { severity: 'widens', kind: 'required-claim', subject, text: h ? `required claim relaxed: ${requiredText(h)}${b ? ` (was ${requiredText(b)})` : ''}` : `required claim dropped: ${requiredText(b!)}` });
    }
    if (!claimCovered(b, h, id, ctx.canon)) {
      add(ctx, { severity: 'narrows', kind: 'required-claim', subject, text: b ? `required claim tightened: ${requiredText(h!)} (was ${requiredText(b)})` : `required claim added: ${requiredText(h!)}` });
    }
  }
}

function diffAudience(ctx: Context, base: AudienceAccess | undefined, head: AudienceAccess | undefined): void {
  const any = (head ?? base)!;
  const subject = { type: 'audience' as const, id: pairId(base?.id, head?.id), name: any.name };
  if (base && head && base.name !== head.name) add(ctx, { severity: 'neutral', kind: 'rename', subject, text: `renamed from ${base.name}` });
  if (base && head && base.tokenVersion !== head.tokenVersion) {
    add(ctx, { severity: 'neutral', kind: 'token-version', subject, text: `access token version ${head.tokenVersion} (was ${base.tokenVersion}): issuer and aud of its tokens change` });
  }
  // A missing audience issues no token: like one that requires an assignment nobody has.
  const baseRequired = base?.assignmentRequired ?? true;
  const headRequired = head?.assignmentRequired ?? true;
  if (baseRequired && !headRequired) {
    add(ctx, {
      severity: 'widens',
      kind: 'assignment-required',
      subject,
      text: `${base ? 'app role assignment no longer required' : 'new app registration without a required app role assignment'}: Entra issues tokens for it to any identity of the tenant`,
    });
  } else if (!baseRequired && headRequired) {
    add(ctx, {
      severity: 'narrows',
      kind: 'assignment-required',
      subject,
      text: head ? 'app role assignment required: Entra issues tokens for it only to identities granted a role' : 'app registration removed, which issued tokens to any identity of the tenant',
    });
  }
  const key = (g: AudienceAccess['grants'][number], canon: (r: string) => string) => `${canon(g.principal.raw)}\n${g.role}`;
  const id = (r: string) => r;
  const baseKeys = new Set((base?.grants ?? []).map((g) => key(g, id)));
  const headKeys = new Set((head?.grants ?? []).map((g) => key(g, ctx.canon)));
  for (const g of head?.grants ?? []) {
    if (!baseKeys.has(key(g, ctx.canon))) add(ctx, { severity: 'widens', kind: 'grant', subject, caller: callerId(ctx, 'head', g.caller), text: `granted app role ${g.role}: Entra issues it tokens for this audience` });
  }
  for (const g of base?.grants ?? []) {
    if (!headKeys.has(key(g, id))) add(ctx, { severity: 'narrows', kind: 'grant', subject, caller: callerId(ctx, 'base', g.caller), text: `app role ${g.role} revoked (cached tokens stay valid up to ~24 h)` });
  }
}

function verdictText(v: Verdict): string {
  if (v.accepted) return `accepted (${v.detail})`;
  return `refused: ${v.error ?? 'refused'} (${v.detail})${v.probe ? ', a declared probe' : ''}`;
}

function diffCalls(ctx: Context, base: readonly CallAccess[], head: readonly CallAccess[], edges: EdgeChange[]): void {
  // Key: caller and target in base addresses, numbered when one caller calls one target more than once.
  const keyed = (calls: readonly CallAccess[], toBase: (address: string) => string) => {
    const seen = new Map<string, number>();
    const out = new Map<string, CallAccess>();
    for (const call of [...calls].sort((a, b) => a.action.localeCompare(b.action))) {
      const k = `${toBase(call.caller.id)} -> ${toBase(call.target.id)}`;
      const n = seen.get(k) ?? 0;
      seen.set(k, n + 1);
      out.set(`${k} #${n}`, call);
    }
    return out;
  };
  const b = keyed(base, (a) => a);
  const h = keyed(head, (a) => ctx.matching.toBase.get(a) ?? a);
  for (const key of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const before = b.get(key);
    const after = h.get(key);
    const call = (after ?? before)!;
    const side = after ? 'head' : 'base';
    const caller = callerId(ctx, side, call.caller);
    const targetNamed = callerId(ctx, side, call.target);
    const subject = { type: call.targetKind === 'API' ? ('API' as const) : ('receiver' as const), ...targetNamed };
    const flipped = !!before && !!after && before.verdict.accepted !== after.verdict.accepted;
    edges.push({ stack: ctx.stack, status: before && after ? 'kept' : after ? 'added' : 'removed', caller, target: { ...targetNamed, kind: call.targetKind }, verdict: call.verdict, flipped });
    if (!before) {
      add(ctx, { severity: after!.verdict.accepted ? 'widens' : 'neutral', kind: 'call', subject, caller, text: `new call (${after!.action}), predicted ${verdictText(after!.verdict)}` });
    } else if (!after) {
      add(ctx, { severity: before.verdict.accepted ? 'narrows' : 'neutral', kind: 'call', subject, caller, text: `call removed (${before.action}), was predicted ${verdictText(before.verdict)}` });
    } else if (flipped) {
      add(ctx, {
        severity: after.verdict.accepted ? 'widens' : 'narrows',
        kind: 'verdict',
        subject,
        caller,
        text: `verdict flips to ${verdictText(after.verdict)}; was ${verdictText(before.verdict)}`,
      });
    } else if (!after.verdict.accepted && before.verdict.error !== after.verdict.error) {
      add(ctx, { severity: 'neutral', kind: 'verdict', subject, caller, text: `still refused, now ${after.verdict.error} (was ${before.verdict.error})` });
    }
  }
}

/** Whether `scope` lies at or below `outer` (an Azure role assignment applies to its scope and below). */
function within(scope: string, outer: string): boolean {
  return scope === outer || scope.startsWith(`${outer.replace(/\/+$/, '')}/`);
}

/**
 * Azure role assignments per principal and role: a scope not within one of the other side's scopes is
 * access gained (widens; "broadened" when it holds an old scope) or lost (narrows).
 */
function diffRoleAssignments(ctx: Context, base: readonly RoleAssignmentAccess[], head: readonly RoleAssignmentAccess[]): void {
  const id = (raw: string) => raw;
  const group = (list: readonly RoleAssignmentAccess[], canon: (raw: string) => string) => {
    const out = new Map<string, RoleAssignmentAccess[]>();
    for (const a of list) {
      const key = `${canon(a.principal.raw)}\n${a.role}`;
      out.set(key, [...(out.get(key) ?? []), a]);
    }
    return out;
  };
  const b = group(base, id);
  const h = group(head, ctx.canon);
  for (const key of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const before = b.get(key) ?? [];
    const after = h.get(key) ?? [];
    const any = (after[0] ?? before[0])!;
    const subject = { type: 'role' as const, id: any.role, name: any.role };
    const caller = callerId(ctx, after.length ? 'head' : 'base', any.caller);
    for (const a of after) {
      const scope = ctx.canon(a.scope.raw);
      if (before.some((x) => within(scope, x.scope.raw))) continue;
      const held = before.filter((x) => within(x.scope.raw, scope));
      add(ctx, { severity: 'widens', kind: 'role-assignment', subject, caller, text: held.length ? `scope broadened to ${a.scope.text} (was ${held.map((x) => x.scope.text).join(', ')})` : `granted on ${a.scope.text}` });
    }
    for (const x of before) {
      if (after.some((a) => within(x.scope.raw, ctx.canon(a.scope.raw)))) continue;
      const kept = after.filter((a) => within(ctx.canon(a.scope.raw), x.scope.raw));
      add(ctx, { severity: 'narrows', kind: 'role-assignment', subject, caller, text: kept.length ? `scope narrowed to ${kept.map((a) => a.scope.text).join(', ')} (was ${x.scope.text})` : `revoked on ${x.scope.text}` });
    }
  }
}

function diffSuppressions(ctx: Context, base: StackAccess, head: StackAccess): void {
  const key = (s: StackAccess['suppressions'][number], toBase: (a: string) => string) => `${toBase(s.resource.id)}\n${s.ruleId}`;
  const b = new Map(base.suppressions.map((s) => [key(s, (a) => a), s]));
  const h = new Map(head.suppressions.map((s) => [key(s, (a) => ctx.matching.toBase.get(a) ?? a), s]));
  for (const k of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const before = b.get(k);
    const after = h.get(k);
    const s = (after ?? before)!;
    const side = after ? 'head' : 'base';
    // Named after the workflow or API it is on (a receiver when it is one on either side), else its construct path.
    const owner = s.owner;
    const subject = owner
      ? { type: before?.owner?.type === 'receiver' || after?.owner?.type === 'receiver' ? ('receiver' as const) : owner.type, ...callerId(ctx, side, owner) }
      : { type: 'resource' as const, id: callerId(ctx, side, s.resource).id, name: s.path };
    const part = s.part ? `${s.part}: ` : '';
    if (!before) add(ctx, { severity: 'widens', kind: 'suppression', subject, text: `${part}rule ${s.ruleId} suppressed: ${after!.reason}` });
    else if (!after) add(ctx, { severity: 'narrows', kind: 'suppression', subject, text: `${part}suppression of rule ${s.ruleId} removed (was: ${before.reason})` });
    else if (before.reason !== after.reason) add(ctx, { severity: 'neutral', kind: 'suppression', subject, text: `${part}rule ${s.ruleId} suppression reason now: ${after.reason}` });
  }
}

/** Whether `raw` references one of `addresses` (as `<address>.` inside a Terraform expression). */
function referencesAny(raw: string, addresses: ReadonlySet<string>): string | undefined {
  for (const m of raw.matchAll(/(?<![A-Za-z0-9_-])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)\./g)) if (addresses.has(m[1])) return m[1];
  return undefined;
}

function replacements(stack: string, base: StackAccess, head: StackAccess, matching: Matching, canon: (raw: string) => string): Replacement[] {
  const headById = new Map(head.resources.map((r) => [r.id, r]));
  const pairs = base.resources.flatMap((b) => {
    const h = headById.get(matching.toHead.get(b.id) ?? '');
    return h ? [{ b, h }] : [];
  });
  // Head addresses of replaced resources, with why; a resource whose replacement-relevant argument
  // references a replaced resource is replaced too (a new workflow has a new principal id).
  const replaced = new Map<string, string[]>();
  for (const { b, h } of pairs) {
    const reasons: string[] = [];
    if (b.id !== h.id) reasons.push(`address changed from ${b.id} (construct id)`);
    for (const attr of [...new Set([...Object.keys(b.forceNew), ...Object.keys(h.forceNew)])].sort()) {
      const before = b.forceNew[attr];
      const after = h.forceNew[attr];
      if (before?.raw === after?.raw) continue;
      if (before && after && canon(after.raw) === before.raw) continue; // follows a moved resource: below
      reasons.push(`${attr} ${after?.text ?? '(unset)'} (was ${before?.text ?? '(unset)'})`);
    }
    if (reasons.length) replaced.set(h.id, reasons);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const { h } of pairs) {
      if (replaced.has(h.id)) continue;
      for (const attr of Object.keys(h.forceNew).sort()) {
        const via = referencesAny(h.forceNew[attr].raw, new Set(replaced.keys()));
        if (via) {
          replaced.set(h.id, [`${attr} follows ${headById.get(via)?.name ?? via}, which is replaced`]);
          grew = true;
          break;
        }
      }
    }
  }
  return pairs
    .filter(({ b, h }) => replaced.has(h.id) && (b.trustBearing || h.trustBearing))
    .map(({ h }) => ({ stack, type: h.type, name: h.name, address: h.id, reason: replaced.get(h.id)!.join('; ') }));
}

function severityRank(s: Severity): number {
  return SEVERITY_ORDER.indexOf(s);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareChanges(a: AccessChange, b: AccessChange): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    cmp(a.stack, b.stack) ||
    cmp(a.subject.name, b.subject.name) ||
    cmp(a.caller?.name ?? '', b.caller?.name ?? '') ||
    cmp(a.kind, b.kind) ||
    cmp(a.text, b.text)
  );
}

const EMPTY = (stack: string): StackAccess => ({ stack, workflows: [], apis: [], audiences: [], calls: [], roleAssignments: [], suppressions: [], resources: [] });

/** The access diff of two sets of stacks (matched by stack name). */
export function diffAccess(base: readonly StackAccess[], head: readonly StackAccess[]): AccessDiff {
  const changes: AccessChange[] = [];
  const edges: EdgeChange[] = [];
  const replaced: Replacement[] = [];
  const names = [...new Set([...base.map((s) => s.stack), ...head.map((s) => s.stack)])].sort();
  for (const name of names) {
    const b = base.find((s) => s.stack === name) ?? EMPTY(name);
    const h = head.find((s) => s.stack === name) ?? EMPTY(name);
    const matching = matchResources(b, h);
    const ctx: Context = { stack: name, matching, canon: canonicalizer(matching), changes };
    for (const [bw, hw] of pairUp(b.workflows, h.workflows, matching)) diffWorkflow(ctx, bw, hw);
    for (const [ba, ha] of pairUp(b.apis, h.apis, matching)) diffApi(ctx, ba, ha);
    for (const [bu, hu] of pairUp(b.audiences, h.audiences, matching)) diffAudience(ctx, bu, hu);
    diffCalls(ctx, b.calls, h.calls, edges);
    diffRoleAssignments(ctx, b.roleAssignments, h.roleAssignments);
    diffSuppressions(ctx, b, h);
    replaced.push(...replacements(name, b, h, matching, ctx.canon));
  }
  return {
    changes: changes.sort(compareChanges),
    replacements: replaced.sort((x, y) => cmp(x.stack, y.stack) || cmp(x.type, y.type) || cmp(x.address, y.address)),
    edges,
  };
}
