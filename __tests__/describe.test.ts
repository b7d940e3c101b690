// Terraform references in words: every reader prints values through describeValue, never raw `${...}`.
import { describeValue } from '../model/describe';
import { buildStackModel } from '../model/stack-model';

const model = buildStackModel({
  name: 'words',
  json: {
    data: {
      azuread_client_config: { current: {} },
      azurerm_client_config: { current: {} },
    },
    resource: {
      azurerm_logic_app_workflow: { send: { name: 'orders-send' } },
      azuread_application: { client: { display_name: 'orders-client' } },
      azuread_service_principal: { client: { client_id: '${azuread_application.client.client_id}' } },
    },
  },
});

test.each([
  ['${data.azuread_client_config.current.tenant_id}', '{tenant id of provider azuread}'],
  ['${data.azuread_client_config.current.object_id}', '{object id of the deploying principal (azuread)}'],
  ['${data.azurerm_client_config.current.tenant_id}', '{tenant id of provider azurerm}'],
  ['${data.azurerm_client_config.current.object_id}', '{object id of the deploying principal (azurerm)}'],
  ['${data.azurerm_client_config.current.subscription_id}', '{subscription id of provider azurerm}'],
  ['oid=${azurerm_logic_app_workflow.send.identity[0].principal_id}', 'oid={principal id of orders-send}'],
  // An enterprise application has no name of its own: it reads as its app registration's.
  ['${azuread_service_principal.client.object_id}', '{object id of enterprise app orders-client}'],
])('%s reads %s', (value, words) => {
  expect(describeValue(model, value)).toBe(words);
});
