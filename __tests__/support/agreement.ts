// The agreement check of the consistency test: for every call of a stack, the rules (LA001/LA004/
// LA005/LA006), the security report, check-token and the smoke plan say what the call's verdict
// (model/verdict.ts) says. Used by consistency.test.ts (named configs, hand-made variants) and by
// property.test.ts (every distinct stack of the valid generated configs).
import { simulatedBindings } from '../../model/entra';
import { buildStackModel, StackModel, TfJson } from '../../model/stack-model';
import { CallVerdict, predictCalls } from '../../model/verdict';
import { Finding, runRules } from '../../rules/engine';
import { renderReport } from '../../tools/report/render';
import { checkToken, EXIT, stateFromBindings } from '../../tools/check-token/check-token';
import { planSmoke } from '../../tools/smoke/smoke';

/** Evaluation time for simulated tokens (issued at 1700000000, valid for a day). */
export const NOW = 1700000100;

/** A JWT without signature (check-token verifies signatures only with --jwks). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

const RULES_ON_CALLS = ['LA001', 'LA004', 'LA005'];

/** What the rules say about one call: does a finding report it as not going as intended? */
function rulesFlag(findings: readonly Finding[], v: CallVerdict): boolean {
  const onAction = findings.some((f) => RULES_ON_CALLS.includes(f.ruleId) && f.address === v.call.action.address);
  const receiver = v.call.target.kind === 'workflow' ? v.call.target.workflow.address : undefined;
  const network = v.call.intent.kind === 'admit' && v.reasons.some((r) => r.stage === 'network');
  const onReceiver = network && findings.some((f) => f.ruleId === 'LA006' && f.address === receiver);
  return onAction || onReceiver;
}

/** The "Predicted" cell of the call's row in the report. */
function reportCell(report: string, v: CallVerdict): string {
  const start = `| ${v.call.caller.workflowName} (\`${v.call.caller.path}\`) action \`${v.call.action.actionName}\` |`;
  const rows = report.split('\n').filter((l) => l.startsWith(start));
  expect(rows).toHaveLength(1);
  const cells = rows[0].split(' | ');
  return cells[cells.length - 1];
}

/** Checks that the four readers agree on every call of `stack`; returns the verdicts. */
export async function expectAgreement(stack: { name: string; json: TfJson }): Promise<CallVerdict[]> {
  const model: StackModel = buildStackModel(stack);
  const verdicts = [...predictCalls(model)];
  const findings = runRules(model);
  const report = renderReport([stack], { rules: () => findings });
  const plan = planSmoke([model]);
  const state = stateFromBindings(simulatedBindings(model));
  for (const v of verdicts) {
    const label = `${stack.name}: ${v.call.id} (${v.outcome}${v.error ? ` ${v.error}` : ''})`;
    const target = v.call.target.kind === 'workflow' ? v.call.target.workflow.workflowName : `API ${v.call.target.api.apiName}`;

    // Rules: a finding on the call exactly when the outcome is not the intended one.
    expect([label, rulesFlag(findings, v)]).toEqual([label, v.asIntended === false]);

    // Report: the row says what the verdict says, and "Needs attention" lists it exactly when unintended.
    const cell = reportCell(report, v);
    const cellStart = { accepted: `accepted (${v.admittedBy})`, refused: `refused: ${v.error}**`, undecided: 'undecided (' }[v.outcome];
    expect([label, cell.replace(/^\*\*/, '').startsWith(cellStart)]).toEqual([label, true]);
    const attention = report.includes(`- ${v.call.caller.workflowName} -> ${target} is `);
    expect([label, attention]).toEqual([label, v.asIntended === false]);

    // Smoke: every decided call is planned, or its caller is listed as skipped with the reason (a receiver
    // that calls onward cannot be started through ARM); a planned call's expectation is the verdict in the
    // terms the run action shows: the Azure error of a trigger or of Entra, the HTTP status of an API.
    const planned = plan.workflows.flatMap((w) => (w.workflow === v.call.caller.workflowName ? w.calls : [])).find((c) => c.actionName === v.call.action.actionName);
    const skipped = plan.skipped.some((line) => line.startsWith(`${stack.name}: ${v.call.caller.workflowName}: `));
    if (v.outcome === 'undecided') {
      expect([label, planned]).toEqual([label, undefined]);
    } else if (skipped) {
      expect([label, planned]).toEqual([label, undefined]);
    } else {
      const first = v.reasons.find((r) => !r.unresolved);
      const expected =
        v.outcome === 'accepted'
          ? { kind: 'accepted' }
          : first!.stage === 'token'
            ? { kind: 'token-refused', error: v.error }
            : { kind: 'refused', error: first!.stage === 'api' ? String(first!.httpStatus ?? 401) : v.error };
      expect([label, planned && { kind: planned.expected.kind, ...('error' in planned.expected ? { error: planned.expected.error } : {}) }]).toEqual([label, expected]);
    }

    // check-token: the token Entra issues, against the target (the IP list is not the token's business).
    if (v.token) {
      const receiver = v.call.target.kind === 'workflow' ? v.call.target.workflow.workflowName : `api:${v.call.target.api.apiName}`;
      const result = await checkToken({ token: unsignedJwt({ ...v.token }), stacks: [model], stack: stack.name, receiver, state, now: NOW });
      const tokenRefused = v.reasons.some((r) => (r.stage === 'trigger' || r.stage === 'api') && !r.unresolved);
      expect([label, result.exitCode]).toEqual([label, tokenRefused ? EXIT.refused : EXIT.accepted]);
      expect(result.lines.join('\n')).not.toContain('${');
    } else {
      expect([label, v.tokenIssued === false || v.call.authType === undefined]).toEqual([label, true]);
    }
  }
  return verdicts;
}

