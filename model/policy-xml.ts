// Reads the token validations of an API Management policy document (`xml_content` in cdk.tf.json):
// `validate-azure-ad-token` and `validate-jwt`, in document order, and whether the document's inbound
// section inherits the parent scope (`<base />`). Values may hold Terraform references (`${...}`);
// they are kept as written.
import { XMLParser } from 'fast-xml-parser';

/** A <required-claims>/<claim> of a token validation. */
export interface PolicyRequiredClaim {
  readonly name: string;
  readonly match: 'all' | 'any';
  readonly values: readonly string[];
}

/** One validate-azure-ad-token or validate-jwt element, values as written. */
export interface TokenValidationElement {
  readonly kind: 'validate-azure-ad-token' | 'validate-jwt';
  /** `tenant-id` (validate-azure-ad-token only). */
  readonly tenantId?: string;
  /** `failed-validation-httpcode` as written. */
  readonly failedValidationHttpCode?: string;
  readonly clientApplicationIds: readonly string[];
  readonly backendApplicationIds: readonly string[];
  readonly audiences: readonly string[];
  /** `issuers/issuer` (validate-jwt only). */
  readonly issuers: readonly string[];
  /** `openid-config/@url` (validate-jwt only). */
  readonly openIdConfigUrls: readonly string[];
  readonly requiredClaims: readonly PolicyRequiredClaim[];
  /** Child element names in document order (API Management enforces the documented order). */
  readonly childOrder: readonly string[];
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const ATTR = '@_';
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

const nameOf = (node: OrderedNode): string => Object.keys(node).find((key) => key !== ':@')!;
const childrenOf = (node: OrderedNode | undefined): OrderedNode[] => (node ? ((node[nameOf(node)] as OrderedNode[]) ?? []) : []);
const attr = (node: OrderedNode, name: string): string | undefined => node[':@']?.[`${ATTR}${name}`];
const elementsOf = (node: OrderedNode | undefined): OrderedNode[] => childrenOf(node).filter((child) => nameOf(child) !== '#text');
const textOf = (node: OrderedNode): string =>
  childrenOf(node)
    .map((child) => (typeof child['#text'] === 'string' ? child['#text'] : ''))
    .join('');

function findAll(nodes: OrderedNode[], names: readonly string[]): OrderedNode[] {
  return nodes.flatMap((node) => {
    const key = nameOf(node);
    if (key === '#text') return [];
    return [...(names.includes(key) ? [node] : []), ...findAll(childrenOf(node), names)];
  });
}

/** Every token validation in `xml`, in document order. Throws when the XML cannot be parsed. */
export function readTokenValidations(xml: string): TokenValidationElement[] {
  const found = findAll(parser.parse(xml) as OrderedNode[], ['validate-azure-ad-token', 'validate-jwt']);
  return found.map((element) => {
    const children = elementsOf(element);
    const section = (name: string) => children.find((child) => nameOf(child) === name);
    const values = (name: string, item: string) =>
      elementsOf(section(name))
        .filter((child) => nameOf(child) === item)
        .map(textOf)
        .filter((value) => value !== '');
    return {
      kind: nameOf(element) as TokenValidationElement['kind'],
      tenantId: attr(element, 'tenant-id'),
      failedValidationHttpCode: attr(element, 'failed-validation-httpcode'),
      clientApplicationIds: values('client-application-ids', 'application-id'),
      backendApplicationIds: values('backend-application-ids', 'application-id'),
      audiences: values('audiences', 'audience'),
      issuers: values('issuers', 'issuer'),
      openIdConfigUrls: children.filter((child) => nameOf(child) === 'openid-config').map((child) => attr(child, 'url') ?? ''),
      requiredClaims: elementsOf(section('required-claims'))
        .filter((child) => nameOf(child) === 'claim')
        .map((claim) => ({
          name: attr(claim, 'name') ?? '',
          match: attr(claim, 'match') === 'any' ? ('any' as const) : ('all' as const),
          values: elementsOf(claim)
            .filter((child) => nameOf(child) === 'value')
            .map(textOf),
        })),
      childOrder: children.map(nameOf),
    };
  });
}

/** What a policy document says about tokens. */
export interface PolicyDocumentReading {
  readonly validations: readonly TokenValidationElement[];
  /**
   * The `<inbound>` section contains `<base />`, so the parent scope's policy (the service's global
   * policy for an API policy) runs too. A document without `<inbound>` inherits as well.
   */
  readonly inheritsParent: boolean;
}

/** Reads a whole policy document. Throws when the XML cannot be parsed. */
export function readPolicyDocument(xml: string): PolicyDocumentReading {
  const nodes = parser.parse(xml) as OrderedNode[];
  const inbound = findAll(nodes, ['inbound'])[0];
  const inheritsParent = inbound === undefined || elementsOf(inbound).some((child) => nameOf(child) === 'base');
  return { validations: readTokenValidations(xml), inheritsParent };
}
