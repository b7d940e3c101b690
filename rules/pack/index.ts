// The rule pack, in id order. Add a rule: a new file in this folder exporting `rule`, its id in
// domain/rule-ids.ts, a line here, then `npm run docs` to regenerate the rule tables.
import type { Rule } from '../rule';
import { rule as callerIsAdmitted } from './caller-is-admitted';
import { rule as noSasInCall } from './no-sas-in-call';
import { rule as noLiteralSecrets } from './no-literal-secrets';
import { rule as audienceExists } from './audience-exists';
import { rule as managedIdentityCanGetToken } from './managed-identity-can-get-token';
import { rule as triggerIpListAdmitsCallers } from './trigger-ip-list-admits-callers';
import { rule as policyCountLimit } from './policy-count-limit';
import { rule as claimCountLimit } from './claim-count-limit';
import { rule as claimValueLength } from './claim-value-length';
import { rule as policyIssuer } from './policy-issuer';
import { rule as validIpRanges } from './valid-ip-ranges';
import { rule as workflowName } from './workflow-name';
import { rule as secureStepData } from './secure-step-data';
import { rule as keyVaultRbac } from './key-vault-rbac';
import { rule as keyVaultPurgeProtection } from './key-vault-purge-protection';
import { rule as secretRoleScopedToOneSecret } from './secret-role-scoped-to-one-secret';
import { rule as apiHttpsOnly } from './api-https-only';
import { rule as apiValidatesTokens } from './api-validates-tokens';
import { rule as tokenValidationPinsCallers } from './token-validation-pins-callers';
import { rule as audienceRequiresRoleAssignment } from './audience-requires-role-assignment';
import { rule as sensitiveOutputs } from './sensitive-outputs';
import { rule as bearerOnlyTrigger } from './bearer-only-trigger';
import { rule as runHistoryRestricted } from './run-history-restricted';
import { rule as noOpenIpRanges } from './no-open-ip-ranges';
import { rule as stepNameLength } from './step-name-length';

export const RULES: readonly Rule[] = [
  callerIsAdmitted,
  noSasInCall,
  noLiteralSecrets,
  audienceExists,
  managedIdentityCanGetToken,
  triggerIpListAdmitsCallers,
  policyCountLimit,
  claimCountLimit,
  claimValueLength,
  policyIssuer,
  validIpRanges,
  workflowName,
  secureStepData,
  keyVaultRbac,
  keyVaultPurgeProtection,
  secretRoleScopedToOneSecret,
  apiHttpsOnly,
  apiValidatesTokens,
  tokenValidationPinsCallers,
  audienceRequiresRoleAssignment,
  sensitiveOutputs,
  bearerOnlyTrigger,
  runHistoryRestricted,
  noOpenIpRanges,
  stepNameLength,
];
