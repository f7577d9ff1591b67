/** One line of the `npm run bench` table: a figure and how it was measured. */
export interface BenchRow {
  area: string;
  metric: string;
  value: number | string;
  unit: string;
  how: string;
  /** The key under which `--json` also writes the value in `figures`, for machines (CI, notes). */
  figure?: string;
}

export interface BenchOptions {
  /** Smaller sizes and shorter timing budgets, for CI: the same rows and figures, noisier. */
  quick: boolean;
}

export type BenchSection = (options: BenchOptions) => Promise<BenchRow[]>;
