// IP ranges of Logic Apps access control (`allowed_caller_ip_address_range`, ARM
// `allowedCallerIpAddresses[].addressRange`).
//
// azurerm 4.55.0 validates each entry with `validation.Any(validation.IsCIDR, validation.IsIPv4Range)`
// (internal/services/logic/logic_app_workflow_resource.go; the two functions are in
// vendor/github.com/hashicorp/terraform-plugin-sdk/v2/helper/validation/network.go):
// - IsCIDR is Go's `net.ParseCIDR`: "<address>/<prefix>", the address an IPv4 dotted quad without leading
//   zeros or an IPv6 address without a zone, the prefix decimal digits up to 32 or 128.
// - IsIPv4Range splits on "-" into exactly two `net.ParseIP` addresses (despite its name IPv6 parses
//   too) and refuses start > end.
// Addresses are parsed with node:net (same grammar as Go for these forms: no leading zeros in IPv4
// octets, `::` compression, embedded IPv4 in IPv6). Where we are stricter than the provider we say why:
// - host bits set in a CIDR (`203.0.113.5/28`): Go accepts it and Azure masks it silently, so the entry
//   admits 16 addresses where one was almost certainly meant; refused, naming the network address and
//   the /32 form;
// - a prefix with leading zeros (`10.0.0.0/08`), which Go reads as /8: refused, naming the plain form;
// - a range mixing IPv4 and IPv6 ends, which Go compares in their 16-byte form: refused.
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

/** A parsed range: CIDR or a-b, with its first and last address as integers. */
export interface IpRange {
  readonly text: string;
  readonly kind: 'cidr' | 'range';
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
  /** CIDR prefix length (kind "cidr" only). */
  readonly prefix?: number;
}

export type IpRangeResult = { readonly range: IpRange; readonly problem?: undefined } | { readonly range?: undefined; readonly problem: string };

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

/** The family of a single address as Go's net.ParseIP would read it, or undefined. */
export function addressFamily(text: string): IpFamily | undefined {
  if (isIPv4(text)) return 4;
  // node accepts a zone ("fe80::1%eth0"); Go's ParseIP and ParseCIDR do not.
  if (isIPv6(text) && !text.includes('%')) return 6;
  return undefined;
}

/** An address as an unsigned integer (32 or 128 bits). */
export function addressToBigInt(text: string, family: IpFamily): bigint {
  if (family === 4) return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
  let groups: string[];
  let tail = text;
  const embedded: number[] = [];
  const lastColon = tail.lastIndexOf(':');
  if (tail.slice(lastColon + 1).includes('.')) {
    const v4 = addressToBigInt(tail.slice(lastColon + 1), 4);
    embedded.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    tail = tail.slice(0, lastColon + 1) + '0';
  }
  const [head, rest] = tail.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  if (rest === undefined) {
    groups = headGroups;
  } else {
    const restGroups = rest ? rest.split(':') : [];
    const fill = 8 - headGroups.length - restGroups.length - (embedded.length ? 1 : 0);
    groups = [...headGroups, ...Array<string>(fill).fill('0'), ...restGroups];
  }
  const values = groups.map((g) => parseInt(g, 16));
  if (embedded.length) values.splice(values.length - 1, 1, ...embedded);
  return values.reduce((acc, v) => (acc << 16n) | BigInt(v), 0n);
}

/** An integer back to the canonical text of an address. */
export function bigIntToAddress(value: bigint, family: IpFamily): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // Compress the longest run of two or more zero groups (RFC 5952).
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

const FIX = 'use CIDR ("10.0.0.0/24", "203.0.113.7/32", "2001:db8::/48") or a range ("10.0.0.1-10.0.0.9")';

/** Parses one access-control IP range the way azurerm validates it (see the file comment). */
export function parseIpRange(value: string): IpRangeResult {
  if (typeof value !== 'string' || value.length === 0) return { problem: `an empty IP range; ${FIX}` };
  const slash = value.indexOf('/');
  if (slash >= 0) return parseCidr(value, value.slice(0, slash), value.slice(slash + 1));
  const parts = value.split('-');
  if (parts.length === 2) return parseDashRange(value, parts[0], parts[1]);
  if (parts.length > 2) return { problem: `"${value}" has more than one "-"; a range is "<first>-<last>"` };
  const family = addressFamily(value);
  if (family) {
    return { problem: `a bare address is rejected by azurerm; write "${value}/${BITS[family]}"` };
  }
  return { problem: FIX };
}

function parseCidr(value: string, address: string, prefixText: string): IpRangeResult {
  const family = addressFamily(address);
  if (!family) return { problem: `"${address}" is not an IPv4 or IPv6 address; ${FIX}` };
  const bits = BITS[family];
  if (!/^[0-9]+$/.test(prefixText) || Number(prefixText) > bits) {
    return { problem: `the prefix length "/${prefixText}" must be a whole number from 0 to ${bits} for an IPv${family} address` };
  }
  const prefix = Number(prefixText);
  if (prefixText !== String(prefix)) {
    return { problem: `write the prefix length without leading zeros: "${address}/${prefix}"` };
  }
  const addr = addressToBigInt(address, family);
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const first = addr & ~hostMask;
  if (first !== addr) {
    const network = `${bigIntToAddress(first, family)}/${prefix}`;
    return {
      problem:
        `"${value}" has host bits set (Azure would admit all of ${network}); ` +
        `write "${network}" for the network or "${address}/${bits}" for the one address`,
    };
  }
  return { range: { text: value, kind: 'cidr', family, first, last: first | hostMask, prefix } };
}

function parseDashRange(value: string, from: string, to: string): IpRangeResult {
  const fromFamily = addressFamily(from);
  const toFamily = addressFamily(to);
  if (!fromFamily || !toFamily) {
    const bad = !fromFamily ? from : to;
    return { problem: `"${bad}" is not an IPv4 or IPv6 address; ${FIX}` };
  }
  if (fromFamily !== toFamily) return { problem: `the range "${value}" mixes IPv4 and IPv6; give both ends in one family` };
  const first = addressToBigInt(from, fromFamily);
  const last = addressToBigInt(to, toFamily);
  if (first > last) return { problem: `the range start must not be above its end; write "${to}-${from}"` };
  return { range: { text: value, kind: 'range', family: fromFamily, first, last } };
}

/** Returns undefined when the range is valid, otherwise the problem and its fix. */
export function ipRangeProblem(value: string): string | undefined {
  return parseIpRange(value).problem;
}

/**
 * The range admits every address of its family (`0.0.0.0/0`, `0.0.0.0-255.255.255.255`, `::/0`). On a
 * token-protected trigger or on run history it defeats the restriction (rule LA024).
 */
export function isOpenRange(value: string): boolean {
  const { range } = parseIpRange(value.trim());
  return range !== undefined && range.first === 0n && range.last === (1n << BigInt(BITS[range.family])) - 1n;
}

/**
 * The ranges of a list that admit every address of a family: each range that does alone, or else all the
 * ranges of a family whose union does (`0.0.0.0/1` + `128.0.0.0/1`, or two a-b halves): split or not, the
 * restriction is void. Empty when some address of each family stays outside. Unparsable values are ignored.
 */
export function openRanges(values: readonly string[]): string[] {
  const alone = values.filter(isOpenRange);
  if (alone.length > 0) return alone;
  const found: string[] = [];
  for (const family of [4, 6] as const) {
    const ranges = values
      .map((value) => parseIpRange(value.trim()).range)
      .filter((range): range is IpRange => range !== undefined && range.family === family)
      .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    let next = 0n; // the lowest address not yet admitted
    for (const range of ranges) {
      if (range.first > next) break;
      if (range.last + 1n > next) next = range.last + 1n;
    }
    if (next === 1n << BigInt(BITS[family])) found.push(...ranges.map((range) => range.text));
  }
  return found;
}
