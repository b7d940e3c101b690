// Words of the Logic Apps workflow definition that both the constructs (which write them) and the model
// (which recognizes them) need.

/**
 * Only requests carrying a Bearer token start a run. azurerm 4.55 cannot disable SAS on the trigger
 * (`sasAuthenticationPolicy` is dropped on every write), so a SAS-only call is Skipped by this
 * condition instead; the header is only visible to the condition with IncludeAuthorizationHeadersInOutputs.
 * The test is for `'Bearer '` with the space, so a header like `BearerX` does not pass.
 */
export const BEARER_ONLY_CONDITION = "@startsWith(triggerOutputs()?['headers']?['Authorization'], 'Bearer ')";

/** Trigger operation option that puts the Authorization header into the trigger outputs. */
export const INCLUDE_AUTHORIZATION_HEADERS = 'IncludeAuthorizationHeadersInOutputs';
