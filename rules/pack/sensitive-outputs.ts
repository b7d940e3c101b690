import { describeReference } from '../../model/describe';
import { referencesIn } from '../../model/stack-model';
import { isSecretAttribute, SAS_IN_URL, SECRET_PATTERNS } from '../helpers';
import type { RawFinding, Rule } from '../rule';

export const rule: Rule = {
  id: 'LA021',
  severity: 'error',
  title: 'An output that can carry a secret (callback URL, secret value, key, password, connection string) is not `sensitive`',
  prevents: 'the secret printed by `cdktf deploy`/`terraform output` and in CI logs',
  suppressOn: 'cannot be suppressed (outputs carry no annotation): mark the output sensitive',
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, output] of Object.entries(ctx.model.json.output ?? {})) {
      if (output?.sensitive === true) continue;
      const text = JSON.stringify(output?.value ?? '');
      const secretRef = referencesIn(text).find((ref) => isSecretAttribute(ref.address, ref.attribute));
      const literal = SAS_IN_URL.test(text) || SECRET_PATTERNS.some(([re]) => re.test(text));
      if (!secretRef && !literal) continue;
      findings.push({
        path: `${ctx.model.name}/output/${name}`,
        address: `output.${name}`,
        message: `output "${name}" carries ${secretRef ? `{${describeReference(ctx.model, secretRef.address, secretRef.attribute)}}` : 'secret material'} and is not sensitive: it is printed by deploy and terraform output; set sensitive: true (or do not output it)`,
      });
    }
    return findings;
  },
};
