// What one synthesized stack grants, in the terms the access diff compares: who each receiver and API
// admits, from where, through which channels, what each call is predicted to get, and which trust-bearing
// resources exist. Built from the stack model and its verdicts (./project.ts); compared by ./diff.ts.
//
// Values that hold Terraform references keep them (`raw`, e.g. the `oid` a policy pins is
// `${azurerm_logic_app_workflow.X.identity[0].principal_id}`): two sides admit the same caller when they
// reference the same resource. `text` is how a reviewer reads the value.
import type { IpList } from './ip-coverage';

/** A value as compared (`raw`, Terraform references kept) and as shown (`text`). */
export interface Value {
  readonly raw: string;
  readonly text: string;
}

/** A workflow, API or app as a subject or caller of a change: its address and its Azure name. */
export interface Party {
  /** Terraform address (`type.name`). */
  readonly id: string;
  readonly name: string;
}

export interface PolicyAccess {
  readonly name: string;
  readonly claims: ReadonlyArray<{ readonly name: string; readonly value: Value }>;
  /** Whom the policy admits, in words: the pinned workflow, a client id, or any token holder. */
  readonly caller: CallerRef;
}

/** A caller as a change line names it: a workflow of the stack, or a description ("any identity ..."). */
export interface CallerRef {
  /** The workflow's address when the caller is one; otherwise a stable description. */
  readonly id: string;
  readonly name: string;
}

export interface StepAccess {
  readonly name: string;
  readonly kind: 'action' | 'trigger';
  /** Run-history properties (inputs, outputs) of a token- or secret-bearing step that are not secured. */
  readonly exposed: readonly string[];
}

export interface WorkflowAccess extends Party {
  readonly path: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Has a Request trigger, authorization policies or incoming calls. */
  readonly receiver: boolean;
  readonly policies: readonly PolicyAccess[];
  readonly triggerIps: IpList;
  readonly runHistoryIps: IpList;
  /** Request triggers and whether each has the Bearer-only condition (false: SAS admits callers). */
  readonly requestTriggers: ReadonlyArray<{ readonly name: string; readonly bearerOnly: boolean }>;
  /** Steps that carry a token or a secret. */
  readonly sensitiveSteps: readonly StepAccess[];
}

export interface RequiredClaim {
  readonly name: string;
  readonly match: 'all' | 'any';
  readonly values: readonly Value[];
}

export interface ApiAccess extends Party {
  /** "<api> (<service>)". */
  readonly label: string;
  readonly subscriptionRequired: boolean;
  /** The effective token validation (API or global policy); undefined: none, anyone is admitted. */
  readonly validation?: {
    readonly kind: string;
    readonly tenants: readonly Value[];
    /** Empty: any client application. `caller`: the workflow whose managed identity the client id is. */
    readonly clients: ReadonlyArray<Value & { readonly caller?: CallerRef }>;
    /** Empty: any audience. */
    readonly audiences: readonly Value[];
    /** Empty: any issuer the kind accepts. */
    readonly issuers: readonly Value[];
    readonly requiredClaims: readonly RequiredClaim[];
  };
}

export interface AudienceAccess extends Party {
  readonly tokenVersion: number;
  /** Entra issues tokens only to identities granted an app role. */
  readonly assignmentRequired: boolean;
  readonly grants: ReadonlyArray<{ readonly principal: Value; readonly caller: CallerRef; readonly role: string }>;
}

export interface Verdict {
  readonly accepted: boolean;
  /** Azure error (or short reason) when refused. */
  readonly error?: string;
  /** The accepting policy or validation, or the failing claims. */
  readonly detail: string;
  /** A declared probe: refusal is the intent. */
  readonly probe?: boolean;
}

export interface CallAccess {
  readonly caller: Party;
  readonly target: Party;
  readonly targetKind: 'receiver' | 'API';
  readonly action: string;
  readonly verdict: Verdict;
}

/** An Azure role assignment (azurerm_role_assignment): `caller` holds `role` on `scope` and below it. */
export interface RoleAssignmentAccess {
  readonly id: string;
  readonly principal: Value;
  readonly caller: CallerRef;
  readonly role: string;
  readonly scope: Value;
}

export interface SuppressionAccess {
  readonly resource: Party;
  readonly path: string;
  /** The workflow or API the suppressed resource is or belongs to, as a change line names it. */
  readonly owner?: Party & { readonly type: 'receiver' | 'workflow' | 'API' };
  /** The part of the owner that carries the suppression ("action Call_1", "trigger manual", "policy"). */
  readonly part?: string;
  readonly ruleId: string;
  readonly reason: string;
}

/** A Terraform resource, for matching across the two sides and for replacements. */
export interface ResourceAccess extends Party {
  readonly type: string;
  /** Arguments whose change makes Terraform destroy and recreate the resource (provider ForceNew). */
  readonly forceNew: Readonly<Record<string, Value>>;
  /** An app registration, enterprise application, workflow or role assignment. */
  readonly trustBearing: boolean;
}

export interface StackAccess {
  readonly stack: string;
  readonly workflows: readonly WorkflowAccess[];
  readonly apis: readonly ApiAccess[];
  readonly audiences: readonly AudienceAccess[];
  readonly calls: readonly CallAccess[];
  readonly roleAssignments: readonly RoleAssignmentAccess[];
  readonly suppressions: readonly SuppressionAccess[];
  readonly resources: readonly ResourceAccess[];
}
