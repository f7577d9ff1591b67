/**
 * The PR gate end to end: signed webhooks over loopback HTTP into Probot's node middleware, the
 * real gate on a real Redis, GitHub played by the stand-in. Figures: events/s and handling
 * latency for a realistic mix, GitHub reads and writes per event type, webhook-to-visible-check
 * time, and write spacing per installation with Octokit's throttling on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventCost } from '../handlers/app.js';
import { headSha, startFleet, type Fleet } from './harness.js';
import { buildDelivery, type Delivery, type DeliveryResult, type PullTarget } from '../stand-in/webhooks.js';
import { round } from './stats.js';
import type { BenchRow, BenchSection } from './types.js';

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** One PR's life as four deliveries: opened, a push, an approving review, a command; GitHub's state moves first. */
function lifecycle(fleet: Fleet, pr: PullTarget): Array<() => Delivery> {
  const { state } = fleet.standIn;
  const pushed = { ...pr, headSha: headSha(`${pr.owner}-${pr.number}-1`) };
  return [
    () => buildDelivery({ event: 'pull_request.opened', pr }),
    () => {
      state.pushToPull(pr.owner, pr.repo, pr.number, pushed.headSha);
      return buildDelivery({ event: 'pull_request.synchronize', pr: pushed, before: pr.headSha });
    },
    () => {
      const review = state.addReview(pr.owner, pr.repo, pr.number, { user: 'bob', state: 'APPROVED' });
      return buildDelivery({ event: 'pull_request_review.submitted', pr: pushed, reviewer: 'bob', state: 'approved', reviewId: review.id });
    },
    () => {
      const comment = state.addComment(pr.owner, pr.repo, pr.number, 'carol', '/hitl status');
      return buildDelivery({ event: 'issue_comment.created', pr: pushed, commenter: 'carol', body: '/hitl status', commentId: comment.id });
    },
  ];
}

/** Runs every PR's lifecycle, `parallel` PRs at a time, each PR's events in order, spread over the fleet's instances. */
async function drive(fleet: Fleet, pulls: readonly PullTarget[], parallel: number): Promise<{ results: DeliveryResult[]; wallMs: number }> {
  const results: DeliveryResult[] = [];
  let next = 0;
  let sent = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < pulls.length) {
      const pr = pulls[next++]!;
      for (const make of lifecycle(fleet, pr)) results.push(await fleet.drivers[sent++ % fleet.drivers.length]!.send(make()));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, pulls.length) }, worker));
  return { results, wallMs: performance.now() - started };
}

/** Extra PRs on installation 1 (the fleet seeds one per installation). */
function morePulls(fleet: Fleet, count: number): PullTarget[] {
  const first = fleet.pulls[0]!;
  return Array.from({ length: count }, (_, i) => {
    const pr = { ...first, number: i + 2, headSha: headSha(`one-${i + 2}-0`) };
    fleet.standIn.state.addPullRequest(pr.owner, pr.repo, { number: pr.number, author: 'alice', head: { ref: `feature-${pr.number}`, sha: pr.headSha }, files: [{ filename: 'src/app.ts', additions: 30, deletions: 10 }] });
    return pr;
  });
}

function costRows(costs: readonly EventCost[], how: string): BenchRow[] {
  const byEvent = new Map<string, EventCost[]>();
  for (const cost of costs) if (cost.outcome === 'handled') byEvent.set(cost.event, [...(byEvent.get(cost.event) ?? []), cost]);
  return [...byEvent].flatMap(([event, list]) => {
    const reads = list.map((c) => c.reads);
    const writes = list.map((c) => c.writes);
    return [
      { area: 'gate cost', metric: `${event} reads (median / max)`, value: `${percentile(reads, 50)} / ${Math.max(...reads)}`, unit: 'calls', how: `${list.length} events; ${how}` },
      { area: 'gate cost', metric: `${event} writes (median / max)`, value: `${percentile(writes, 50)} / ${Math.max(...writes)}`, unit: 'calls', how: `${list.length} events; ${how}` },
    ];
  });
}

async function throughput(installations: number, latencyMs: number, rows: BenchRow[]): Promise<void> {
  const fleet = await startFleet({ installations, standIn: { latencyMs }, concurrency: 16 });
  try {
    const pulls = installations === 1 ? [fleet.pulls[0]!, ...morePulls(fleet, 24)] : fleet.pulls;
    const { results, wallMs } = await drive(fleet, pulls, 16);
    const ok = results.filter((r) => r.status >= 200 && r.status < 300);
    const latencies = ok.map((r) => r.latencyMs);
    const label = `${installations} inst, +${latencyMs} ms/call`;
    const how = `${pulls.length} PRs × (opened, synchronize, approving review, /hitl status), 16 PRs in flight, each PR's events in order; signed HTTP deliveries to Probot's middleware; ${ok.length}/${results.length} answered 2xx; throttling off`;
    rows.push({
      area: 'gate', metric: `events/s (${label})`, value: round(results.length / (wallMs / 1000)), unit: 'events/s', how,
      ...(installations === 1 && latencyMs === 0 ? { figure: 'events_per_s' } : {}),
    });
    rows.push({ area: 'gate', metric: `handling p50 (${label})`, value: round(percentile(latencies, 50)), unit: 'ms', how: 'webhook POST until the middleware answered (it waits for the handlers)' });
    rows.push({ area: 'gate', metric: `handling p99 (${label})`, value: round(percentile(latencies, 99)), unit: 'ms', how: 'same deliveries' });
    if (installations === 1 && latencyMs === 0) rows.push(...costRows(fleet.instances[0]!.app.costs, 'one repo, config cached after its first PR, counted by an Octokit hook per event (token requests excluded)'));
    if (installations === 50 && latencyMs === 0) rows.push(...visibleCheck(await timeToCheck(fleet, 20), 'gate'));
  } finally {
    await fleet.stop();
  }
}

/** Webhook sent → the `hitl` check run exists in the stand-in's state (polled every ms). */
async function timeToCheck(fleet: Fleet, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const pr = fleet.pulls[i % fleet.pulls.length]!;
    const fresh = { ...pr, number: 100 + i, headSha: headSha(`visible-${i}`) };
    fleet.standIn.state.addPullRequest(pr.owner, pr.repo, { number: fresh.number, author: 'alice', head: { ref: `visible-${i}`, sha: fresh.headSha }, files: [{ filename: 'src/app.ts', additions: 30, deletions: 10 }] });
    const started = performance.now();
    const answered = fleet.drivers[0]!.send(buildDelivery({ event: 'pull_request.opened', pr: fresh }));
    while (fleet.standIn.state.checkRuns(pr.owner, pr.repo, { headSha: fresh.headSha, name: 'hitl' }).length === 0 && performance.now() - started < 10_000) await sleep(1);
    times.push(performance.now() - started);
    await answered;
  }
  return times;
}

const visibleCheck = (times: number[], area: string): BenchRow[] => [
  { area, metric: 'webhook → visible hitl check p50', value: round(percentile(times, 50)), unit: 'ms', how: `${times.length} opened PRs one after another, the stand-in's state polled every 1 ms until the check run exists` },
  { area, metric: 'webhook → visible hitl check max', value: round(Math.max(...times)), unit: 'ms', how: 'same PRs' },
];

/**
 * Are writes spaced per installation while installations run in parallel? HITL's Redis write
 * slots (Octokit throttling off), and for contrast Probot's throttling alone, which in webhook
 * contexts queues the writes of every installation behind one limiter.
 */
async function spacing(rows: BenchRow[], variant: 'hitl' | 'probot', installations: number): Promise<void> {
  const hitl = variant === 'hitl';
  const fleet = await startFleet({ installations, throttle: !hitl, deps: { spaceWrites: hitl }, concurrency: installations });
  try {
    const { results, wallMs } = await drive(fleet, fleet.pulls, installations);
    const stats = fleet.standIn.calls.stats();
    const violations = fleet.standIn.calls.violations();
    const name = hitl ? 'HITL Redis write slots' : 'Probot throttling only';
    const how = `${installations} installations × 1 PR × 4 events at once; ${hitl ? 'spaceWrites on, Octokit throttling off' : 'Octokit throttling on, spaceWrites off'}; the stand-in flags writes of one installation < 1 s apart and > 80 content creations/min`;
    const answered = results.filter((r) => r.status === 200).length;
    rows.push({ area: 'write spacing', metric: `${name}: wall time`, value: round(wallMs / 1000), unit: 's', how: `${results.length} events (${answered} answered 200 within Probot's 9 s, the rest 202), ${stats.writes} writes reached GitHub before the run ended` });
    rows.push({ area: 'write spacing', metric: `${name}: violations (spacing / content)`, value: `${violations.filter((v) => v.kind === 'write-spacing').length} / ${violations.filter((v) => v.kind === 'content-creation-rate').length}`, unit: 'count', how });
  } finally {
    await fleet.stop();
  }
}

/** `quick` keeps one installation without added latency and HITL's write spacing: the rows that carry figures. */
export const gateBench: BenchSection = async ({ quick }) => {
  const rows: BenchRow[] = [];
  for (const latencyMs of quick ? [0] : [0, 50]) for (const installations of quick ? [1] : [1, 50]) await throughput(installations, latencyMs, rows);
  await spacing(rows, 'hitl', 50);
  if (!quick) await spacing(rows, 'probot', 10);
  return rows;
};
