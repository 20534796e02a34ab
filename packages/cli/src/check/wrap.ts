// Wraps prose to the width an operator's terminal shows, indenting the lines after the first.

/**
 * `text` broken at spaces into lines of at most `width` characters, each after the first led by `indent`
 * (as wide as whatever the caller puts before the first).
 */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}
