/** Time is injected everywhere it matters, so tests and benchmarks can drive it. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
