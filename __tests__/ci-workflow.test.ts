import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const FILE = join(__dirname, '..', '.github', 'workflows', 'ci.yml');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  needs?: string[];
  if?: string;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
}

const workflow = parse(readFileSync(FILE, 'utf8')) as { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> };
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').filter(Boolean);
const uses = (job: Job) => job.steps.map((s) => s.uses ?? '').filter(Boolean);

test('runs on pull requests and pushes, read-only by default', () => {
  expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
  expect(workflow.permissions).toEqual({ contents: 'read' });
  expect(Object.keys(workflow.jobs).sort()).toEqual(['azure-credentials', 'plan', 'test']);
});

test('test job: npm ci, npm test, synth, report appended to the job summary, in that order', () => {
  const commands = runs(workflow.jobs.test);
  const at = (re: RegExp) => commands.findIndex((c) => re.test(c));
  const order = [/^npm ci\b/, /^npm test$/, /^npm run synth$/, /^npm run --silent report\b.*>> "\$GITHUB_STEP_SUMMARY"$/].map(at);
  expect(order.every((i) => i >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(uses(workflow.jobs.test)).toEqual(expect.arrayContaining(['actions/checkout@v4', 'actions/setup-node@v4']));
  expect(workflow.jobs.test.permissions).toBeUndefined(); // no id-token for untrusted pull-request code
});

test('azure-credentials job: checks the three repository variables and leaves a notice when any is missing', () => {
  const job = workflow.jobs['azure-credentials'];
  expect(job.outputs?.configured).toBe('${{ steps.check.outputs.configured }}');
  const step = job.steps.find((s) => (s as { id?: string }).id === 'check')!;
  expect(step.env).toEqual({
    AZURE_CLIENT_ID: '${{ vars.AZURE_CLIENT_ID }}',
    AZURE_TENANT_ID: '${{ vars.AZURE_TENANT_ID }}',
    AZURE_SUBSCRIPTION_ID: '${{ vars.AZURE_SUBSCRIPTION_ID }}',
  });
  expect(step.run).toContain('echo "configured=true" >> "$GITHUB_OUTPUT"');
  expect(step.run).toContain('echo "configured=false" >> "$GITHUB_OUTPUT"');
  expect(step.run).toMatch(/echo "::notice title=Plan skipped::.*AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_SUBSCRIPTION_ID.*docs\/permissions\.md\."/);
});

test('plan job: only with credentials, OIDC login, terraform, cdktf diff per stack', () => {
  const job = workflow.jobs.plan;
  expect(job.needs).toEqual(['test', 'azure-credentials']);
  expect(job.if).toBe("needs.azure-credentials.outputs.configured == 'true'");
  expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  // The whole environment, pinned: least privilege depends on it (docs/permissions.md).
  expect(job.env).toEqual({
    LOGIC_APPS_CONFIG: '${{ vars.LOGIC_APPS_CONFIG }}',
    ARM_USE_OIDC: 'true',
    ARM_CLIENT_ID: '${{ vars.AZURE_CLIENT_ID }}',
    ARM_TENANT_ID: '${{ vars.AZURE_TENANT_ID }}',
    ARM_SUBSCRIPTION_ID: '${{ vars.AZURE_SUBSCRIPTION_ID }}',
    ARM_RESOURCE_PROVIDER_REGISTRATIONS: 'none',
    TF_CLI_ARGS_plan: '-lock=false',
  });
  const login = job.steps.find((s) => s.uses === 'azure/login@v2')!;
  expect(login.with).toEqual({
    'client-id': '${{ vars.AZURE_CLIENT_ID }}',
    'tenant-id': '${{ vars.AZURE_TENANT_ID }}',
    'subscription-id': '${{ vars.AZURE_SUBSCRIPTION_ID }}',
  });
  expect(uses(job)).toContain('hashicorp/setup-terraform@v3');
  const commands = runs(job);
  expect(commands).toEqual(expect.arrayContaining(['npm ci --no-audit --no-fund', 'npm run synth']));
  const diff = commands.find((c) => c.includes('cdktf diff'))!;
  expect(diff).toContain('for dir in cdktf.out/stacks/*/; do');
  expect(diff).toContain('npx cdktf diff "$stack" --skip-synth --no-color');
  expect(diff).toMatch(/exit 1\s*\n\s*fi\s*$/);
});

test('the report step uses the npm script wired in package.json', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  expect(pkg.scripts.report).toBe('node scripts/run-ts.cjs tools/report/main.ts');
  expect(pkg.scripts.test).toBeDefined();
  expect(pkg.scripts.synth).toBeDefined();
});

test('the credentials check script behaves: notice and configured=false without variables, true with all three', () => {
  const script = workflow.jobs['azure-credentials'].steps[0].run!;
  const dir = mkdtempSync(join(tmpdir(), 'ci-check-'));
  try {
    const run = (env: Record<string, string>) => {
      const out = join(dir, `out-${Object.keys(env).length}`);
      // As GitHub runs a `run:` step on Linux (bash -e), without startup files: a shell started with a
      // bare environment may otherwise source ~/.bashrc (bash does when SHLVL is unset), 100 ms here.
      const stdout = execFileSync('bash', ['--noprofile', '--norc', '-e', '-c', script], { env: { PATH: process.env.PATH, GITHUB_OUTPUT: out, ...env }, encoding: 'utf8' });
      return { stdout, output: readFileSync(out, 'utf8') };
    };
    const none = run({ AZURE_CLIENT_ID: '', AZURE_TENANT_ID: 't' });
    expect(none.output).toBe('configured=false\n');
    expect(none.stdout).toMatch(/^::notice title=Plan skipped::/);
    const all = run({ AZURE_CLIENT_ID: 'c', AZURE_TENANT_ID: 't', AZURE_SUBSCRIPTION_ID: 's' });
    expect(all.output).toBe('configured=true\n');
    expect(all.stdout).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('plan identity: the custom role (docs/ci-plan-role.json and constructs/ci-roles.ts agree)', () => {
  const role = JSON.parse(readFileSync(join(__dirname, '..', 'docs', 'ci-plan-role.json'), 'utf8'));
  // Written out here, independently of the constant: exactly the POST reads a plan refresh makes.
  const EXPECTED = [
    'Microsoft.Logic/workflows/triggers/listCallbackUrl/action',
    'Microsoft.ApiManagement/service/portalsettings/listSecrets/action',
    'Microsoft.ApiManagement/service/tenant/listSecrets/action',
  ];

  test('the documented role holds exactly the plan-refresh actions, no data actions, no wildcards', () => {
    expect(role.Actions).toEqual(EXPECTED);
    expect(role.DataActions).toEqual([]);
    expect(role.NotActions).toEqual([]);
    expect(role.IsCustom).toBe(true);
    expect(role.Actions.some((a: string) => a.includes('*') || /register\/action$/.test(a))).toBe(false);
  });

  test('the code (optional CI stack) uses the same name, description and actions', () => {
    const roles = require('../constructs/ci-roles');
    expect([...roles.PLAN_REFRESH_ACTIONS]).toEqual(EXPECTED);
    expect(role.Name).toBe(roles.PLAN_REFRESH_ROLE_NAME);
    expect(role.Description).toBe(roles.PLAN_REFRESH_ROLE_DESCRIPTION);
  });
});
