import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSluiceConfig } from "../../src/sluice/load.js";
import { config, directoryWith, refusal, run } from "./helpers.js";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

/** A config in a fresh directory whose one stage is `stage` (YAML flow text), with the fixture module's path relative to it. */
async function custom(stage: (module: string) => string, files: Record<string, string> = {}) {
  const dir = directoryWith({});
  const module = relative(dir, `${FIXTURES}my-stages.js`);
  // Every test directory is a sibling of this one, so the path fits the config's directory too.
  return refusal(config({ stages: `      - stage: ${stage(module)}` }), { files });
}

describe("custom stages: a module's factory, by a path relative to the config file", () => {
  it("imports the factory, calls it with the options and runs the stage it returns; export defaults to default", async () => {
    const plan = await loadSluiceConfig(`${FIXTURES}custom.yaml`, { env: {} });
    const pipeline = plan.pipelines[0]!;
    expect(pipeline.stageTexts).toEqual([
      "parseJson",
      "stage ./my-stages.js#tagCluster",
      "stage ./my-stages.js#default",
    ]);
    const [event] = await run(pipeline, "logs", '{"message":"hello"}');
    expect(event!.value).toEqual({ message: "HELLO", cluster: "prod" });
  });

  it("a module that cannot be imported, at `module`", async () => {
    const { message } = await refusal(
      config({ stages: "      - stage: { module: ./nowhere.js, export: x }" }),
    );
    expect(message).toMatch(
      /^sluice\.yaml:11:18 pipelines\[0\]\.stages\[0\]\.stage\.module: cannot be imported: Cannot find module 'file:\/\/\/.*\/nowhere\.js'$/,
    );
  });

  it("an export that is missing or not a function, at `export`", async () => {
    const missing = await custom((m) => `{ module: ${m}, export: tagClustr }`);
    expect(missing.message).toMatch(
      /^sluice\.yaml:11:\d+ pipelines\[0\]\.stages\[0\]\.stage\.export: .*my-stages\.js has no export `tagClustr` \(it exports default, notAFactory, returnsNothing, tagCluster\)$/,
    );
    const notFunction = await custom((m) => `{ module: ${m}, export: notAFactory }`);
    expect(notFunction.message).toMatch(
      /stage\.export: `notAFactory` of .*my-stages\.js is a number, not a function$/,
    );
  });

  it("a factory that throws, at `options`; one that returns no operator, at `export`", async () => {
    const throws = await custom((m) => `{ module: ${m}, export: tagCluster, options: { cluster: 3 } }`);
    expect(throws.message).toMatch(
      /^sluice\.yaml:11:\d+ pipelines\[0\]\.stages\[0\]\.stage\.options: `tagCluster` of .*my-stages\.js threw: cluster must be text, not 3$/,
    );
    const nothing = await custom((m) => `{ module: ${m}, export: returnsNothing }`);
    expect(nothing.message).toMatch(
      /stage\.export: `returnsNothing` of .*returned a undefined, not an operator function/,
    );
  });

  it("a factory's error never shows a secret read from a file, though it quotes the option", async () => {
    const { message, error } = await custom(
      (m) => `{ module: ${m}, export: tagCluster, options: { cluster: { token: "\${file:token}" } } }`,
      {
        token: "hunter2-token\n",
      },
    );
    expect(message).toMatch(/threw: cluster must be text, not \{"token":"\*\*\*"\}$/);
    expect(message).not.toContain("hunter2");
    expect(error.cause).toBeUndefined();
  });
});
