// Azure limits the config schema, the constructs and the rules all enforce.

export const LIMITS = {
  /** Authorization policies per workflow trigger. */
  policiesPerWorkflow: 5,
  /** Claims per authorization policy. */
  claimsPerPolicy: 10,
  /** Characters per claim value (InvalidOAuthClaimValue above it). */
  claimValueLength: 150,
  /** Workflow name pattern of azurerm_logic_app_workflow. */
  workflowName: /^[-()_.A-Za-z0-9]{1,80}$/,
} as const;
