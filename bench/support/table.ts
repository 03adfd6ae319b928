/** A Markdown table: the first `leftColumns` and the last column left-aligned, the rest right-aligned. */
export function markdownTable(
  header: readonly string[],
  body: readonly (readonly string[])[],
  leftColumns = 1,
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]?.length ?? 0)),
  );
  const left = (column: number) => column < leftColumns || column === header.length - 1;
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (left(column) ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (left(column) ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}
