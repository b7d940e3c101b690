// Which caller addresses an access-control IP list admits, so that two lists can be compared by what
// they admit rather than by their text: "10.0.0.0/24" replaced by "10.0.0.0/16" broadens, "10.0.0.0/24"
// replaced by "10.0.0.0-10.0.0.255" changes nothing.
//
// An entry is either a literal range (CIDR, IPv4 or IPv6, or `a.b.c.d-e.f.g.h`, the forms Logic Apps
// accepts) or an opaque Terraform value such as "outbound IPs of la-oauth-send", which admits
// exactly what the same value admits on the other side. `0.0.0.0-0.0.0.0` is the documented "nobody"
// value (Logic Apps run-history lock), so it admits nothing. A missing list (no access control) admits
// every address.
import { isIPv4, isIPv6 } from 'node:net';

/** One entry of an IP list: its comparable key and how a reviewer reads it. */
export interface IpEntry {
  /** The literal range, or the canonical Terraform value of an opaque entry. */
  readonly value: string;
  /** How the entry reads in a change line. */
  readonly text: string;
  /** The caller whose addresses this entry is (outbound IPs of a workflow), when known. */
  readonly caller?: { readonly id: string; readonly name: string };
}

/** What an IP list admits: `any` (no list), or its entries. */
export type IpList = { readonly any: true } | { readonly any: false; readonly entries: readonly IpEntry[] };

export const NOBODY_RANGE = '0.0.0.0-0.0.0.0';

interface Interval {
  readonly family: 4 | 6;
  readonly from: bigint;
  readonly to: bigint;
}

function ipv4(address: string): bigint {
  return address.split('.').reduce((acc, octet) => acc * 256n + BigInt(Number(octet)), 0n);
}

function ipv6(address: string): bigint {
  let text = address;
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
  const tail = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v4 = ipv4(tail[1]);
    text = `${text.slice(0, tail.index)}:${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, group) => (acc << 16n) + BigInt(parseInt(group, 16)), 0n);
}

/** The addresses a literal entry covers, or undefined when it is not a literal range. */
export function intervalOf(range: string): Interval | undefined {
  const dash = /^([\d.]+)-([\d.]+)$/.exec(range);
  if (dash && isIPv4(dash[1]) && isIPv4(dash[2])) {
    if (range === NOBODY_RANGE) return undefined;
    return { family: 4, from: ipv4(dash[1]), to: ipv4(dash[2]) };
  }
  const slash = range.lastIndexOf('/');
  if (slash < 0) return undefined;
  const address = range.slice(0, slash);
  const bits = Number(range.slice(slash + 1));
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (!family || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) return undefined;
  const width = BigInt(family === 4 ? 32 : 128);
  const hostBits = width - BigInt(bits);
  const base = ((family === 4 ? ipv4(address) : ipv6(address)) >> hostBits) << hostBits;
  return { family, from: base, to: base + (1n << hostBits) - 1n };
}

/** Whether `entry` admits nobody (the documented lock value). */
export function admitsNobody(entry: IpEntry): boolean {
  return entry.value === NOBODY_RANGE;
}

/** Whether every address `entry` admits is admitted by `list`. */
export function covers(list: IpList, entry: IpEntry): boolean {
  if (list.any || admitsNobody(entry)) return true;
  const interval = intervalOf(entry.value);
  if (!interval) return list.entries.some((e) => e.value === entry.value);
  // Merge the list's intervals of the same family and check that they cover [from, to] without a gap.
  const parts = list.entries
    .map((e) => intervalOf(e.value))
    .filter((i): i is Interval => i !== undefined && i.family === interval.family)
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  let next = interval.from;
  for (const part of parts) {
    if (part.from > next) break;
    if (part.to >= next) next = part.to + 1n;
    if (next > interval.to) return true;
  }
  return false;
}

/** Whether `outer` (a literal range) contains `inner` (a literal range). */
export function contains(outer: IpEntry, inner: IpEntry): boolean {
  const a = intervalOf(outer.value);
  const b = intervalOf(inner.value);
  return !!a && !!b && a.family === b.family && a.from <= b.from && b.to <= a.to;
}

/** Entries of `list` that are not admitted by `other` (what `list` admits beyond `other`). */
export function beyond(list: IpList, other: IpList): IpEntry[] | 'any' {
  if (list.any) return other.any ? [] : 'any';
  const seen = new Set<string>();
  return list.entries.filter((entry) => !seen.has(entry.value) && seen.add(entry.value) && !covers(other, entry));
}

/** Whether two lists are written the same (same entries, any order). */
export function sameEntries(a: IpList, b: IpList): boolean {
  if (a.any || b.any) return a.any === b.any;
  const key = (l: readonly IpEntry[]) => [...new Set(l.filter((e) => !admitsNobody(e)).map((e) => e.value))].sort().join('\n');
  return key(a.entries) === key(b.entries);
}
