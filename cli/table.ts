/** Tables fit a 100-column terminal (or a narrower one): wide cells are cut or wrapped. */
export const TABLE_WIDTH = 100;

export interface TableOptions {
  /** Total width to fit, default 100 columns. */
  maxWidth?: number;
  /** Columns whose text wraps onto extra lines instead of being cut (e.g. a list of actions). */
  wrap?: number[];
  /** Styling applied after layout (colour): gets the cell's plain, already fitted text. */
  style?: (text: string, column: number, row: number) => string;
  header?: (text: string) => string;
}

const GAP = 2;
/**
 * No column is narrowed below this; wrapped columns lose nothing, so they give up room first,
 * down to their longest word.
 */
const MIN_COLUMN = 8;
const MIN_WRAPPED = 20;

/** Renders rows as an aligned plain-text table no wider than `maxWidth`. */
export function renderTable(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const maxWidth = options.maxWidth ?? TABLE_WIDTH;
  const wrap = new Set(options.wrap ?? []);
  const style = options.style ?? ((text: string) => text);
  const header = options.header ?? ((text: string) => text);
  const cells = rows.map((row) => headers.map((_, i) => flatten(row[i] ?? '')));
  const widths = fitWidths(
    headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length))),
    headers.map((_, i) => (wrap.has(i) ? Math.max(MIN_WRAPPED, ...cells.map((row) => longestWord(row[i]!))) : MIN_COLUMN)),
    maxWidth,
    wrap,
  );

  const lines: string[] = [];
  const emit = (parts: string[], styled: string[]) => {
    const last = parts.length - 1;
    lines.push(
      styled
        .map((text, i) => (i === last ? text : text + ' '.repeat(widths[i]! - parts[i]!.length + GAP)))
        .join('')
        .trimEnd(),
    );
  };
  emit(
    headers.map((h, i) => truncate(h, widths[i]!)),
    headers.map((h, i) => header(truncate(h, widths[i]!))),
  );
  const rule = widths.map((w) => '-'.repeat(w));
  emit(rule, rule);
  cells.forEach((row, r) => {
    const columns = row.map((cell, i) => (wrap.has(i) ? wrapText(cell, widths[i]!) : [truncate(cell, widths[i]!)]));
    const height = Math.max(...columns.map((c) => c.length));
    for (let k = 0; k < height; k++) {
      const parts = columns.map((c) => c[k] ?? '');
      emit(
        parts,
        parts.map((text, i) => (text === '' ? text : style(text, i, r))),
      );
    }
  });
  return lines.join('\n');
}

/** Narrows wrapped columns first, then the widest others, until the table (with its gaps) fits. */
function fitWidths(natural: number[], minimum: number[], maxWidth: number, wrap: Set<number>): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  const widestOf = (candidates: (i: number) => boolean) => {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (candidates(i) && widths[i]! > minimum[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    }
    return widest;
  };
  while (total() > maxWidth) {
    let column = widestOf((i) => wrap.has(i));
    if (column < 0) column = widestOf(() => true);
    if (column < 0) break;
    widths[column]!--;
  }
  return widths;
}

function longestWord(text: string): number {
  return Math.max(0, ...text.split(' ').map((w) => w.length));
}

function flatten(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function truncate(text: string, max: number): string {
  const flat = flatten(text);
  return flat.length > max ? `${flat.slice(0, Math.max(0, max - 1))}…` : flat;
}

/** Word-wraps to `width`, cutting words longer than a line. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of flatten(text).split(' ')) {
    let rest = word;
    while (rest.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= width) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}
