// npm run docs: rewrites the generated rule tables of README.md and docs/rules.md from the rule pack.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withRuleTable } from '../rules/docs';

for (const file of ['README.md', join('docs', 'rules.md')]) {
  const text = readFileSync(file, 'utf8');
  const updated = withRuleTable(text);
  if (updated === undefined) throw new Error(`${file} has no rule table markers; add them around the table`);
  if (updated !== text) {
    writeFileSync(file, updated);
    console.log(`updated ${file}`);
  }
}
