// Builds helm and kustomize into their cache ahead of the tests: scripts/setup runs it, so test/deploy
// never waits on a Go build while the other test files run.
import { DEPLOY_TOOLS, type DeployTool, deployTool } from "./tools.js";

for (const tool of Object.keys(DEPLOY_TOOLS) as DeployTool[])
  console.log(`setup: ${tool} at ${await deployTool(tool)}`);
