import { z } from 'zod';

/**
 * Optional stack `ci-identities`: the GitHub Actions plan and deploy identities as code (app registrations
 * with OIDC federated credentials, the plan-refresh custom role, their Azure roles and Microsoft Graph
 * application permissions), exactly the rights of docs/permissions.md. Applied once by an administrator.
 */
export const CiIdentitiesSchema = z
  .strictObject({
    githubRepository: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, { error: 'githubRepository is "<owner>/<repo>", e.g. "contoso/logic-apps-oauth"' })
      .describe('The repository whose workflows sign in (subject prefix repo:<owner>/<repo>).'),
    deploySubject: z
      .string()
      .regex(/^(ref:refs\/heads\/[^\s]+|environment:[^\s]+)$/, {
        error: 'deploySubject is "ref:refs/heads/<branch>" or "environment:<name>" (a protected branch or environment)',
      })
      .default('ref:refs/heads/main')
      .describe('What may sign in as the deploy identity: a protected branch or a GitHub environment. @default "ref:refs/heads/main"'),
    planScheduleSubject: z
      .string()
      .regex(/^(ref:refs\/heads\/[^\s]+|environment:[^\s]+)$/, {
        error: 'planScheduleSubject is "ref:refs/heads/<branch>" or "environment:<name>" (where the scheduled job runs, usually the default branch)',
      })
      .optional()
      .describe(
        'Also lets jobs on this branch or environment sign in as the (read-only) plan identity, e.g. a scheduled `npm run ip-drift` ' +
          '(a scheduled run presents repo:<owner>/<repo>:ref:refs/heads/<default branch>, not pull_request). @default none (pull requests only)',
      ),
  })
  .describe('Stack ci-identities (optional): the CI plan and deploy identities with GitHub OIDC federated credentials (docs/permissions.md).');

export type CiIdentitiesConfig = z.output<typeof CiIdentitiesSchema>;
