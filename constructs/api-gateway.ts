import { Construct } from 'constructs';
import { ApiManagement } from '@cdktf/provider-azurerm/lib/api-management';
import { apimSkuProblem } from '../domain/parity';
import { requireValid, requireValidPlacement } from './parity-checks';

export interface ApiGatewayProps {
  /** Instance name, globally unique (`<name>.azure-api.net`). */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly publisherName: string;
  readonly publisherEmail: string;
  /**
   * `sku_name`: Consumption is created in minutes, the other tiers take 30-40+ minutes.
   * @default "Consumption_0"
   */
  readonly skuName?: string;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** An API Management instance: the gateway in front of Entra-protected APIs. */
export class ApiGateway extends Construct {
  public readonly resource: ApiManagement;
  /** Name of the instance (for APIs, operations and policies). */
  public readonly apiManagementName: string;
  public readonly resourceGroupName: string;
  /** `https://<name>.azure-api.net` */
  public readonly gatewayUrl: string;

  constructor(scope: Construct, id: string, props: ApiGatewayProps) {
    super(scope, id);
    requireValidPlacement(this, props);
    requireValid(this, 'skuName', props.skuName, apimSkuProblem);
    this.resource = new ApiManagement(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      publisherName: props.publisherName,
      publisherEmail: props.publisherEmail,
      skuName: props.skuName ?? 'Consumption_0',
      tags: props.tags as Record<string, string> | undefined, // cdktf only reads it
    });
    this.apiManagementName = this.resource.name;
    this.resourceGroupName = props.resourceGroupName;
    this.gatewayUrl = this.resource.gatewayUrl;
  }
}
