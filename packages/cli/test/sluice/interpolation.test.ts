// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` here is the config syntax under test, not a template.
import { describe, expect, it } from "vitest";
import { config, load, refusal } from "./helpers.js";

describe("${VAR}, ${VAR:-default}, $${ and ${file:PATH} in a config's values", () => {
  it("replaces variables from the environment given, with defaults for unset or empty ones", async () => {
    const text = config()
      .replace("localhost:9092", "${BROKERS}")
      .replace("index: logs", "index: ${PREFIX:-logs}-${ENV:-dev}");
    const plan = await load(text, { env: { BROKERS: "k1:9092,k2:9092", ENV: "" } });
    expect(plan.pipelines[0]!.source.brokers).toBe("k1:9092,k2:9092");
    expect(plan.pipelines[0]!.targets[0]!.sink.index).toBe("logs-dev");
    const set = await load(text, { env: { BROKERS: "k", PREFIX: "app", ENV: "prod" } });
    expect(set.pipelines[0]!.targets[0]!.sink.index).toBe("app-prod");
  });

  it("refuses an unset variable without a default, naming it and the option", async () => {
    const { message } = await refusal(config().replace("localhost:9092", "${BROKERS}"));
    expect(message).toBe(
      "sluice.yaml:2:3 kafka.brokers: needs the environment variable BROKERS, which is not set (or write `${BROKERS:-default}`)",
    );
  });

  it("$${ is a literal ${, and a malformed or unclosed reference is refused", async () => {
    const literal = await load(config().replace("index: logs", () => 'index: "logs-$${x}"'));
    expect(literal.pipelines[0]!.targets[0]!.sink.index).toBe("logs-${x}");
    expect((await refusal(config().replace("index: logs", 'index: "${1X}"'))).message).toBe(
      "sluice.yaml:13:11 pipelines[0].targets[0].elasticsearch.index: has `${1X}`, which is not `${NAME}`, `${NAME:-default}` or `${file:PATH}`",
    );
    expect((await refusal(config().replace("index: logs", 'index: "logs-${X"'))).message).toBe(
      "sluice.yaml:13:11 pipelines[0].targets[0].elasticsearch.index: has `${` without its closing `}` (write `$${` for a literal `${`)",
    );
  });

  it("interpolates after parsing: a value never becomes YAML structure", async () => {
    const text = config()
      .replace("topics: [logs]", "topics:\n        - ${TOPIC}")
      .replace("index: logs", "index: ${INDEX}");
    const plan = await load(text, { env: { TOPIC: "a, b]\n      evil: [x", INDEX: "{ topics: { a: b } }" } });
    expect(plan.pipelines[0]!.source.topics).toEqual(["a, b]\n      evil: [x"]);
    expect(plan.pipelines[0]!.targets[0]!.sink.index).toBe("{ topics: { a: b } }");
  });

  it("an unquoted reference alone reads as YAML reads the value (a port number); a quoted one stays text", async () => {
    const plan = await load(config({ top: "http:\n  port: ${PORT}\n  host: ${HOST}" }), {
      env: { PORT: "9464", HOST: "0.0.0.0" },
    });
    expect(plan.http).toEqual({ port: 9464, host: "0.0.0.0" });
    const quoted = await refusal(config({ top: 'http:\n  port: "${PORT}"' }), { env: { PORT: "9464" } });
    expect(quoted.message).toBe("sluice.yaml:6:3 http.port: must be integer");
  });

  it("reads a secret from a file relative to the config, without its trailing newline", async () => {
    const text = config({
      top: "deadLetters: { auth: { username: elastic, password: '${file:es-password}' } }",
    });
    const plan = await load(text, { files: { "es-password": "s3cr3t-value\n" } });
    expect(plan.deadLetters?.sink.auth).toEqual({ username: "elastic", password: "s3cr3t-value" });
  });

  it("refuses a secret file that cannot be read, naming the file, never a value", async () => {
    const text = config({
      top: "deadLetters: { auth: { username: elastic, password: '${file:missing-pw}' } }",
    });
    expect((await refusal(text)).message).toBe(
      "sluice.yaml:5:43 deadLetters.auth.password: reads the secret file missing-pw, which cannot be read (ENOENT)",
    );
  });
});
