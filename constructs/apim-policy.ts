// Typed builders for API Management policy XML. Every policy document of this project is built here, so
// element order (which API Management enforces) and escaping are written in exactly one place.
//
// Values may contain cdktf tokens (`${TfToken[...]}`); they hold no XML-special characters, so they pass
// through escaping unchanged and cdktf resolves them to `${resource.attr}` interpolations.

export interface XmlElement {
  readonly name: string;
  /** Attributes in the order they are written. */
  readonly attributes?: ReadonlyArray<readonly [string, string | number]>;
  readonly children?: readonly XmlElement[];
  /** Text content; a policy expression (`@(...)`, `@{...}`) is text too. Ignored when there are children. */
  readonly text?: string;
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;');
}

/** Serializes an element tree, two spaces per level, `<name />` when empty. */
export function renderXml(element: XmlElement, depth = 0): string {
  const pad = '  '.repeat(depth);
  const attributes = (element.attributes ?? []).map(([key, value]) => ` ${key}="${escapeAttribute(String(value))}"`).join('');
  const children = element.children ?? [];
  if (children.length > 0) {
    const inner = children.map((child) => renderXml(child, depth + 1)).join('\n');
    return `${pad}<${element.name}${attributes}>\n${inner}\n${pad}</${element.name}>`;
  }
  if (element.text !== undefined) return `${pad}<${element.name}${attributes}>${escapeText(element.text)}</${element.name}>`;
  return `${pad}<${element.name}${attributes} />`;
}

export const BASE: XmlElement = { name: 'base' };

/** A required claim of validate-azure-ad-token: `match="all"` needs every value, `"any"` one of them. */
export interface RequiredClaim {
  readonly name: string;
  readonly match: 'all' | 'any';
  readonly values: readonly string[];
}

export interface ValidateAzureAdTokenOptions {
  /** Tenant whose tokens are accepted (`tenant-id`). */
  readonly tenantId: string;
  /** Client application ids admitted (`appid` of v1 tokens, `azp` of v2 tokens). */
  readonly clientApplicationIds: readonly string[];
  /** `aud` values accepted. */
  readonly audiences: readonly string[];
  /** @default [] */
  readonly requiredClaims?: readonly RequiredClaim[];
  /** @default 401 */
  readonly failedValidationHttpCode?: number;
  /** @default "Unauthorized. Access token is missing or invalid." */
  readonly failedValidationErrorMessage?: string;
  /**
   * Context variable that receives the validated token (for the response naming the caller).
   * @default none
   */
  readonly outputTokenVariableName?: string;
}

/**
 * `validate-azure-ad-token`, children in the documented order: client-application-ids,
 * backend-application-ids (unused here), audiences, required-claims. Empty lists are left out.
 */
export function validateAzureAdToken(options: ValidateAzureAdTokenOptions): XmlElement {
  const attributes: Array<[string, string | number]> = [
    ['tenant-id', options.tenantId],
    ['header-name', 'Authorization'],
    ['failed-validation-httpcode', options.failedValidationHttpCode ?? 401],
    ['failed-validation-error-message', options.failedValidationErrorMessage ?? 'Unauthorized. Access token is missing or invalid.'],
  ];
  if (options.outputTokenVariableName) attributes.push(['output-token-variable-name', options.outputTokenVariableName]);
  const children: XmlElement[] = [];
  if (options.clientApplicationIds.length > 0) {
    children.push({
      name: 'client-application-ids',
      children: options.clientApplicationIds.map((id) => ({ name: 'application-id', text: id })),
    });
  }
  if (options.audiences.length > 0) {
    children.push({ name: 'audiences', children: options.audiences.map((aud) => ({ name: 'audience', text: aud })) });
  }
  const claims = options.requiredClaims ?? [];
  if (claims.length > 0) {
    children.push({
      name: 'required-claims',
      children: claims.map((claim) => ({
        name: 'claim',
        attributes: [
          ['name', claim.name],
          ['match', claim.match],
        ],
        children: claim.values.map((value) => ({ name: 'value', text: value })),
      })),
    });
  }
  return { name: 'validate-azure-ad-token', attributes, children };
}

/** `return-response` with a status and a JSON body given as a policy expression. */
export function jsonReturnResponse(statusCode: number, bodyExpression: string): XmlElement {
  return {
    name: 'return-response',
    children: [
      { name: 'set-status', attributes: [['code', statusCode], ['reason', statusCode === 200 ? 'OK' : 'Status']] },
      {
        name: 'set-header',
        attributes: [['name', 'Content-Type'], ['exists-action', 'override']],
        children: [{ name: 'value', text: 'application/json' }],
      },
      { name: 'set-body', text: bodyExpression },
    ],
  };
}

/**
 * A JSON body naming the caller: the validated token's `appid` (v1) or `azp` (v2), read from the
 * variable validate-azure-ad-token wrote.
 */
export function callerEchoExpression(tokenVariable: string, apiName: string): string {
  const jwt = `((Jwt)context.Variables["${tokenVariable}"])`;
  return (
    `@(new JObject(new JProperty("accepted", true), new JProperty("api", "${apiName}"), ` +
    `new JProperty("caller", ${jwt}.Claims.GetValueOrDefault("appid", ${jwt}.Claims.GetValueOrDefault("azp", "")))).ToString())`
  );
}

/** A complete API-scope policy document: `<base />` first in every section, then the given inbound steps. */
export function apiPolicyDocument(inbound: readonly XmlElement[]): string {
  return renderXml({
    name: 'policies',
    children: [
      { name: 'inbound', children: [BASE, ...inbound] },
      { name: 'backend', children: [BASE] },
      { name: 'outbound', children: [BASE] },
      { name: 'on-error', children: [BASE] },
    ],
  });
}
