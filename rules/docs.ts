// The rule table of README.md and docs/rules.md, generated from the rule pack (`npm run docs`); a test
// fails when a file's table differs from this output.
import { RULES } from './pack';

export const RULE_TABLE_START = '<!-- rule table: generated from rules/pack by `npm run docs`; do not edit -->';
export const RULE_TABLE_END = '<!-- end of rule table -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The Markdown rule table, with its start and end markers. */
export function ruleTable(): string {
  return [
    RULE_TABLE_START,
    '| Id | Severity | What it checks | Azure error or risk it prevents | Suppress on |',
    '| --- | --- | --- | --- | --- |',
    ...RULES.map((r) => `| ${r.id} | ${r.severity} | ${cell(r.title)} | ${cell(r.prevents)} | ${cell(r.suppressOn)} |`),
    RULE_TABLE_END,
  ].join('\n');
}

/** `text` with its rule table (between the markers) replaced by the generated one; undefined without markers. */
export function withRuleTable(text: string): string | undefined {
  const start = text.indexOf(RULE_TABLE_START);
  const end = text.indexOf(RULE_TABLE_END);
  if (start < 0 || end < start) return undefined;
  return text.slice(0, start) + ruleTable() + text.slice(end + RULE_TABLE_END.length);
}
