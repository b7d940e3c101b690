import { App, AppConfig } from 'cdktf';
import type { Config } from './config/schema';
import { LOGIC_APPS_OAUTH_STACK, LogicAppsOauthStack } from './stacks/logic-apps-oauth-stack';

/** Builds every stack of the app from a validated configuration. */
export function buildApp(config: Config, options: AppConfig = {}): App {
  const app = new App(options);
  new LogicAppsOauthStack(app, LOGIC_APPS_OAUTH_STACK, config);
  return app;
}
