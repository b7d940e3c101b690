import { stepNameProblem } from '../../domain/parity';
import { isUnresolved } from '../../model/stack-model';
import type { Rule } from '../rule';

// Logic Apps refuses an action or trigger name over 80 characters at apply (domain/parity.ts,
// STEP_NAME_MAX); azurerm does not check it. Workflow checks the steps added under it; this rule sees
// every step resource in the synthesized JSON, also those a construct user adds beside the workflow.
export const rule: Rule = {
  id: 'LA025',
  severity: 'error',
  title: 'A Logic Apps action or trigger name longer than 80 characters',
  prevents: 'Logic Apps rejects the workflow definition at apply (azurerm does not check the length)',
  suppressOn: 'the action or trigger (a suppression cannot make Azure accept it)',
  check: (ctx) =>
    ctx.model.resources
      .filter((r) => /^azurerm_logic_app_(action|trigger)_/.test(r.type) && !r.address.startsWith('data.'))
      .flatMap((r) => {
        const name: unknown = (r.config as { name?: unknown } | undefined)?.name;
        if (typeof name !== 'string' || isUnresolved(name)) return [];
        const problem = stepNameProblem(name);
        return problem ? [{ resource: r, message: `${r.type} ${problem}` }] : [];
      }),
};
