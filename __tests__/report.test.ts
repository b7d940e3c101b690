import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SynthStack } from '../model/stack-model';
import { readSynthStacks } from '../model/synth-output';
import { renderReport } from '../tools/report/render';
import { runReport } from '../tools/report/command';
import { runInProcess } from './support/in-process';
import { Finding } from '../rules/engine';
import { synthApp, SynthOutput } from './support/synth';

const FIXTURES = join(__dirname, 'fixtures', 'report');

function stacksOf(output: SynthOutput): SynthStack[] {
  return Object.entries(output.json).map(([name, json]) => ({ name, json }));
}

/** The lines of one "## Stack X" section. */
function section(report: string, stack: string): string[] {
  const lines = report.split('\n');
  const start = lines.indexOf(`## Stack ${stack}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines.slice(start, end < 0 ? undefined : end);
}

/** The message of a finding as the report's rule table shows it (cells escape "|"). */
function renderedMessage(report: string, id: string, path: string): string {
  const row = report.split('\n').find((l) => l.startsWith(`| error | ${id} | \`${path}\` | `));
  expect(row).toBeDefined();
  return row!.split(' | ')[3].replace(/\\\|/g, '|');
}

function fixture(name: string): SynthStack[] {
  return readSynthStacks(FIXTURES).filter((s) => s.name === name);
}

let ours: SynthStack[];
let report: string;
beforeAll(() => {
  ours = stacksOf(synthApp());
  report = renderReport(ours, { rules: null });
});

describe('our synthesized stacks', () => {
  test('snapshot', () => {
    expect(report).toMatchSnapshot();
  });

  test('deterministic and free of machine paths and timestamps', () => {
    expect(renderReport([...ours].reverse(), { rules: null })).toBe(report);
    expect(report).not.toMatch(/\/tmp\/|\/home\/|\d{4}-\d{2}-\d{2}T/);
  });

  test('the receiver shows its pinned caller, readable IP ranges, SAS stance and run-history protection', () => {
    const lines = section(report, 'logic-apps-oauth');
    expect(lines).toContain('- Trigger IP ranges: outbound IPs of la-oauth-send (/32 for bare addresses, ranges as they are)');
    expect(lines).toContain('- SAS: `manual`: Bearer-only condition (SAS-only calls are skipped)');
    expect(lines).toContain('- Run history: blocked (`0.0.0.0-0.0.0.0`: run-history inputs and outputs readable from nowhere)');
    expect(lines).toContain(
      '| allow-la-oauth-send | la-oauth-send (`logic-apps-oauth/Sender-send/Resource`) by oid | `api://{client id of la-oauth-logic-apps-audience}` | `https://sts.windows.net/{tenant id of provider azuread}/` | - |',
    );
    expect(lines).toContain('Nothing needs attention.');
  });

  test('senders, probes, receivers and APIs are drawn in four different shapes', () => {
    const shapes = (name: string) => [...report.matchAll(new RegExp(`^    s\\d+n\\d+(\\W+)"${name}"`, 'gm'))].map((m) => m[1]);
    expect(shapes('la-oauth-send')).toEqual(['([']);
    expect(shapes('la-oauth-receive-naughty')).toEqual(['{{']);
    expect(shapes('la-oauth-receive')).toEqual(['[']);
    expect(shapes('API logic-apps-api')).toEqual(['[/', '[/']);
  });

  test('the allowed sender is accepted and the probe is drawn refused with the Azure error', () => {
    const mermaid = report.slice(report.indexOf('```mermaid'), report.indexOf('```', report.indexOf('```mermaid') + 3));
    expect(mermaid).toMatch(/s\d+n\d+ -->\|"accepted: policy allow-la-oauth-send"\| s\d+n\d+/);
    expect(mermaid).toMatch(/s\d+n\d+ -\.->\|"refused: MisMatchingOAuthClaims \(probe\)"\| s\d+n\d+/);
    expect(mermaid).toMatch(/linkStyle [\d,]+ stroke:#c00/);
    const probeRow = section(report, 'logic-apps-oauth').find((l) => l.startsWith('| la-oauth-receive-naughty'));
    expect(probeRow).toContain('**refused: MisMatchingOAuthClaims**');
    expect(probeRow).toContain('aud expected api://{client id of la-oauth-logic-apps-audience}, got https://management.azure.com/');
    expect(probeRow).toContain('expected, probe: wrong-audience probe');
  });

  test.each(['apim-managed-identity', 'apim-cross-tenant'])('%s: the API section names tenant, clients and audience, and the caller is accepted', (stack) => {
    const lines = section(report, stack);
    expect(lines.some((l) => /^- API policy \(`azurerm_api_management_api_policy\.[^`]+`\): `validate-azure-ad-token` \(failure: HTTP 401\)$/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('  - Issuer tenant: `{tenant id of provider azuread'))).toBe(true);
    expect(lines.some((l) => l.startsWith('  - Allowed clients (appid/azp): `{client id of'))).toBe(true);
    expect(lines.some((l) => l.startsWith('  - Audiences: `api://{client id of'))).toBe(true);
    const callRows = lines.filter((l) => l.includes('action `Call_'));
    expect(callRows.length).toBeGreaterThan(0);
    for (const row of callRows) expect(row).toContain('accepted (API policy validate-azure-ad-token)');
  });

  test('token- and secret-bearing actions are listed with their run-history protection', () => {
    const lines = section(report, 'logic-apps-oauth');
    expect(lines).toContain(
      '| la-oauth-send / `Call_1` | ManagedServiceIdentity token | secure inputs and outputs | blocked (`0.0.0.0-0.0.0.0`: run-history inputs and outputs readable from nowhere) |',
    );
  });
});

describe('rule findings', () => {
  test('without an engine the report says so', () => {
    expect(report).toContain('_Rules not run; rule findings are not part of this report._');
  });

  test('open and suppressed findings are listed, suppressed ones with their reason', () => {
    const findings: Finding[] = [
      { ruleId: 'LA002', severity: 'warning', stack: 'logic-apps-oauth', path: 'logic-apps-oauth/Probe-receive/Call-1', address: 'x.y', message: 'audience is not issued here', suppressed: 'wrong-audience probe' },
      { ruleId: 'LA001', severity: 'error', stack: 'logic-apps-oauth', path: 'logic-apps-oauth/Receiver-receive/Resource', address: 'x.z', message: 'no policy | fix it' },
    ];
    const withRules = renderReport(ours, { rules: (model) => (model.name === 'logic-apps-oauth' ? findings : []) });
    const lines = section(withRules, 'logic-apps-oauth');
    expect(lines).toContain('| error | LA001 | `logic-apps-oauth/Receiver-receive/Resource` | no policy \\| fix it | **open** |');
    expect(lines).toContain('| warning | LA002 | `logic-apps-oauth/Probe-receive/Call-1` | audience is not issued here | suppressed: wrong-audience probe |');
    expect(lines).toContain('- error LA001 on logic-apps-oauth/Receiver-receive/Resource');
    expect(lines.join('\n')).not.toContain('warning LA002 on');
    expect(section(withRules, 'logic-apps-oauth').indexOf('| error | LA001 | `logic-apps-oauth/Receiver-receive/Resource` | no policy \\| fix it | **open** |')).toBeLessThan(
      lines.findIndex((l) => l.startsWith('| warning | LA002')),
    );
  });

  test('with the project rule pack: the probe is refused as intended, so no finding and nothing needs attention', () => {
    const lines = section(renderReport(ours), 'logic-apps-oauth');
    expect(lines.slice(lines.indexOf('### Rule findings'))).toContain('No findings.');
    expect(lines).toContain('Nothing needs attention.');
  });

  test('with the project rule engine: fixture problems are open findings and need attention', () => {
    const text = renderReport(readSynthStacks(FIXTURES));
    expect(section(text, 'wrong-audience').some((l) => l.startsWith('| error | LA004 | `wrong-audience/Typo/Call` |') && l.endsWith('| **open** |'))).toBe(true);
    expect(section(text, 'wrong-audience')).toContain('- error LA004 on wrong-audience/Typo/Call');
    expect(section(text, 'empty-ip-list').some((l) => l.startsWith('| error | LA006 | `empty-ip-list/Receiver/Resource` |'))).toBe(true);
  });
});

describe('hand-made fixtures', () => {
  // The fixtures stand for other apps' JSON, so they are written by hand; they are checked against the
  // pinned providers' arguments and against the workflow definitions of a live synth, so they cannot
  // drift into JSON that Terraform or Logic Apps would not take.
  test('use only arguments the pinned providers know, and workflow definition keys a live synth writes', () => {
    const argumentsOf = (type: string, data: boolean): Set<string> => {
      const provider = type.split('_')[0];
      const name = type.slice(provider.length + 1);
      const dir = `${data ? `data-${provider}-` : ''}${name.replace(/_/g, '-')}`;
      const dts = readFileSync(join(__dirname, '..', 'node_modules', '@cdktf', `provider-${provider}`, 'lib', dir, 'index.d.ts'), 'utf8');
      return new Set([...dts.matchAll(new RegExp(`/docs/(?:resources|data-sources)/${name}#([a-z0-9_]+) `, 'g'))].map((m) => m[1]));
    };
    const liveBodyKeys = new Map<string, Set<string>>();
    for (const json of Object.values(synthApp().json)) {
      for (const [type, items] of Object.entries(json.resource ?? {})) {
        for (const item of Object.values(items) as any[]) {
          if (typeof item.body === 'string') liveBodyKeys.set(type, new Set([...(liveBodyKeys.get(type) ?? []), ...Object.keys(JSON.parse(item.body))]));
        }
      }
    }
    const problems: string[] = [];
    const walk = (value: unknown, known: Set<string>, where: string) => {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, known, `${where}[${i}]`));
      else if (value && typeof value === 'object') {
        for (const [key, v] of Object.entries(value)) {
          if (key === '//') continue;
          if (!known.has(key)) problems.push(`${where}.${key}`);
          else if (key !== 'tags') walk(v, known, `${where}.${key}`);
        }
      }
    };
    const stacks = readSynthStacks(FIXTURES);
    expect(stacks.map((s) => s.name)).toEqual(['empty-ip-list', 'no-policy', 'wrong-audience']);
    for (const { name, json } of stacks) {
      for (const [block, data] of [['resource', false], ['data', true]] as const) {
        for (const [type, items] of Object.entries(json[block] ?? {})) {
          const known = argumentsOf(type, data);
          expect([type, known.size > 0]).toEqual([type, true]);
          for (const [id, item] of Object.entries(items)) {
            const where = `${name}: ${data ? 'data.' : ''}${type}.${id}`;
            walk(item, known, where);
            if (typeof (item as any).body === 'string') {
              const live = liveBodyKeys.get(type);
              if (!live) problems.push(`${where}: no ${type} with a body in the live synth`);
              else for (const key of Object.keys(JSON.parse((item as any).body))) if (!live.has(key)) problems.push(`${where}.body.${key}`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('snapshot of all fixtures', () => {
    expect(renderReport(readSynthStacks(FIXTURES), { rules: null })).toMatchSnapshot();
  });

  test('a receiver with no policy is called out, with SAS and open run history', () => {
    const text = renderReport(fixture('no-policy'), { rules: null });
    const lines = section(text, 'no-policy');
    expect(lines).toContain('**No authorization policy: no caller can present a token this receiver accepts (only SAS, if enabled).**');
    expect(lines).toContain('- receiver fx-open-receiver has no authorization policy');
    expect(lines).toContain('- receiver fx-open-receiver accepts SAS calls (no Bearer-only condition)');
    expect(lines).toContain('- receiver fx-open-receiver does not restrict run-history access');
    expect(lines).toContain('- Trigger IP ranges: **any IP** (no trigger access control)');
    expect(lines.find((l) => l.startsWith('| fx-sender'))).toContain('**refused: MisMatchingOAuthClaims** (the receiver has no authorization policy: no token is accepted)');
  });

  test('a sender with the wrong audience is refused, plainly and not as a probe', () => {
    const text = renderReport(fixture('wrong-audience'), { rules: null });
    const lines = section(text, 'wrong-audience');
    expect(lines).toContain('- fx-typo-sender -> fx-receiver is refused: AudienceNotFound');
    expect(lines).toContain('- fx-arm-sender -> fx-receiver is refused: MisMatchingOAuthClaims');
    const arm = lines.find((l) => l.startsWith('| fx-arm-sender'))!;
    expect(arm).toContain('closest policy allow-arm: aud expected api://{client id of wrong-audience-audience}, got https://management.azure.com/');
    expect(arm).not.toContain('probe');
    expect(text).toMatch(/-\.->\|"refused: AudienceNotFound"\|/);
  });

  test('an empty trigger IP list is shown as "only other Logic Apps" and the call as refused', () => {
    const text = renderReport(fixture('empty-ip-list'), { rules: null });
    const lines = section(text, 'empty-ip-list');
    expect(lines).toContain(
      '- Trigger IP ranges: **empty list: only other Logic Apps** (nested-workflow action); HTTP-action callers with a token get 401',
    );
    expect(lines).toContain('- receiver fx-receiver has an empty trigger IP list (HTTP-action callers get 401)');
    expect(text).toMatch(/-\.->\|"refused: EmptyTriggerIpList"\|/);
    expect(lines).toContain('- fx-sender -> fx-receiver is refused: EmptyTriggerIpList');
  });

  test('no stacks: a one-line hint', () => {
    expect(renderReport([], { rules: null })).toContain('No synthesized stacks found');
  });
});

// Which cases spawn: the command's logic runs in this process (runReport with its arguments and output
// sinks: exit code, stdout, stderr, the --out file; support/in-process.ts), without a child process's
// start-up (~0.12 s CPU). The --fail-on error gate also runs through the real entry in a child process
// (`node scripts/run-ts.cjs tools/report/main.ts`, what `npm run report` runs): the exit status CI reads,
// the whole Markdown through the real stdout, the error lines on the real stderr without a stack trace.
test('CLI: writes the same Markdown to stdout and --out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
  try {
    const out = join(dir, 'report.md');
    const report = (args: string[]) => runInProcess(({ stdout, stderr }) => runReport(args, { stdout: stdout.text, stderr: stderr.line }));
    const written = report([FIXTURES, '--out', out]);
    expect({ status: written.status, stderr: written.stderr }).toEqual({ status: 0, stderr: '' });
    const stdout = written.stdout;
    expect(readFileSync(out, 'utf8')).toBe(stdout);
    expect(stdout).toContain('## Stack empty-ip-list');
    // --fail-on error: the rules as a gate on any synth output (here other apps' JSON with open errors).
    // In process, and through the real entry in a child process: the same exit code and output.
    const gates = [
      report([FIXTURES, '--fail-on', 'error']),
      spawnSync(process.execPath, ['scripts/run-ts.cjs', 'tools/report/main.ts', FIXTURES, '--fail-on', 'error'], { cwd: join(__dirname, '..'), encoding: 'utf8' }),
    ];
    for (const gate of gates) {
      expect(gate.status).toBe(1);
      expect(gate.stdout).toBe(stdout);
      const errors = gate.stderr.trim().split('\n');
      expect(errors[0]).toMatch(/^report: \d+ open rule errors:$/);
      expect(errors).toContain('error LA004 wrong-audience/Typo/Call: ' + renderedMessage(stdout, 'LA004', 'wrong-audience/Typo/Call'));
      expect(gate.stderr).not.toMatch(/\n\s+at /);
    }
    expect(gates[0].stderr).toBe(gates[1].stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30000);
