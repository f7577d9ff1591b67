/**
 * The demo's story: people act on the stand-in's GitHub, the app answers, and each step says
 * what happened on GitHub and what HITL did (read back by the Observer), then checks the outcome
 * it expects against the stand-in's state. A step whose outcome does not appear in time is
 * reported with what was missing; the story goes on with the next step.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { StandIn } from '../stand-in/index.js';
import type { CheckRun, Issue, Repo } from '../stand-in/state.js';
import type { DemoGitHub, PullSeed } from './github.js';
import type { Observer } from './observer.js';
import { APP_LOGIN, PEOPLE, SECURITY_TEAM } from './world.js';

export interface StepOutcome {
  title: string;
  ok: boolean;
  /** The expected outcomes that did not happen (or the error that stopped the step). */
  missed: string[];
}

export interface StoryOptions {
  gh: DemoGitHub;
  standIn: StandIn;
  observer: Observer;
  say: (line: string) => void;
  /** How long an expected outcome may take to show on GitHub (default 30 s). */
  patienceMs?: number;
  /** Ctrl-C: no further step starts, and a step waiting for an outcome stops waiting. */
  signal?: AbortSignal;
}

const POLL_MS = 100;
const { developer, seniorDeveloper, securityReviewer, onCall, technicalLead } = PEOPLE;

/** One step while it runs: narrates, and waits for what it expects. */
class Step {
  readonly missed: string[] = [];
  readonly gh: DemoGitHub;

  constructor(private readonly story: StoryOptions) {
    this.gh = story.gh;
  }

  github(line: string): void {
    this.story.say(`   GitHub  ${line}`);
  }

  /** The author opens a pull request; `aside` adds to what is said about it. */
  async openPull(seed: PullSeed, aside = ''): Promise<number> {
    const pr = await this.gh.openPull(seed);
    const files = seed.files.map((file) => `${file.filename} +${file.additions} −${file.deletions}`).join(', ');
    this.github(`@${seed.author} opens #${pr} "${seed.title}" (${files})${aside}`);
    return pr;
  }

  /** Prints what HITL changed since the last look. */
  narrate(): void {
    for (const line of this.story.observer.changes()) this.story.say(`   HITL    ${line}`);
  }

  /** Waits (narrating as things happen) until `met`; a miss is recorded, not thrown. */
  async expect(what: string, met: () => boolean): Promise<void> {
    const patience = this.story.patienceMs ?? 30_000;
    const until = Date.now() + patience;
    for (;;) {
      this.story.signal?.throwIfAborted();
      this.narrate();
      if (met()) {
        this.story.say(`   ✓ ${what}`);
        return;
      }
      if (Date.now() > until) break;
      await sleep(POLL_MS);
    }
    this.story.say(`   ✗ ${what}: not within ${patience / 1000} s`);
    this.missed.push(what);
  }
}

/** Reads of the demo repository's state, for the expectations. */
class Looks {
  constructor(private readonly options: StoryOptions) {}

  private get repo(): Repo {
    const { owner, repo } = this.options.gh.repo;
    return this.options.standIn.state.repo(owner, repo);
  }

  issue(number: number): Issue {
    const found = this.repo.issues.get(number);
    if (!found) throw new Error(`#${number} does not exist`);
    return found;
  }

  /** The latest run of a check on the pull request's head. */
  check(number: number, name: string): CheckRun | undefined {
    const sha = this.issue(number).pull?.head.sha;
    return this.repo.checkRuns.filter((run) => run.head_sha === sha && run.name === name).sort((a, b) => b.id - a.id)[0];
  }

  passed(number: number, name = 'hitl'): boolean {
    const run = this.check(number, name);
    return run?.status === 'completed' && run.conclusion === 'success';
  }

  pending(number: number, name = 'hitl'): boolean {
    const run = this.check(number, name);
    return run !== undefined && run.status !== 'completed';
  }

  labelled(number: number, label: string): boolean {
    return this.issue(number).labels.includes(label);
  }

  asked(number: number): string[] {
    const pull = this.issue(number).pull;
    return pull ? [...pull.requestedReviewers, ...pull.requestedTeams.map((slug) => `@${this.options.gh.repo.owner}/${slug}`)] : [];
  }

  /** The app's comments on an issue or pull request. */
  comments(number: number): string[] {
    return this.issue(number).comments.filter((comment) => comment.user === APP_LOGIN).map((comment) => comment.body);
  }

  reacted(number: number, commentId: number, content: string): boolean {
    return this.issue(number).comments.some((comment) => comment.id === commentId && comment.reactions.some((r) => r.user === APP_LOGIN && r.content === content));
  }

  /** Issues (not pull requests) the app opened whose title starts with `title`. */
  appIssues(title: string): Issue[] {
    return [...this.repo.issues.values()].filter((issue) => !issue.pull && issue.user === APP_LOGIN && issue.title.startsWith(title));
  }

  deployment(runId: number): string | undefined {
    return this.repo.deploymentReviews.find((review) => review.runId === runId)?.state;
  }
}

const DESCRIPTION_WITH_SECURITY_CRITERIA = [
  'Session tokens are now rotated on every login, so a stolen pre-login token is useless.',
  '',
  '- [x] Security assessment',
  '- [x] Vulnerability analysis',
  '- [x] Best practices',
  '- [x] Compliance requirements',
].join('\n');

type StepScript = (step: Step, look: Looks, shared: Map<string, number>) => Promise<void>;
export interface StoryStep {
  title: string;
  script: StepScript;
}

export const STORY: StoryStep[] = [
  {
    title: 'A docs change passes on its own',
    async script(step, look) {
      const seed: PullSeed = { author: developer, title: 'Fix a typo in the setup guide', body: 'Typo.', branch: 'docs-typo', files: [{ filename: 'docs/setup.md', additions: 2, deletions: 1 }] };
      const pr = await step.openPull(seed);
      await step.expect(`\`hitl\` passes on #${pr} as automatic, and nobody is asked to review`, () => look.passed(pr) && look.labelled(pr, 'hitl:automatic') && look.asked(pr).length === 0);
    },
  },
  {
    title: 'A small code change asks a reviewer, and passes on approval',
    async script(step, look, shared) {
      const seed: PullSeed = { author: developer, title: 'Show the delivery date at checkout', body: 'Adds the date to the summary.', branch: 'delivery-date', files: [{ filename: 'src/checkout/summary.ts', additions: 38, deletions: 6 }] };
      const pr = await step.openPull(seed);
      shared.set('peer', pr);
      await step.expect(`\`hitl\` waits on #${pr} and @${seniorDeveloper} is asked to review`, () => look.pending(pr) && look.asked(pr).includes(seniorDeveloper));
      await step.gh.approve(pr, seniorDeveloper);
      step.github(`@${seniorDeveloper} approves #${pr}`);
      await step.expect(`\`hitl\` passes on #${pr}`, () => look.passed(pr));
    },
  },
  {
    title: 'A security change waits; escalation climbs until someone answers',
    async script(step, look) {
      const seed: PullSeed = { author: developer, title: 'Rotate session tokens on login', body: DESCRIPTION_WITH_SECURITY_CRITERIA, branch: 'rotate-tokens', files: [{ filename: 'src/auth/session.ts', additions: 52, deletions: 9 }] };
      const pr = await step.openPull(seed, ', criteria ticked in the description');
      const team = `@${step.gh.repo.owner}/${SECURITY_TEAM}`;
      await step.expect(`\`hitl/security_review\` waits on #${pr} and ${team} is asked`, () => look.pending(pr, 'hitl/security_review') && look.asked(pr).includes(team));
      step.github('nobody answers; escalate_after: 0s starts the climb at once, 3 s a level');
      const levelComment = (level: number) => look.comments(pr).some((body) => body.includes(`HITL escalation, level ${level}`));
      await step.expect('level 1: a member of the security team is asked by name', () => look.asked(pr).some((login) => login === securityReviewer || login === PEOPLE.securityColleague));
      await step.expect('level 2: the developer is told what is missing', () => levelComment(2));
      await step.expect(`level 3: the technical lead @${technicalLead} is called and assigned, label hitl:escalated`, () => levelComment(3) && look.issue(pr).assignees.includes(technicalLead) && look.labelled(pr, 'hitl:escalated'));
      const tracking = `HITL escalation: ${step.gh.repo.owner}/${step.gh.repo.repo}#${pr} security_review`;
      await step.expect('level 4: management is called and a tracking issue opened', () => levelComment(4) && look.appIssues(tracking).some((issue) => issue.state === 'open'));
      const ack = await step.gh.comment(pr, securityReviewer, '/ack');
      step.github(`@${securityReviewer} comments "/ack" on #${pr}`);
      await step.expect('the /ack is accepted (👍)', () => look.reacted(pr, ack, '+1'));
      await step.gh.approve(pr, securityReviewer);
      step.github(`@${securityReviewer} approves #${pr}`);
      await step.expect(`\`hitl/security_review\` and \`hitl\` pass on #${pr}, and the tracking issue is closed`, () =>
        look.passed(pr, 'hitl/security_review') && look.passed(pr) && look.appIssues(tracking).every((issue) => issue.state === 'closed'),
      );
    },
  },
  {
    title: 'An emergency fix is bypassed with a justification, and reviewed after the merge',
    async script(step, look) {
      const seed: PullSeed = { author: developer, title: 'Hotfix: checkout fails for carts over 100 items', body: 'Bound check on the cart size.', branch: 'hotfix-cart', files: [{ filename: 'src/checkout/cart.ts', additions: 12, deletions: 3 }] };
      const pr = await step.openPull(seed);
      await step.expect(`\`hitl\` waits on #${pr}`, () => look.pending(pr));
      const justification = 'Checkout is down for large carts (INC-4711); the fix is one bound check';
      await step.gh.comment(pr, onCall, `/bypass ${justification}`);
      step.github(`@${onCall} (on call) comments "/bypass ${justification}"`);
      await step.expect(`\`hitl\` passes on #${pr} as an emergency bypass`, () => look.passed(pr) && look.labelled(pr, 'hitl:emergency'));
      await step.gh.merge(pr, onCall);
      step.github(`@${onCall} merges #${pr}`);
      await step.expect(`a post-implementation review issue is opened for #${pr}`, () => look.appIssues(`Post-implementation review: #${pr} `).length === 1);
    },
  },
  {
    title: 'A deployment of a change that passed its gate is approved',
    async script(step, look, shared) {
      const pr = shared.get('peer');
      if (pr === undefined) throw new Error('the peer-review pull request of step 2 was not opened');
      const merged = await step.gh.merge(pr, seniorDeveloper);
      step.github(`@${seniorDeveloper} merges #${pr} (its \`hitl\` passed) as ${merged.slice(0, 7)}`);
      const run = await step.gh.deploy('production', merged, seniorDeveloper);
      step.github(`a workflow deploys ${merged.slice(0, 7)} to production; GitHub asks HITL's protection rule (run ${run})`);
      await step.expect('the production deployment is approved', () => look.deployment(run) === 'approved');
    },
  },
  {
    title: 'A change merged around the gate is caught, and its deployment refused',
    async script(step, look) {
      const seed: PullSeed = { author: developer, title: 'Retry failed payments', body: 'Retries a declined payment once.', branch: 'payment-retry', files: [{ filename: 'src/payments/retry.ts', additions: 64, deletions: 2 }] };
      const pr = await step.openPull(seed);
      await step.expect(`\`hitl\` waits on #${pr}`, () => look.pending(pr));
      const merged = await step.gh.merge(pr, technicalLead);
      step.github(`@${technicalLead} (admin) merges #${pr} without waiting, as ${merged.slice(0, 7)}`);
      await step.expect(`the merge of #${pr} is recorded as a compliance violation`, () => look.comments(pr).some((body) => body.includes('Compliance violation')));
      const run = await step.gh.deploy('production', merged, technicalLead);
      step.github(`a workflow deploys ${merged.slice(0, 7)} to production (run ${run})`);
      await step.expect('the production deployment is refused', () => look.deployment(run) === 'rejected');
    },
  },
];

/** Runs the steps in order and returns each one's outcome. */
export async function runStory(options: StoryOptions, steps: readonly StoryStep[] = STORY): Promise<StepOutcome[]> {
  const look = new Looks(options);
  const shared = new Map<string, number>();
  const outcomes: StepOutcome[] = [];
  for (const [index, { title, script }] of steps.entries()) {
    if (options.signal?.aborted) break;
    options.say('');
    options.say(`${index + 1}/${steps.length} ${title}`);
    const step = new Step(options);
    try {
      await script(step, look, shared);
    } catch (error) {
      if (options.signal?.aborted) break;
      const message = `stopped: ${(error as Error).message}`;
      options.say(`   ✗ ${message}`);
      step.missed.push(message);
    }
    step.narrate();
    outcomes.push({ title, ok: step.missed.length === 0, missed: step.missed });
  }
  return outcomes;
}

/** The story's last words: every step as expected, or each one that was not, named with what was missing. */
export function verdict(outcomes: readonly StepOutcome[], seconds: number): { ok: boolean; lines: string[] } {
  const missed = outcomes.filter((outcome) => !outcome.ok);
  if (missed.length === 0) return { ok: true, lines: [`The story ran as expected: ${outcomes.length} of ${outcomes.length} steps in ${Math.round(seconds)} s.`] };
  return {
    ok: false,
    lines: [
      `${missed.length} of ${outcomes.length} steps did not happen as expected:`,
      ...missed.map((outcome) => `  "${outcome.title}": ${outcome.missed.join('; ')}`),
    ],
  };
}
