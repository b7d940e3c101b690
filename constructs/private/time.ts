import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { Sleep } from '@cdktf/provider-time/lib/sleep';

const PROVIDER_ID = 'time';

/**
 * A `time_sleep` that completes `duration` after its dependencies (hashicorp/time). The stack gets one
 * time provider (id "time"), added on first use, so a construct that waits needs no setup by its user.
 */
export function waitAfter(scope: Construct, id: string, duration: string): Sleep {
  const stack = TerraformStack.of(scope);
  if (!stack.node.tryFindChild(PROVIDER_ID)) new TimeProvider(stack, PROVIDER_ID, {});
  return new Sleep(scope, id, { createDuration: duration });
}
