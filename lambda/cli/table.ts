/**
 * Plain-text tables for a terminal: the default output of `process` and `query`.
 *
 * Rows stream: column widths are measured on the first block of rows, then kept, so a long run prints as it goes
 * instead of holding every row; a later cell longer than its column is cut with an ellipsis. The table is for
 * people — scripts use `--json`, whose shape is a contract; this one is not.
 */
import type { NormalisedEvent, Principal, Resource } from '../core/types';
import type { TextSink } from './io';

/** One column: its heading and how to render an event in it. */
export interface Column<Row> {
  readonly heading: string;
  readonly cell: (row: Row) => string;
  /** The widest a cell may be before it is cut. @default 60 */
  readonly maxWidth?: number;
}

const DEFAULT_MAX_WIDTH = 60;
const GAP = '  ';
/** The narrowest a column is squeezed to when a table must fit a terminal. */
const MIN_COLUMN_WIDTH = 8;

/** Options of {@link TableWriter}. */
export interface TableOptions {
  /** How many rows set the column widths before the first line is printed. @default 100 */
  readonly blockSize?: number;
  /**
   * The widest a line may be (a terminal's width): the widest columns are narrowed, their cells cut with an
   * ellipsis, until a line fits (no column below 8 characters).
   * @default no limit
   */
  readonly maxWidth?: number;
}

/** The width a table printed to `sink` should fit: the terminal's, when it is one; else no limit (a pipe, a file). */
export function tableWidth(sink: TextSink): number | undefined {
  return sink.isTTY && sink.columns !== undefined && sink.columns > 0 ? sink.columns : undefined;
}

/** Cuts `text` to `width` characters, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, width);
  return `${text.slice(0, width - 1)}…`;
}

/** Turns rows into aligned lines; the last column is not padded (no trailing blanks). */
export class TableWriter<Row> {
  private readonly pending: Row[] = [];
  private widths: number[] | undefined;

  private readonly blockSize: number;

  /**
   * @param columns what to show, left to right
   * @param emit receives each finished line (without newline)
   */
  constructor(
    private readonly columns: readonly Column<Row>[],
    private readonly emit: (line: string) => Promise<void>,
    private readonly options: TableOptions = {},
  ) {
    this.blockSize = options.blockSize ?? 100;
  }

  /** Adds a row; prints it now if the widths are set, else once the first block is full. */
  async add(row: Row): Promise<void> {
    if (this.widths !== undefined) {
      await this.emit(this.format(this.cells(row)));
      return;
    }
    this.pending.push(row);
    if (this.pending.length >= this.blockSize) await this.flush();
  }

  /** Prints whatever is held back (the heading included, even for an empty table). */
  async end(): Promise<void> {
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.widths !== undefined) return;
    const rows = this.pending.splice(0).map((row) => this.cells(row));
    const headings = this.columns.map((column) => column.heading);
    this.widths = fitWidths(
      headings.map((heading, index) => Math.max(heading.length, ...rows.map((cells) => (cells[index] ?? '').length))),
      this.options.maxWidth,
    );
    await this.emit(this.format(headings));
    for (const cells of rows) await this.emit(this.format(cells));
  }

  private cells(row: Row): string[] {
    return this.columns.map((column) =>
      truncate(column.cell(row).replace(/\s+/g, ' '), column.maxWidth ?? DEFAULT_MAX_WIDTH),
    );
  }

  private format(cells: readonly string[]): string {
    const widths = this.widths ?? [];
    return cells
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        // The last column is not padded; with a width to fit it is cut like the others.
        if (index === cells.length - 1) return this.options.maxWidth === undefined ? cell : truncate(cell, width);
        return truncate(cell, width).padEnd(width);
      })
      .join(GAP)
      .trimEnd();
  }
}

/**
 * Column widths narrowed to fit `maxWidth` (gaps included): the widest column is cut by one character at a time,
 * so narrow columns (time, region) stay whole while long ones (resources, principal) give way.
 */
export function fitWidths(widths: readonly number[], maxWidth: number | undefined): number[] {
  const fitted = [...widths];
  if (maxWidth === undefined) return fitted;
  const total = (): number => fitted.reduce((sum, width) => sum + width, 0) + GAP.length * (fitted.length - 1);
  while (total() > maxWidth) {
    const widest = fitted.indexOf(Math.max(...fitted));
    if ((fitted[widest] ?? 0) <= MIN_COLUMN_WIDTH) break;
    fitted[widest] = (fitted[widest] ?? 0) - 1;
  }
  return fitted;
}

/**
 * The principal as a person reads it: the role or user name, with the session for an assumed role
 * (`Deployer/alice`), else the stable id.
 */
export function principalLabel(principal: Principal): string {
  const name = principal.name ?? principal.id;
  return principal.sessionName === undefined ? name : `${name}/${principal.sessionName}`;
}

/** The resources as a person reads them: names where known (else ARNs), comma-separated, each once. */
export function resourcesLabel(resources: readonly Resource[]): string {
  return [...new Set(resources.map((resource) => resource.name ?? resource.arn ?? resource.type))].join(', ');
}

/**
 * The action as IAM and `query --action` write it: the event source's service prefix and the event name
 * (`elasticloadbalancing:DeleteLoadBalancer`), so it can be pasted back into a query.
 */
export function actionLabel(event: NormalisedEvent): string {
  return `${event.eventSource.replace(/\.amazonaws\.com$/, '')}:${event.eventName}`;
}

/**
 * The columns of `process` and `query`, the same in both so a person reads one as the other. SERVICE tells apart
 * what the action cannot: classic (`elb`) and v2 (`elbv2`) load balancers share the event source
 * `elasticloadbalancing`, and may share a name.
 */
export const EVENT_COLUMNS: readonly Column<NormalisedEvent>[] = [
  { heading: 'TIME', cell: (event) => event.eventTime },
  { heading: 'SERVICE', cell: (event) => event.service },
  { heading: 'PRINCIPAL', cell: (event) => principalLabel(event.principal), maxWidth: 48 },
  { heading: 'ACTION', cell: actionLabel, maxWidth: 64 },
  { heading: 'RESOURCES', cell: (event) => resourcesLabel(event.resources) },
  { heading: 'REGION', cell: (event) => event.awsRegion },
  { heading: 'ERROR', cell: (event) => event.errorCode ?? '' },
];
