import "cdktf/lib/testing/adapters/jest"; // Load types for expect matchers
import { Testing } from "cdktf";
import { LogicAppsOauthStack } from "../stack";

describe("My CDKTF Application", () => {
  it("synthesizes the Logic Apps OAuth stack", () => {
    const stack = new LogicAppsOauthStack(Testing.app(), "logic-apps-oauth");
    expect(Testing.synth(stack)).toMatchSnapshot();
  });
});
