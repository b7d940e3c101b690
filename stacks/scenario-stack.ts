import { Construct } from 'constructs';
import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import { AzurermProvider, AzurermProviderFeatures } from '@cdktf/provider-azurerm/lib/provider';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import type { Config } from '../config/schema';

/**
 * Common base of every stack: providers (azuread for the signed-in tenant), optional remote state with one
 * key per stack, and the stack's resource group.
 */
export abstract class ScenarioStack extends TerraformStack {
  public readonly config: Config;
  public readonly resourceGroup: ResourceGroup;
  public readonly azuread: AzureadProvider;

  protected constructor(scope: Construct, id: string, config: Config, features: AzurermProviderFeatures = {}) {
    super(scope, id);
    this.config = config;
    new AzurermProvider(this, 'azurerm', { features: [features] });
    this.azuread = new AzureadProvider(this, 'azuread', {});
    if (config.backend) {
      new AzurermBackend(this, {
        resourceGroupName: config.backend.resourceGroupName,
        storageAccountName: config.backend.storageAccountName,
        containerName: config.backend.containerName,
        key: `${config.backend.keyPrefix}/${id}.tfstate`,
        useAzureadAuth: config.backend.useAzureadAuth,
      });
    } else {
      // Relative to cdktf.out/stacks/<id>/ where terraform runs: the project root, and no machine path
      // in the synthesized JSON (cdktf's default is absolute).
      new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    }
    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', {
      name: `rg-${config.namePrefix}-${id}`,
      location: config.location,
      tags: config.tags,
    });
  }

  /** Props shared by every workflow of the stack. */
  protected workflowDefaults(): {
    resourceGroupName: string;
    location: string;
    tags: Record<string, string>;
    logAnalyticsWorkspaceId?: string;
  } {
    return {
      resourceGroupName: this.resourceGroup.name,
      location: this.resourceGroup.location,
      tags: this.config.tags,
      logAnalyticsWorkspaceId: this.config.logAnalyticsWorkspaceId,
    };
  }
}
