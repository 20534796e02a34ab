// Writes packages/cli/sluice.schema.json, the JSON Schema of Sluice's own config, from the schemas the
// packages validate their options with. Run with `pnpm docs:schema` after changing any option; a test
// (packages/cli/test/sluice/schema.test.ts) fails while the committed file is stale.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sluiceConfigSchema } from "@sluice/cli";

const file = fileURLToPath(new URL("../packages/cli/sluice.schema.json", import.meta.url));
writeFileSync(file, `${JSON.stringify(sluiceConfigSchema(), null, 2)}\n`);
// The repository's formatter owns the layout, so `pnpm lint` and this script agree.
const formatted = spawnSync("pnpm", ["-s", "biome", "format", "--write", file], { stdio: "inherit" });
if (formatted.status !== 0) process.exit(formatted.status ?? 1);
console.log(`wrote ${file}`);
