// Files, directories, globs, Helm values and pipelines.yml load into pipelines as Logstash loads them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LogstashConfigError, type LsPlugin, loadLogstash } from "../../src/index.ts";
import { attributes, names } from "./values.ts";

const root = mkdtempSync(join(tmpdir(), "sluice-lsconf-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `files` (name → text) into a new directory and returns its path. */
function dir(name: string, files: Record<string, string | Buffer>): string {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(path, file, ".."), { recursive: true });
    writeFileSync(join(path, file), text);
  }
  return path;
}

/** A pipeline file whose plugins are named after it, so order shows. */
const conf = (tag: string) => `input { in_${tag} {} }\nfilter { f_${tag} {} }\noutput { out_${tag} {} }\n`;

function refusal(run: () => unknown): LogstashConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LogstashConfigError);
    return error as LogstashConfigError;
  }
  throw new Error("it loaded");
}

describe("pipeline files", () => {
  const d = dir("sorted", {
    "b.conf": conf("b"),
    "a.conf": conf("a"),
    "B.conf": conf("B"),
    "10.conf": conf("10"),
    "9.conf": conf("9"),
    ".hidden.conf": conf("hidden"),
    "old.conf~": conf("backup"),
    "sub/inner.conf": conf("inner"),
  });

  it("reads a directory's files sorted byte by byte into one pipeline main", () => {
    const config = loadLogstash([d]);
    expect(config.form).toBe("files");
    const [main] = config.pipelines;
    expect(main!.id).toBe("main");
    expect(main!.texts.map((text) => text.source)).toEqual(
      ["10.conf", "9.conf", "B.conf", "a.conf", "b.conf"].map((name) => join(d, name)),
    );
    expect(names(main!.inputs)).toEqual(["in_10", "in_9", "in_B", "in_a", "in_b"]);
    expect(names(main!.filters)).toEqual(["f_10", "f_9", "f_B", "f_a", "f_b"]);
    expect(names(main!.outputs)).toEqual(["out_10", "out_9", "out_B", "out_a", "out_b"]);
    expect(main!.notices.map((notice) => notice.message)).toEqual([
      `${join(d, "old.conf~")} is not read: Logstash skips files ending in ~ as editor backups`,
    ]);
  });

  it("expands globs as Logstash's path.config does", () => {
    const [main] = loadLogstash([join(d, "[ab].conf"), join(d, "{10,9}.c*")]).pipelines;
    expect(names(main!.inputs)).toEqual(["in_a", "in_b", "in_10", "in_9"]);
    expect(names(loadLogstash([join(d, "**/*.conf")]).pipelines[0]!.inputs)).toEqual([
      "in_10",
      "in_9",
      "in_B",
      "in_a",
      "in_b",
      "in_inner",
    ]);
  });

  it("reads a list of files in the order given, appending each file's sections and merging kinds in order", () => {
    const two = dir("two", {
      "first.conf": "filter { f1 {} }\noutput { o1 {} }\nfilter { f2 {} }\n",
      "second.conf": "input { i1 {} }\nfilter { f3 {} }\n",
    });
    const [main] = loadLogstash([join(two, "second.conf"), join(two, "first.conf")]).pipelines;
    expect(names(main!.inputs)).toEqual(["i1"]);
    expect(names(main!.filters)).toEqual(["f3", "f1", "f2"]);
    expect(names(main!.outputs)).toEqual(["o1"]);
    expect(main!.filters[1]!.position).toEqual({ file: join(two, "first.conf"), line: 1, column: 10 });
  });

  it("names the file, line and column of a syntax error in the second file", () => {
    const bad = dir("bad", {
      "1.conf": conf("ok"),
      "2.conf": 'input {\n  kafka {\n    topics => ["a"\n  }\n}\n',
    });
    const error = refusal(() => loadLogstash([bad]));
    expect(error.position).toEqual({ file: join(bad, "2.conf"), line: 4, column: 3 });
    expect(error.message).toMatch(new RegExp(`^${join(bad, "2.conf")}:4:3: Expected one of .*"\\]"`));
  });

  it("refuses a path with no file, and a file that is not UTF-8", () => {
    expect(() => loadLogstash([join(d, "*.nothing")])).toThrow(/no config file found in path/);
    const latin1 = dir("latin1", { "x.conf": Buffer.from([0x69, 0x6e, 0x70, 0x75, 0x74, 0xe9]) });
    expect(() => loadLogstash([latin1])).toThrow(/not UTF-8 encoded/);
  });
});

describe("Helm values", () => {
  it("reads logstashPipeline in the order Logstash lists the mounted directory, hidden and ~ keys skipped", () => {
    const d = dir("helm-order", {
      "values.yaml": [
        "logstashPipeline:",
        "  z.conf: |",
        "    input { in_z {} }",
        "  A.conf: |",
        "    input { in_A {} }",
        "  .hidden.conf: |",
        "    input { in_hidden {} }",
        "  m.conf~: |",
        "    input { in_backup {} }",
        "  m.conf: 'input { in_m {} }'",
        "",
      ].join("\n"),
    });
    const file = join(d, "values.yaml");
    const [main] = loadLogstash([file]).pipelines;
    expect(names(main!.inputs)).toEqual(["in_A", "in_m", "in_z"]);
    expect(main!.notices.map((notice) => [notice.position.line, notice.message])).toEqual([
      [6, 'logstashPipeline[".hidden.conf"] is not read: Logstash\'s path.config glob skips hidden files'],
      [
        9,
        "/usr/share/logstash/pipeline/m.conf~ is not read: Logstash skips files ending in ~ as editor backups",
      ],
    ]);
    // A quoted scalar's lines do not map to the file's: positions point at the scalar and say where inside.
    expect(main!.inputs[1]!.position).toEqual({
      file,
      line: 10,
      column: 11,
      entry: 'logstashPipeline["m.conf"] line 1, column 9',
    });
  });

  it("names the values file and its line for a syntax error inside a pipeline", () => {
    const d = dir("helm-bad", {
      "values.yaml": [
        "replicas: 1",
        "logstashPipeline:",
        "  good.conf: |",
        "    input { x {} }",
        "  bad.conf: |",
        "    filter {",
        '      mutate { add_field => { "a" => "b", "c" => "d" } }',
        "    }",
        "",
      ].join("\n"),
    });
    const file = join(d, "values.yaml");
    const error = refusal(() => loadLogstash([file]));
    expect(error.position).toEqual({ file, line: 7, column: 41, entry: 'logstashPipeline["bad.conf"]' });
    expect(error.message.startsWith(`${file}:7:41 (logstashPipeline["bad.conf"]): Expected one of `)).toBe(
      true,
    );
  });

  it("uses logstashConfig's pipelines.yml and logstash.yml when the values supply them", () => {
    const d = dir("helm-multi", {
      "values.yaml": [
        "logstashConfig:",
        "  logstash.yml: |",
        "    config:",
        "      support_escapes: true",
        "  pipelines.yml: |",
        "    - pipeline.id: events",
        '      path.config: "/usr/share/logstash/pipeline/event*.conf"',
        "    - pipeline.id: logs",
        "      path.config: pipeline/logs.conf",
        "      pipeline.workers: 2",
        "logstashPipeline:",
        "  events-b.conf: |",
        '    input { x { a => "tab\\there" } }',
        "  events-a.conf: |",
        "    input { y {} }",
        "  logs.conf: |",
        "    output { z {} }",
        "",
      ].join("\n"),
    });
    const config = loadLogstash([join(d, "values.yaml")]);
    expect(config.pipelines.map((p) => [p.id, names(p.inputs), names(p.outputs)])).toEqual([
      ["events", ["y", "x"], []],
      ["logs", [], ["z"]],
    ]);
    expect(attributes(config.pipelines[0]!.inputs[1]!)).toEqual({ a: "tab\there" });
    expect(config.pipelines[1]!.settings).toEqual({ "config.support_escapes": true, "pipeline.workers": 2 });
  });

  it("refuses values without logstashPipeline files", () => {
    const d = dir("helm-empty", { "values.yaml": "replicas: 1\nlogstashPipeline: {}\n" });
    expect(refusal(() => loadLogstash([join(d, "values.yaml")])).message).toMatch(
      /values\.yaml:2:19: `logstashPipeline` holds no pipeline file/,
    );
  });
});

describe("pipelines.yml", () => {
  const d = dir("multi", {
    "conf.d/b.conf": conf("b"),
    "conf.d/a.conf": conf("a"),
    "pipelines.yml": [
      "- pipeline.id: from-files",
      '  path.config: "conf.d/*.conf"',
      "  pipeline.batch.size: 250",
      "- pipeline.id: inline",
      "  config.support_escapes: true",
      "  config.string: |",
      '    input { generator { message => "a\\nb" } }',
      "    output {",
      "      if [x] { stdout {} }",
      "    }",
      "",
    ].join("\n"),
  });
  const file = join(d, "pipelines.yml");

  it("gives each entry's pipeline, path.config relative to the file, config.string placed in the YAML file", () => {
    const config = loadLogstash([file]);
    expect(config.form).toBe("pipelines.yml");
    const [files, inline] = config.pipelines;
    expect(files!.id).toBe("from-files");
    expect(names(files!.inputs)).toEqual(["in_a", "in_b"]);
    expect(files!.settings).toEqual({ "pipeline.batch.size": 250 });
    expect(inline!.id).toBe("inline");
    expect(attributes(inline!.inputs[0]!)).toEqual({ message: "a\nb" });
    const entry = 'pipeline "inline" config.string';
    expect(inline!.inputs[0]!.position).toEqual({ file, line: 7, column: 13, entry });
    expect(inline!.outputs[0]!.position).toEqual({ file, line: 9, column: 7, entry });
    expect(
      (inline!.outputs[0]!.kind === "branch" && inline!.outputs[0]!.clauses[0]!.body[0]) as LsPlugin,
    ).toMatchObject({ name: "stdout", position: { file, line: 9, column: 16 } });
  });

  it("refuses duplicate ids, a file that is not a list, and an entry without config", () => {
    const bad = dir("multi-bad", {
      "dup.yml": '- path.config: "x"\n- config.string: "input {}"\n',
      "map.yml": "pipeline.id: main\n",
      "none.yml": "- pipeline.id: lonely\n",
      "syntax.yml": "- config.string: |\n    input {\n      x { a => }\n    }\n",
    });
    expect(refusal(() => loadLogstash([join(bad, "dup.yml")])).message).toMatch(
      /dup\.yml:2:3: Pipelines YAML file contains duplicate pipeline ids: \["main"\]/,
    );
    expect(refusal(() => loadLogstash([join(bad, "map.yml")])).message).toMatch(
      /map\.yml:1:1: neither a pipelines\.yml/,
    );
    expect(refusal(() => loadLogstash([join(bad, "none.yml")])).message).toMatch(
      /none\.yml:1:3: pipeline "lonely" has neither `path\.config` nor `config\.string`/,
    );
    expect(refusal(() => loadLogstash([join(bad, "syntax.yml")])).position).toMatchObject({
      line: 3,
      column: 16,
    });
  });

  it("is read alone", () => {
    expect(() => loadLogstash([file, join(d, "conf.d")])).toThrow(/read alone/);
  });
});

describe("positions and YAML errors", () => {
  it("count a character outside the BMP once, as Logstash does", () => {
    const d = dir("emoji", { "e.conf": 'input { x { a => "🚀" b => 1 } }' });
    const [main] = loadLogstash([join(d, "e.conf")]).pipelines;
    expect((main!.inputs[0] as LsPlugin).attributes[1]!.position).toMatchObject({ line: 1, column: 22 });
  });

  it("refuse invalid YAML and a pipeline that is not a string at their lines", () => {
    const d = dir("bad-yaml", {
      "broken.yaml": "logstashPipeline:\n  a.conf: |\n    input {}\n  b.conf: [\n",
      "number.yaml": "logstashPipeline:\n  a.conf: 12\n",
    });
    expect(refusal(() => loadLogstash([join(d, "broken.yaml")])).message).toMatch(
      /broken\.yaml:\d+:\d+: invalid YAML: /,
    );
    expect(refusal(() => loadLogstash([join(d, "number.yaml")])).message).toMatch(
      /number\.yaml:2:11: logstashPipeline\["a\.conf"\] must be a string/,
    );
  });
});
