import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..');
const FILE = join(ROOT, '.github', 'workflows', 'ci.yml');

interface Step {
  name?: string;
  if?: string;
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

const workflow = parse(readFileSync(FILE, 'utf8')) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
};
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').filter(Boolean);
const uses = (job: Job) => job.steps.map((s) => s.uses ?? '').filter(Boolean);

test('runs on pull requests and pushes, read-only by default', () => {
  expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
  expect(workflow.permissions).toEqual({ contents: 'read' });
  expect(Object.keys(workflow.jobs).sort()).toEqual(['access-diff', 'azure-credentials', 'plan', 'test']);
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

test('the cdktf CLI\'s checkpoint lookup (version check, telemetry) is off for every job', () => {
  expect(workflow.env).toMatchObject({ CHECKPOINT_DISABLE: '1' });
});

test('docs that tell to run `npx cdktf synth|diff|deploy` say to set CHECKPOINT_DISABLE=1 (offline its lookup prints an [ERROR] line)', () => {
  const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const running = docs.filter((file) => /`npx cdktf (synth|diff|deploy)\b|^npx cdktf (synth|diff|deploy)\b/m.test(readFileSync(join(ROOT, file), 'utf8')));
  expect(running.length).toBeGreaterThan(0);
  expect(running.filter((file) => !readFileSync(join(ROOT, file), 'utf8').includes('CHECKPOINT_DISABLE=1'))).toEqual([]);
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

// ---- access-diff job: synthesize base and head, diff, job summary, one pull-request comment ----

describe('access-diff job', () => {
  const job = () => workflow.jobs['access-diff'];
  const step = (name: string) => {
    const found = job().steps.find((s) => s.name === name);
    if (!found) throw new Error(`no step "${name}" in the access-diff job`);
    return found;
  };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ci-access-diff-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes an executable stub (bash) into <dir>/bin and returns that directory. */
  const stub = (name: string, body: string): string => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
    return bin;
  };
  /** Runs a step's script as GitHub does on Linux (bash -e -o pipefail, no startup files). */
  const runStep = (script: string, cwd: string, env: Record<string, string>) => {
    const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, ...files, ...env },
      encoding: 'utf8',
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, output: readFileSync(files.GITHUB_OUTPUT, 'utf8'), summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') };
  };

  test('pull requests only, no Azure credentials, may write one comment; steps in order', () => {
    expect(job().if).toBe("github.event_name == 'pull_request'");
    expect(job().permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const text = JSON.stringify(job());
    expect(text).not.toMatch(/AZURE_|ARM_|azure\/login|id-token/);
    expect(job().steps[0]).toEqual({ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } });
    expect(job().steps.map((s) => s.name ?? s.uses)).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'Install',
      'Synthesize head',
      'Synthesize base (merge base)',
      'Access diff',
      'Pull-request comment',
      'Require review of widening changes',
    ]);
    expect(step('Synthesize head').run).toBe('npm run synth');
    expect(step('Synthesize base (merge base)').env).toEqual({ BASE_SHA: '${{ github.event.pull_request.base.sha }}' });
    expect(step('Access diff').if).toBe("steps.base.outputs.synthesized == 'true'");
    expect(step('Pull-request comment').if).toBe("steps.diff.outcome == 'success'");
    expect(step('Pull-request comment').env).toEqual({ GH_TOKEN: '${{ github.token }}', REPO: '${{ github.repository }}', PR_NUMBER: '${{ github.event.pull_request.number }}' });
    expect(step('Require review of widening changes').if).toBe("steps.diff.outputs.widens == 'true' && vars.ACCESS_DIFF_FAIL_ON == 'widen'");
  });

  /**
   * A git repository with a base commit and a head commit on top; the head has node_modules installed.
   * Built once per head lock file and copied for each test (the step adds a worktree to it): 12 git
   * processes for the three tests instead of 24, and git's automatic maintenance after each commit (a
   * process of its own) is off; the repositories are the same.
   */
  const templates = new Map<string, { root: string; base: string }>();
  const templatesDir = mkdtempSync(join(tmpdir(), 'ci-access-diff-repos-'));
  afterAll(() => rmSync(templatesDir, { recursive: true, force: true }));
  const repo = (headLock: string) => {
    let template = templates.get(headLock);
    if (!template) {
      const root = join(templatesDir, String(templates.size));
      mkdirSync(join(root, 'node_modules'), { recursive: true });
      const env = {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'maintenance.auto',
        GIT_CONFIG_VALUE_0: 'false',
      };
      const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', env }).trim();
      git('init', '-q', '-b', 'main');
      writeFileSync(join(root, '.gitignore'), 'node_modules\n');
      writeFileSync(join(root, 'package-lock.json'), 'lock 1\n');
      git('add', '-A');
      git('commit', '-qm', 'base');
      const base = git('rev-parse', 'HEAD');
      writeFileSync(join(root, 'package-lock.json'), headLock);
      writeFileSync(join(root, 'change.txt'), 'head\n');
      git('add', '-A');
      git('commit', '-qm', 'head');
      template = { root, base };
      templates.set(headLock, template);
    }
    const root = join(dir, 'repo');
    cpSync(template.root, root, { recursive: true });
    return { root, base: template.base };
  };
  // npm stub: logs "<cwd> <args>"; `run synth` writes a manifest unless NPM_FAIL_SYNTH is set.
  const npmStub = () =>
    stub('npm', `echo "$PWD $*" >> "${join(dir, 'npm.log')}"\nif [ "$1 $2" = "run synth" ]; then\n  [ -n "\${NPM_FAIL_SYNTH:-}" ] && exit 1\n  mkdir -p cdktf.out && echo '{"stacks":{}}' > cdktf.out/manifest.json\nfi\nexit 0`);

  test('base: a worktree of the merge base, synthesized with the head\'s node_modules when the lock file is the same', () => {
    npmStub();
    const { root, base } = repo('lock 1\n');
    const runnerTemp = join(dir, 'runner-temp');
    mkdirSync(runnerTemp);
    const r = runStep(step('Synthesize base (merge base)').run!, root, { BASE_SHA: base, RUNNER_TEMP: runnerTemp });
    expect(r.status).toBe(0);
    const worktree = join(runnerTemp, 'access-diff-base');
    expect(r.output).toBe(`synthesized=true\ndir=${worktree}/cdktf.out\n`);
    expect(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: worktree, encoding: 'utf8' }).trim()).toBe(base);
    expect(existsSync(join(worktree, 'change.txt'))).toBe(false);
    expect(realpathSync(join(worktree, 'node_modules'))).toBe(realpathSync(join(root, 'node_modules')));
    expect(readFileSync(join(dir, 'npm.log'), 'utf8')).toBe(`${worktree} run synth\n`);
    expect(existsSync(join(worktree, 'cdktf.out', 'manifest.json'))).toBe(true);
  });

  test('base: its own npm ci when its lock file differs; a base that does not synthesize skips with a notice', () => {
    npmStub();
    const { root, base } = repo('lock 2\n');
    const runnerTemp = join(dir, 'runner-temp');
    mkdirSync(runnerTemp);
    const r = runStep(step('Synthesize base (merge base)').run!, root, { BASE_SHA: base, RUNNER_TEMP: runnerTemp, NPM_FAIL_SYNTH: '1' });
    expect(r.status).toBe(0);
    const worktree = join(runnerTemp, 'access-diff-base');
    expect(readFileSync(join(dir, 'npm.log'), 'utf8')).toBe(`${worktree} ci --no-audit --no-fund\n${worktree} run synth\n`);
    expect(r.output).toBe('synthesized=false\n');
    expect(r.stdout).toContain(`::notice title=Access diff skipped::the merge base ${base} does not synthesize, so there is nothing to compare with`);
    expect(r.summary).toBe(`# Access changes\n\nNot computed: the merge base ${base} does not synthesize.\n`);
  });

  test('base: an unknown base commit skips with a notice', () => {
    npmStub();
    const { root } = repo('lock 1\n');
    const r = runStep(step('Synthesize base (merge base)').run!, root, { BASE_SHA: 'f'.repeat(40), RUNNER_TEMP: dir });
    expect(r.status).toBe(0);
    expect(r.output).toBe('synthesized=false\n');
    expect(r.summary).toContain(`Not computed: no merge base with ${'f'.repeat(40)} in the clone.`);
  });

  test.each([
    [0, 'widens=false\n'],
    [1, 'widens=true\n'],
  ])('diff: report exit %i writes the summary and widens output', (exit, output) => {
    stub('npm', `echo "$*" > "${join(dir, 'npm.log')}"\nwhile [ $# -gt 0 ]; do [ "$1" = --out ] && echo "# Access changes (stub)" > "$2"; shift; done\nexit ${exit}`);
    const r = runStep(step('Access diff').run!, dir, { BASE_DIR: '/base/cdktf.out' });
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'npm.log'), 'utf8')).toBe('run --silent report -- --base /base/cdktf.out cdktf.out --changes-only --fail-on widen --out access-diff.md\n');
    expect(r.summary).toBe('# Access changes (stub)\n');
    expect(r.output).toBe(output);
  });

  test('diff: a report error (exit 2) fails the step', () => {
    stub('npm', 'echo "report: cannot read" >&2; exit 2');
    const r = runStep(step('Access diff').run!, dir, { BASE_DIR: '/base/cdktf.out' });
    expect(r.status).toBe(2);
    expect(r.summary).toBe('');
    expect(r.output).toBe('');
  });

  test('diff: exit 1 without a written diff (a crash, not "widens") fails the step', () => {
    stub('npm', 'echo "TypeError: boom" >&2; exit 1');
    const r = runStep(step('Access diff').run!, dir, { BASE_DIR: '/base/cdktf.out' });
    expect(r.status).toBe(3);
    expect(r.summary).toBe('');
    expect(r.output).toBe('');
  });

  // gh stub: `api --paginate <list url> --jq F` prints $GH_LIST (or fails with GH_LIST_FAILS); other calls
  // log "<method> <url> <body>" and fail with GH_WRITE_FAILS.
  const ghStub = () =>
    stub(
      'gh',
      [
        'log="' + join(dir, 'gh.log') + '"',
        'if [ "$2" = --paginate ]; then echo "list $3" >> "$log"; [ -n "${GH_LIST_FAILS:-}" ] && exit 1; printf "%s" "${GH_LIST:-}"; exit 0; fi',
        'method="$3"; url="$4"; body="${6#body=}"',
        'printf "%s %s\\n%s\\n" "$method" "$url" "$body" >> "$log"',
        '[ -n "${GH_WRITE_FAILS:-}" ] && exit 1',
        'exit 0',
      ].join('\n'),
    );
  const commentEnv = { GH_TOKEN: 't', REPO: 'contoso/orders', PR_NUMBER: '7' };
  const MARKER = '<!-- logic-apps-oauth: access diff -->';

  test('comment: updates the marked comment when there is one, else creates it', () => {
    ghStub();
    writeFileSync(join(dir, 'access-diff.md'), '# Access changes\n\nNo access changes.\n');
    const update = runStep(step('Pull-request comment').run!, dir, { ...commentEnv, GH_LIST: '42\n99\n' });
    expect(update.status).toBe(0);
    expect(readFileSync(join(dir, 'gh.log'), 'utf8')).toBe(
      `list repos/contoso/orders/issues/7/comments\nPATCH repos/contoso/orders/issues/comments/42\n${MARKER}\n# Access changes\n\nNo access changes.\n`,
    );
    rmSync(join(dir, 'gh.log'));
    const create = runStep(step('Pull-request comment').run!, dir, { ...commentEnv, GH_LIST: '' });
    expect(create.status).toBe(0);
    expect(readFileSync(join(dir, 'gh.log'), 'utf8')).toBe(`list repos/contoso/orders/issues/7/comments\nPOST repos/contoso/orders/issues/7/comments\n${MARKER}\n# Access changes\n\nNo access changes.\n`);
  });

  test('comment: without write access (a fork) it leaves a notice and does not fail', () => {
    ghStub();
    writeFileSync(join(dir, 'access-diff.md'), 'x\n');
    for (const env of [{ GH_LIST_FAILS: '1' }, { GH_WRITE_FAILS: '1' }] as Array<Record<string, string>>) {
      const r = runStep(step('Pull-request comment').run!, dir, { ...commentEnv, ...env });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^::notice title=Access diff comment not posted::.*; the access diff is in the job summary\n$/);
    }
  });

  test('comment: a diff longer than a comment allows is cut with a pointer to the job summary', () => {
    ghStub();
    writeFileSync(join(dir, 'access-diff.md'), `${'x'.repeat(70000)}\n`);
    const r = runStep(step('Pull-request comment').run!, dir, commentEnv);
    expect(r.status).toBe(0);
    const body = readFileSync(join(dir, 'gh.log'), 'utf8').split('\n').slice(2).join('\n');
    expect(body.length).toBeLessThan(65536); // GitHub's limit for a comment body
    expect(body).toMatch(/\n\n_Truncated: the whole access diff is in the job summary of this run\._\n$/);
  });

  const hasJq = spawnSync('jq', ['--version']).status === 0;
  (hasJq ? test : test.skip)('comment: the --jq filter picks only the marked comments of the Actions bot', () => {
    const script = step('Pull-request comment').run!;
    const filter = /--jq "((?:[^"\\]|\\.)*)"/.exec(script)![1].replace(/\\"/g, '"').replace('$marker', MARKER);
    const comments = [
      { id: 1, user: { login: 'octocat' }, body: `${MARKER}\nquoted by a person` },
      { id: 2, user: { login: 'github-actions[bot]' }, body: 'another bot message' },
      { id: 3, user: { login: 'github-actions[bot]' }, body: `${MARKER}\n# Access changes` },
    ];
    const out = execFileSync('jq', ['-r', filter], { input: JSON.stringify(comments), encoding: 'utf8' });
    expect(out).toBe('3\n');
  });

  test('require review: fails with an error annotation', () => {
    const r = runStep(step('Require review of widening changes').run!, dir, {});
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('::error title=Access widens::this pull request widens who may call whom; see the job summary\n');
  });
});
