// Compiles VRL held in a config option, moving the compiler's line:column into the user's file.
import { SluiceError } from "@sluice/core";
import type { ConfigText } from "../logstash/text.js";
import { lineStarts } from "../logstash/text.js";
import { VectorConfigError } from "./errors.js";

/** Runs `build` (which compiles `program`); a compile error is refused at its place in the user's file. */
export function atProgram<T>(program: ConfigText, label: string, build: () => T, shift = 0): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof SluiceError)) throw error;
    const match = /has an error at (\d+):(\d+): (.*)$/s.exec(error.message);
    if (match === null)
      throw new VectorConfigError(program.locate(0), `${label}: ${error.message}`, { cause: error });
    const line = Number(match[1]) - 1;
    const column = Number(match[2]) - 1 - (line === 0 ? shift : 0);
    const offset = (lineStarts(program.text)[line] ?? 0) + Math.max(0, column);
    throw new VectorConfigError(program.locate(offset), `${label}: ${match[3]}`, { cause: error });
  }
}
