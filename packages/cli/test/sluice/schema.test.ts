import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { configDocument } from "../../src/sluice/document.js";
import { loadSluiceConfig } from "../../src/sluice/load.js";
import { sluiceConfigSchema } from "../../src/sluice/schema.js";
import { sluiceStages } from "../../src/sluice/stages.js";

const SCHEMA = new URL("../../sluice.schema.json", import.meta.url).pathname;
const EXAMPLE = new URL("../../../../examples/sluice/insight.yaml", import.meta.url).pathname;

describe("the published JSON Schema of a Sluice config", () => {
  it("is the committed packages/cli/sluice.schema.json (run `pnpm docs:schema` after changing an option)", () => {
    expect(JSON.parse(readFileSync(SCHEMA, "utf8"))).toEqual(sluiceConfigSchema());
  });

  it("is made of the packages' own option schemas: a stage's entry is the schema the stage validates with", () => {
    const schema = sluiceConfigSchema() as { definitions: { stage: { properties: Record<string, object> } } };
    const { description, ...mutate } = schema.definitions.stage.properties.mutate as { description: string };
    expect(mutate).toEqual(sluiceStages.mutate!.schema);
    expect(description).toBe(sluiceStages.mutate!.description);
  });

  it("accepts examples/sluice/insight.yaml (as interpolated with its defaults), which also loads", async () => {
    const validate = new Ajv({ allowUnionTypes: true }).compile(JSON.parse(readFileSync(SCHEMA, "utf8")));
    const document = configDocument(readFileSync(EXAMPLE, "utf8"), EXAMPLE, { env: {}, baseDir: "." });
    expect(validate(document.value) ? [] : validate.errors).toEqual([]);
    const plan = await loadSluiceConfig(EXAMPLE, { env: {} });
    expect(plan.pipelines.map((p) => [p.name, p.source.topics, p.stageTexts])).toEqual([
      ["insight-logs", ["insight-logs", "insight-event", "insight-gw-skoala"], ["fluentBitToElasticsearch"]],
    ]);
    expect(plan.pipelines[0]!.targets[0]!.sink).toEqual({
      node: "http://localhost:9200",
      index: {
        topics: {
          "insight-logs": "insight-es-k8s-logs-alias",
          "insight-event": "insight-es-k8s-event-logs-alias",
          "insight-gw-skoala": "skoala-gw-alias",
        },
      },
      action: "create",
      id: "origin",
    });
    expect(plan.deadLetters?.sink).toEqual({ node: "http://localhost:9200", index: "sluice-dead-letter" });
  });

  it("refuses what the packages refuse: the same validator rejects a config with a wrong stage option", () => {
    const validate = new Ajv({ allowUnionTypes: true }).compile(JSON.parse(readFileSync(SCHEMA, "utf8")));
    const config = {
      pipelines: [
        {
          name: "p",
          source: { topics: ["t"], groupId: "g" },
          stages: [{ json: { target: "x" } }],
          targets: [{ name: "es", elasticsearch: { index: "i" } }],
        },
      ],
    };
    expect(validate(config)).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({
      instancePath: "/pipelines/0/stages/0/json",
      keyword: "required",
    });
  });
});
