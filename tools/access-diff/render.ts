// The "Access changes" section of `npm run report -- --base`: one table row per change, the trust-bearing
// resources Terraform would replace, and the head's call graph with added and removed calls marked.
// Deterministic (the diff is sorted; no paths of the machine, no timestamps).
import type { AccessChange, AccessDiff, EdgeChange, Severity } from './diff';
import { SEVERITY_ORDER } from './diff';

export const NO_ACCESS_CHANGES = 'No access changes.';

function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function severityCell(severity: Severity): string {
  return severity === 'widens' ? '**widens**' : severity;
}

function subjectCell(change: AccessChange): string {
  return `${change.subject.type} ${change.subject.name}`;
}

/** The table row of one change, as it appears in the report. */
export function changeRow(change: AccessChange): string {
  return `| ${[severityCell(change.severity), change.stack, subjectCell(change), change.caller?.name ?? '-', change.text].map(cell).join(' | ')} |`;
}

export function countBySeverity(diff: AccessDiff): Record<Severity, number> {
  const counts: Record<Severity, number> = { widens: 0, narrows: 0, neutral: 0 };
  for (const c of diff.changes) counts[c.severity]++;
  return counts;
}

function summary(diff: AccessDiff): string {
  const counts = countBySeverity(diff);
  const words: Record<Severity, [string, string]> = { widens: ['change widens', 'changes widen'], narrows: ['narrows', 'narrow'], neutral: ['neutral', 'neutral'] };
  return SEVERITY_ORDER.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${words[s][counts[s] === 1 ? 0 : 1]}`)
    .join(', ');
}

function mermaidLabel(value: string): string {
  return value.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;')).replace(/\|/g, '#124;');
}

const EDGE_STYLE = {
  added: 'stroke:#1a7f37,stroke-width:3px,color:#1a7f37',
  removed: 'stroke:#888,stroke-dasharray:4 4,color:#888',
  flipped: 'stroke:#bf8700,stroke-width:3px,color:#bf8700',
  refused: 'stroke:#c00,color:#c00',
} as const;

function edgeLine(edge: EdgeChange, from: string, to: string): { line: string; style?: keyof typeof EDGE_STYLE } {
  const v = edge.verdict;
  const verdict = v.accepted ? 'accepted' : `refused: ${v.error ?? ''}${v.probe ? ' (probe)' : ''}`;
  if (edge.status === 'added') return { line: `  ${from} ==>|"added, ${mermaidLabel(verdict)}"| ${to}`, style: 'added' };
  if (edge.status === 'removed') return { line: `  ${from} -.->|"removed"| ${to}`, style: 'removed' };
  if (edge.flipped) return { line: `  ${from} ==>|"now ${mermaidLabel(verdict)}"| ${to}`, style: 'flipped' };
  return v.accepted ? { line: `  ${from} -->|"accepted"| ${to}` } : { line: `  ${from} -.->|"${mermaidLabel(verdict)}"| ${to}`, style: 'refused' };
}

/** The head's call graph with added (thick green), removed (grey dashed) and flipped (thick amber) calls. */
export function renderEdgeGraph(edges: readonly EdgeChange[]): string[] {
  const lines: string[] = ['```mermaid', 'flowchart LR'];
  const edgeLines: string[] = [];
  const styles = new Map<keyof typeof EDGE_STYLE, number[]>();
  const stacks = [...new Set(edges.map((e) => e.stack))].sort();
  let index = 0;
  stacks.forEach((stack, s) => {
    const ids = new Map<string, string>();
    const node = (id: string, name: string, api: boolean) => {
      let nodeId = ids.get(id);
      if (!nodeId) {
        nodeId = `d${s}n${ids.size}`;
        ids.set(id, nodeId);
        lines.push(api ? `    ${nodeId}[/"API ${mermaidLabel(name)}"/]` : `    ${nodeId}["${mermaidLabel(name)}"]`);
      }
      return nodeId;
    };
    lines.push(`  subgraph d${s}["${mermaidLabel(stack)}"]`);
    const ofStack = edges
      .filter((e) => e.stack === stack)
      .sort((a, b) => a.caller.name.localeCompare(b.caller.name) || a.target.name.localeCompare(b.target.name) || a.status.localeCompare(b.status));
    for (const edge of ofStack) {
      const from = node(edge.caller.id, edge.caller.name, false);
      const to = node(edge.target.id, edge.target.name, edge.target.kind === 'API');
      const { line, style } = edgeLine(edge, from, to);
      edgeLines.push(line);
      if (style) styles.set(style, [...(styles.get(style) ?? []), index]);
      index++;
    }
    lines.push('  end');
  });
  lines.push(...edgeLines);
  for (const style of Object.keys(EDGE_STYLE) as Array<keyof typeof EDGE_STYLE>) {
    const at = styles.get(style);
    if (at) lines.push(`  linkStyle ${at.join(',')} ${EDGE_STYLE[style]}`);
  }
  lines.push('```');
  return lines;
}

/** The "Access changes" Markdown section. */
export function renderAccessDiff(diff: AccessDiff): string {
  const lines: string[] = ['# Access changes', ''];
  if (diff.changes.length === 0) {
    lines.push(NO_ACCESS_CHANGES, '');
  } else {
    lines.push(
      `Compared with the base: ${summary(diff)}.`,
      '',
      '| Severity | Stack | Receiver, API or other | Caller | Change |',
      '| --- | --- | --- | --- | --- |',
      ...diff.changes.map(changeRow),
      '',
      '**widens**: a caller, address or channel is admitted that was not, or a protection is gone; narrows: the reverse; neutral: renames, tags, rewrites that admit the same.',
      '',
    );
  }
  if (diff.replacements.length) {
    lines.push(
      '## Trust-bearing resources replaced on apply',
      '',
      'Terraform destroys and creates these again. A new workflow gets a new managed identity (policies pinned to the old one are rewritten by the same apply, but tokens already issued and any pin outside this stack break); a new app registration gets a new client id.',
      '',
      ...diff.replacements.map((r) => `- ${r.stack}: \`${r.address}\` (${r.name}): ${r.reason}`),
      '',
    );
  }
  if (diff.changes.length && diff.edges.some((e) => e.status !== 'kept' || e.flipped)) {
    lines.push(
      '## Calls of the changed stacks',
      '',
      'The head\'s calls, and the base\'s removed ones. Thick green: added calls; grey dashed: removed calls; thick amber: calls whose predicted verdict flips; red dashed: refused.',
      '',
      ...renderEdgeGraph(diff.edges),
      '',
    );
  }
  return lines.join('\n');
}
