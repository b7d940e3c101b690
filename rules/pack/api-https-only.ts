import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'LA017',
  severity: 'error',
  title: 'An API Management API that allows http',
  prevents: 'Bearer tokens sent in clear text',
  suppressOn: 'the API',
  check: (ctx) =>
    ctx.model.apis
      .filter((api) => api.protocols.includes('http'))
      .map((api) => ({
        resource: api,
        message: `API "${api.apiName}" allows protocols ${JSON.stringify(api.config.protocols)}: Bearer tokens would travel in clear text; set protocols = ["https"]`,
      })),
};
