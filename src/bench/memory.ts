/** Peak memory of a bench run: RSS from the OS, heap sampled by the sections as they go. */
import { resourceUsage } from 'node:process';

let peakHeap = 0;

export function sampleHeap(): void {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}

export function peakMemory(): { rssBytes: number; heapBytes: number } {
  sampleHeap();
  return { rssBytes: resourceUsage().maxRSS * 1024, heapBytes: peakHeap };
}
