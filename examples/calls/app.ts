// An app of your own built from the public entry of the constructs (../../constructs, i.e. constructs/index.ts)
// and nothing else of this repository: one workflow calls a receiver workflow and an Entra-protected API
// with its managed identity's token; both targets admit exactly that caller.
import { Construct } from 'constructs';
import { App, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { ApiGateway, Audience, CallerWorkflow, EntraProtectedApi, ReceiverWorkflow } from '../../constructs';

export interface OrdersProps {
  /** Prefix of every Azure name. */
  readonly prefix: string;
  readonly location: string;
  /** Object ids owning the app registrations (every deployer): see docs/permissions.md. */
  readonly owners?: readonly string[];
}

export class OrdersStack extends TerraformStack {
  public readonly caller: CallerWorkflow;
  public readonly receiver: ReceiverWorkflow;
  public readonly api: EntraProtectedApi;

  constructor(scope: Construct, id: string, props: OrdersProps) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    new AzureadProvider(this, 'azuread', {});
    const rg = new ResourceGroup(this, 'ResourceGroup', { name: `rg-${props.prefix}`, location: props.location });
    const where = { resourceGroupName: rg.name, location: rg.location };

    // The receiver accepts tokens for one audience; so does the API (its own app registration).
    const ordersAudience = new Audience(this, 'OrdersAudience', { displayName: `${props.prefix}-orders`, owners: props.owners });
    this.receiver = new ReceiverWorkflow(this, 'Orders', { ...where, name: `${props.prefix}-orders`, audience: ordersAudience });

    const gateway = new ApiGateway(this, 'Gateway', {
      ...where,
      name: `${props.prefix}-apim`,
      publisherName: 'Contoso',
      publisherEmail: 'platform-team@contoso.com',
    });
    const stockAudience = new Audience(this, 'StockAudience', { displayName: `${props.prefix}-stock`, tokenVersion: 2, owners: props.owners });
    this.api = new EntraProtectedApi(this, 'Stock', { gateway, audience: stockAudience, name: 'stock', path: 'stock' });
    this.api.addOperation('reserve', { method: 'POST', urlTemplate: '/reserve' });

    // One method for both kinds of target; each target admits the caller (policy pin + app role grant).
    this.caller = new CallerWorkflow(this, 'Shop', { ...where, name: `${props.prefix}-shop`, recurrence: { frequency: 'Hour', interval: 1 } });
    this.caller.call(this.receiver);
    this.caller.call(this.api);
    this.receiver.allowCaller(this.caller);
    this.api.allowCaller(this.caller);
  }
}

/** The example app (main.ts synthesizes it into cdktf.out/). */
export function buildExample(app: App = new App()): App {
  new OrdersStack(app, 'orders', { prefix: 'contoso-orders', location: 'westeurope' });
  return app;
}
