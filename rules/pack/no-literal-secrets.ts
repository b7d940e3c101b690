import { describeReference } from '../../model/describe';
import { referencesIn, TerraformValue } from '../../model/stack-model';
import { isSecretAttribute, SECRET_PATTERNS } from '../helpers';
import type { RawFinding, Rule } from '../rule';

const SECRET_KEYS = /^(password|clientsecret|client_secret|secret|pfx|sharedaccesskey|accountkey|apikey|api-key|x-api-key|ocp-apim-subscription-key)$/i;
const TYPES = ['azurerm_logic_app_action_custom', 'azurerm_logic_app_trigger_custom', 'azurerm_logic_app_action_http', 'azurerm_logic_app_workflow'];

function literalSecrets(definition: TerraformValue, path = ''): string[] {
  const found: string[] = [];
  if (definition && typeof definition === 'object') {
    for (const [key, value] of Object.entries(definition)) {
      const here = path ? `${path}.${key}` : key;
      if (typeof value === 'string' && SECRET_KEYS.test(key) && value !== '' && !value.startsWith('@') && !/^\$\{[^}]+\}$/.test(value)) {
        found.push(`${here} is a literal value`);
      } else {
        found.push(...literalSecrets(value, here));
      }
    }
  }
  return found;
}

function definitionParts(config: TerraformValue, type: string): TerraformValue {
  if (type === 'azurerm_logic_app_workflow') return { parameters: config.parameters, workflow_parameters: config.workflow_parameters };
  if (type === 'azurerm_logic_app_action_http') return { uri: config.uri, headers: config.headers, body: config.body, queries: config.queries };
  try {
    return JSON.parse(String(config.body));
  } catch {
    return { body: config.body }; // a computed body: scan it as text
  }
}

export const rule: Rule = {
  id: 'LA003',
  severity: 'error',
  title: 'A literal secret in a workflow definition (password, client secret, key, PEM/PFX blob, JWT, connection-string key)',
  prevents: 'secret readable by anyone with read access to the workflow, its run history or the Terraform state',
  suppressOn: 'the action, trigger or workflow',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const r of ctx.model.resources.filter((res) => TYPES.includes(res.type))) {
      const parts = definitionParts(r.config, r.type);
      const text = JSON.stringify(parts) ?? '';
      const problems = [
        ...SECRET_PATTERNS.filter(([re]) => re.test(text)).map(([, what]) => what),
        ...literalSecrets(parts),
        ...referencesIn(text)
          .filter((ref) => ref.attribute !== 'callback_url' && isSecretAttribute(ref.address, ref.attribute))
          .map((ref) => `a reference to the secret {${describeReference(ctx.model, ref.address, ref.attribute)}}`),
      ];
      if (problems.length === 0) continue;
      findings.push({
        resource: r,
        message:
          `the workflow definition contains ${[...new Set(problems)].join(', ')}: anyone who can read the workflow or the state reads it; ` +
          'read secrets at run time from Key Vault with the managed identity (secure outputs) and reference them as @body(...)',
      });
    }
    return findings;
  },
};
