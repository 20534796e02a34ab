// A plain SVG bar chart: one group of horizontal bars per section, values labelled.
export interface Section {
  title: string;
  unit: string;
  bars: Array<{ label: string; value: number; highlight?: boolean }>;
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function barChart(title: string, subtitle: string, sections: Section[]): string {
  const width = 760;
  const labelWidth = 250;
  const barMax = width - labelWidth - 130;
  const rows: string[] = [];
  let y = 64;
  for (const section of sections) {
    rows.push(`<text x="16" y="${y}" font-weight="bold">${xml(section.title)}</text>`);
    y += 10;
    const max = Math.max(...section.bars.map((b) => b.value), 1);
    for (const bar of section.bars) {
      const w = Math.max(1, Math.round((bar.value / max) * barMax));
      rows.push(
        `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end">${xml(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 2}" width="${w}" height="16" fill="${bar.highlight ? "#d9480f" : "#495057"}"/>`,
        `<text x="${labelWidth + w + 6}" y="${y + 14}">${Math.round(bar.value).toLocaleString("en-US")} ${xml(section.unit)}</text>`,
      );
      y += 22;
    }
    y += 18;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="16" y="24" font-size="16" font-weight="bold">${xml(title)}</text>`,
    `<text x="16" y="42" fill="#555">${xml(subtitle)}</text>`,
    ...rows,
    "</svg>",
    "",
  ].join("\n");
}
