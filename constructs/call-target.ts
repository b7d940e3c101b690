import { IConstruct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import type { Audience } from './audience';
import type { ApiOperation } from './entra-protected-api';

/** What a caller needs to know to call a target: one HTTP request and the token it must carry. */
export interface CallBinding {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** URL the caller sends the request to (never a SAS URL). */
  readonly uri: string;
  /** The audience whose tokens the target accepts: the caller requests its identifier URI. */
  readonly audience: Audience;
  /** JSON body naming the caller. */
  readonly body: Readonly<Record<string, string>>;
  /** Resources the calling action is created after (the target's trigger or API operation). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/** Options a target may read when it is bound to a call. */
export interface BindCallOptions {
  /**
   * The API operation to call (targets with operations only).
   * @default the target's first operation
   */
  readonly operation?: ApiOperation;
}

/**
 * Something a workflow can call with an Entra token: a receiver workflow's Request trigger or an
 * Entra-protected API Management API. `CallerWorkflow.call(target)` asks the target for its binding;
 * admitting the caller stays the target's side (`allowCaller`).
 */
export interface ICallTarget extends IConstruct {
  /** Returns the request `callerName` sends to reach this target. */
  bindCall(callerName: string, options?: BindCallOptions): CallBinding;
}
