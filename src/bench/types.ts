/** One line of the `npm run bench` table: a figure and how it was measured. */
export interface BenchRow {
  area: string;
  metric: string;
  value: number | string;
  unit: string;
  how: string;
}

export type BenchSection = () => Promise<BenchRow[]>;
