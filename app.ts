import { App, AppConfig } from 'cdktf';
import type { Config } from './config/schema';
import { attachRules } from './rules/guard';
import { LOGIC_APPS_OAUTH_STACK, LogicAppsOauthStack } from './stacks/logic-apps-oauth-stack';
import { APIM_MANAGED_IDENTITY_STACK, ApimManagedIdentityStack } from './stacks/apim-managed-identity-stack';
import { APIM_CROSS_TENANT_STACK, ApimCrossTenantStack } from './stacks/apim-cross-tenant-stack';
import { CI_IDENTITIES_STACK, CiIdentitiesStack } from './stacks/ci-identities-stack';

/** Builds the stacks of the scenarios a validated configuration asks for. */
export function buildApp(config: Config, options: AppConfig = {}): App {
  const app = new App(options);
  // A stack per scenario section the configuration asks for (the embedded default asks for all three).
  if (config.logicAppsOauth) new LogicAppsOauthStack(app, LOGIC_APPS_OAUTH_STACK, config);
  if (config.apimManagedIdentity) new ApimManagedIdentityStack(app, APIM_MANAGED_IDENTITY_STACK, config);
  if (config.apimCrossTenant) new ApimCrossTenantStack(app, APIM_CROSS_TENANT_STACK, config);
  // Optional, applied once by an administrator: the CI identities of docs/permissions.md.
  if (config.ciIdentities) new CiIdentitiesStack(app, CI_IDENTITIES_STACK, config);
  // Synth-time rules (rules/): synth fails with one line per finding before any file is written.
  return attachRules(app);
}
