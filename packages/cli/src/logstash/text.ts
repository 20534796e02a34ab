// A config text and the way back from an offset in it to the file and line the user wrote.
import type { Position } from "./ast.js";

/** A text to parse and how to name a place inside it. */
export interface ConfigText {
  /** The text. */
  readonly text: string;
  /** A short name of where the text came from, for messages: a path, or a YAML file and its key. */
  readonly source: string;
  /** The position, in the user's file, of the character at `offset` of `text`. */
  locate(offset: number): Position;
}

/** Offsets at which each line of `text` starts ("\n" ends a line, as in Logstash's line count). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** The 0-based line holding `offset`. */
export function lineOf(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The 1-based column of `offset` on the line starting at `lineStart`, counting characters as Logstash (Ruby) does. */
function columnOf(text: string, lineStart: number, offset: number): number {
  let column = 1;
  for (let i = lineStart; i < offset; i++) {
    const code = text.charCodeAt(i);
    // The second half of a surrogate pair is the same character as the first.
    if (code < 0xdc00 || code > 0xdfff || i === lineStart) column++;
  }
  return column;
}

/** A text that is a whole file: positions are its own lines and columns. */
export function fileText(file: string, text: string): ConfigText {
  const starts = lineStarts(text);
  return {
    text,
    source: file,
    locate(offset) {
      const line = lineOf(starts, offset);
      return { file, line: line + 1, column: columnOf(text, starts[line]!, offset) };
    },
  };
}

/**
 * A text that sits inside another, line by line: its line `i` is the parent's line `firstLine + i`,
 * shifted right by `indent` columns (a YAML block scalar). Positions are the parent's, so they compose.
 */
export function embeddedText(
  parent: ConfigText,
  text: string,
  firstLine: number,
  indent: number,
  entry: string,
): ConfigText {
  const starts = lineStarts(text);
  const parentStarts = lineStarts(parent.text);
  return {
    text,
    source: `${parent.source} ${entry}`,
    locate(offset) {
      const line = lineOf(starts, offset);
      const parentLine = parentStarts[firstLine + line];
      const at =
        parentLine === undefined ? parent.text.length : parentLine + indent + (offset - starts[line]!);
      return within(parent.locate(at), entry);
    },
  };
}

/**
 * A text held in another in a form whose lines do not map one to one (a quoted or folded YAML scalar):
 * every position is where the text starts in the parent, and the entry says the line and column inside.
 */
export function scalarText(parent: ConfigText, text: string, start: number, entry: string): ConfigText {
  const starts = lineStarts(text);
  const at = parent.locate(start);
  return {
    text,
    source: `${parent.source} ${entry}`,
    locate(offset) {
      const line = lineOf(starts, offset);
      return within(at, `${entry} line ${line + 1}, column ${columnOf(text, starts[line]!, offset)}`);
    },
  };
}

/** A parent's position with the key of the embedded text added to its own key, if it has one. */
function within(position: Position, entry: string): Position {
  return { ...position, entry: position.entry === undefined ? entry : `${position.entry} ${entry}` };
}
