/** Prints rows as an aligned text table with a header. */
export function printTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  for (const row of cells) {
    console.log(row.map((cell, column) => cell.padStart(widths[column]!)).join('  '));
  }
}

export const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '-');
