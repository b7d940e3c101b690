// Additions to the Entra simulation (tools/entra-sim.ts) that the report and the token check need:
// - bindings for every workflow's principal id, also when nothing else references it (a probe's oid);
// - `data.azuread_service_principal { object_id = <workflow principal id> }.client_id` bound to the client
//   id the simulation puts in that workflow's tokens (`appid`/`azp`), so an APIM client-application-ids
//   list built from it matches, as it does in Azure;
// - tokens obtained with client credentials (`ActiveDirectoryOAuth` + certificate, the cross-tenant route).
// These belong in entra-sim.ts eventually; kept here so that module's owners decide.
import { audClaimFor, issuerFor } from '../constructs/entra';
import { Bindings, bind, grantedRoles, simulatedBindings, simulatedIdentityClientId, simulatedTenant } from './entra-sim';
import { appForAudience, Json, referencesIn, StackModel } from './synth-model';
import type { TokenClaims } from './token-eval';

/** simulatedBindings plus the missing principal ids and managed-identity client ids. */
export function reportBindings(model: StackModel): Bindings {
  const extra = model.workflows.map((wf) => `\${${wf.principalIdRef}}`);
  const bindings = simulatedBindings({ ...model, json: { ...model.json, output: { ...(model.json.output ?? {}), '//report-principals': { value: extra } } } });
  for (const sp of model.resources.filter((r) => r.type === 'azuread_service_principal' && r.address.startsWith('data.'))) {
    const objectId = referencesIn(String(sp.config.object_id ?? '')).find((ref) => ref.address.startsWith('azurerm_logic_app_workflow.'));
    const workflow = objectId && model.workflows.find((wf) => wf.address === objectId.address);
    if (workflow) bindings[`${sp.address}.client_id`] = simulatedIdentityClientId(workflow.principalIdRef);
  }
  return bindings;
}

export type ClientCredentialsResult =
  | { readonly issued: true; readonly claims: TokenClaims }
  | { readonly issued: false; readonly error: string; readonly message: string };

/** What Entra answers to a client-credentials (certificate) token request described by an HTTP action's authentication. */
export function issueClientCredentialsToken(model: StackModel, auth: Json, bindings: Bindings): ClientCredentialsResult {
  const tenant = bind(String(auth?.tenant ?? ''), bindings);
  const audience = String(auth?.audience ?? '');
  const app = appForAudience(model, audience);
  if (!app || simulatedTenant(app.provider) !== tenant) {
    return { issued: false, error: 'AudienceNotFound', message: `no application with identifier "${audience}" in tenant ${tenant} (AADSTS500011)` };
  }
  const client = model.apps.find((a) => a.clientIdRef === auth?.clientId);
  if (!client || simulatedTenant(client.provider) !== tenant) {
    return { issued: false, error: 'ClientNotFound', message: `client ${auth?.clientId} is not an application of tenant ${tenant} (AADSTS700016)` };
  }
  const hasCertificate = model.resources.some(
    (r) => r.type === 'azuread_application_certificate' && referencesIn(String(r.config.application_id)).some((ref) => ref.address === client.address),
  );
  if (auth?.credentialType === 'Certificate' && !hasCertificate) {
    return { issued: false, error: 'InvalidClientCredential', message: `${client.displayName} has no certificate credential (AADSTS700027)` };
  }
  const sp = client.servicePrincipals[0];
  const spObjectIdRef = sp ? `${sp.address}.object_id` : `${client.address}.object_id`;
  const roles = sp ? grantedRoles(model, app, spObjectIdRef) : [];
  if (app.servicePrincipals.some((s) => s.config.app_role_assignment_required === true) && roles.length === 0) {
    return { issued: false, error: 'AppRoleAssignmentRequired', message: `${client.displayName} has no app role on ${app.displayName} (AADSTS501051)` };
  }
  const clientId = bind(client.clientIdRef, bindings);
  const oid = bind(`\${${spObjectIdRef}}`, bindings);
  const version = app.tokenVersion;
  const claims: Record<string, unknown> = {
    aud: audClaimFor(version, bind(audience, bindings), bind(app.clientIdRef, bindings)),
    iss: issuerFor(version, tenant),
    oid,
    sub: oid,
    tid: tenant,
    iat: 1700000000,
    nbf: 1700000000,
    exp: 1700003600,
    ...(version === 2 ? { azp: clientId, azpacr: '2', ver: '2.0' } : { appid: clientId, appidacr: '2', idp: issuerFor(1, tenant), ver: '1.0' }),
  };
  if (roles.length) claims.roles = roles;
  return { issued: true, claims };
}
