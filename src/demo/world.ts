/**
 * The demo's organisation on the stand-in: one repository, its people with their permissions and
 * roles, and the `.hitl.yml` on its default branch. The policy is the built-in one with people
 * named and the escalation clocks shortened from minutes and hours to seconds, through the same
 * keys any repository can set.
 */
import type { StandIn } from '../stand-in/index.js';
import type { Permission } from '../stand-in/state.js';
import type { RepoTarget } from '../stand-in/webhooks.js';

export const DEMO_REPO: RepoTarget = { installationId: 1, owner: 'acme', repo: 'shop' };
export const DEMO_APP_ID = 1;
/** Who the app is on the stand-in: the author of its comments, reactions and issues. */
export const APP_LOGIN = 'hitl[bot]';
export const SECURITY_TEAM = 'security';

/** Who is who in the story. */
export const PEOPLE = {
  developer: 'alice',
  seniorDeveloper: 'bob',
  securityReviewer: 'carol',
  onCall: 'dave',
  technicalLead: 'erin',
  manager: 'frank',
  /** carol's colleague in the security team. */
  securityColleague: 'grace',
} as const;

const PERMISSIONS: Record<string, Permission> = {
  alice: 'write',
  bob: 'write',
  carol: 'write',
  grace: 'write',
  dave: 'write',
  erin: 'admin',
  frank: 'admin',
};

export const DEMO_CONFIG = `# acme/shop's gate: the built-in policy with people named, and escalation on short clocks.
roles:
  senior_developer: [bob]
  security_team: ["@acme/${SECURITY_TEAM}"]
  technical_lead: [erin]
  on_call_engineer: [dave]
  management: [frank]
approval_workflows:
  peer_review: { approver: senior_developer }
checkpoints:
  security_review: { escalate_after: 0s }   # page at once instead of after the 24 h SLA
escalation_levels:                          # the seed's 5 min / 30 min / 2 h, as seconds;
  level_1: { timeout: 3s }
  level_2: { timeout: 3s }
  level_3: { timeout: 3s }
  level_4: { timeout: 1h }                  # after level 4, a reminder an hour
`;

export function seedWorld(standIn: StandIn): void {
  const { state } = standIn;
  const { owner, repo, installationId } = DEMO_REPO;
  state.addRepo({ owner, repo, installationId });
  state.putFile(owner, repo, '.hitl.yml', DEMO_CONFIG);
  for (const [login, permission] of Object.entries(PERMISSIONS)) state.setPermission(owner, repo, login, permission);
  state.addTeam(owner, SECURITY_TEAM, [PEOPLE.securityReviewer, PEOPLE.securityColleague]);
}
