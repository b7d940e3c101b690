// The literal elements of an access-control IP list, wherever they are written: as list items, or
// inside a Terraform expression that computes the list (`${distinct(concat(formatlist(...), ["10.1.2.3"]))}`
// is what ReceiverWorkflow writes when callers' outbound addresses are combined with extra ranges).
// Terraform does not validate values inside such an expression at plan time, so rules check them here.
import type { IpList } from './stack-model';

/** One literal range of an IP list. */
export interface IpListElement {
  readonly value: string;
  /** The literal sits inside a Terraform expression (not a plain list item). */
  readonly inExpression: boolean;
}

const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

/** String arguments of functions that are not list elements: regexall's pattern, format's template. */
const NON_ELEMENT_STRINGS = /\b(regexall|regex|replace|format|formatlist)\(\s*"(?:[^"\\]|\\.)*"/g;

function literalsInExpression(expression: string): string[] {
  const found: string[] = [];
  const elements = expression.replace(NON_ELEMENT_STRINGS, '$1(');
  let m: RegExpExecArray | null;
  QUOTED.lastIndex = 0;
  while ((m = QUOTED.exec(elements))) found.push(m[1]);
  return found;
}

/** Every literal range of `list`; references (`${x.workflow_outbound_ip_addresses}`) are not literals. */
export function literalIpElements(list: IpList): IpListElement[] {
  if (list === undefined) return [];
  const items = typeof list === 'string' ? [list] : list;
  const elements: IpListElement[] = [];
  for (const item of items) {
    if (typeof item !== 'string') continue;
    if (!item.includes('${')) {
      elements.push({ value: item, inExpression: false });
      continue;
    }
    for (const inner of item.match(/\$\{[\s\S]*\}/g) ?? []) {
      for (const value of literalsInExpression(inner)) elements.push({ value, inExpression: true });
    }
  }
  return elements;
}
