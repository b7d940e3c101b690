// IP range syntax accepted by Logic Apps access control (`allowedCallerIpAddresses[].addressRange`):
// IPv4/IPv6 CIDR or an IPv4 `a.b.c.d-e.f.g.h` range. A bare address is rejected by azurerm, so we
// suggest the `/32` (or `/128`) form instead of guessing.

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${OCTET}(\\.${OCTET}){3}`;
const IPV4_RE = new RegExp(`^${IPV4}$`);
const IPV4_CIDR_RE = new RegExp(`^${IPV4}/(3[0-2]|[12]?\\d)$`);
const IPV4_RANGE_RE = new RegExp(`^(${IPV4})-(${IPV4})$`);
// Loose IPv6 shape check; the prefix length is what matters for the error message.
const IPV6_RE = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/;

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** Returns undefined when the range is valid, otherwise the fix to show the user. */
export function ipRangeProblem(value: string): string | undefined {
  if (IPV4_CIDR_RE.test(value)) return undefined;
  const range = IPV4_RANGE_RE.exec(value);
  if (range) {
    const [from, to] = value.split('-');
    return ipv4ToNumber(from) <= ipv4ToNumber(to) ? undefined : 'the range start must not be above its end';
  }
  if (IPV4_RE.test(value)) return `a bare address is rejected by Azure; write "${value}/32"`;
  const slash = value.lastIndexOf('/');
  if (slash > 0 && IPV6_RE.test(value.slice(0, slash))) {
    const bits = value.slice(slash + 1);
    return /^\d{1,3}$/.test(bits) && Number(bits) <= 128 ? undefined : 'an IPv6 prefix length is 0 to 128';
  }
  if (IPV6_RE.test(value)) return `a bare address is rejected by Azure; write "${value}/128"`;
  return 'use CIDR ("10.0.0.0/24", "203.0.113.7/32") or a range ("10.0.0.1-10.0.0.9")';
}
