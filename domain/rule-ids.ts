// The ids of the synth-time rules. Ids are a public contract: suppressions written on constructs
// reference them. The rule pack (rules/) defines each rule; a test keeps this list equal to the pack.

export const RULE_IDS = [
  'LA001', 'LA002', 'LA003', 'LA004', 'LA005', 'LA006', 'LA007', 'LA008', 'LA009', 'LA010', 'LA011', 'LA012',
  'LA013', 'LA014', 'LA015', 'LA016', 'LA017', 'LA018', 'LA019', 'LA020', 'LA021', 'LA022', 'LA023', 'LA024',
  'LA025',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(id: string): id is RuleId {
  return (RULE_IDS as readonly string[]).includes(id);
}
