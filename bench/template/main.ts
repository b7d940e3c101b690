import { App } from "cdktf";
import { LogicAppsOauthStack } from "./stack";

const app = new App();
new LogicAppsOauthStack(app, "logic-apps-oauth");
app.synth();
