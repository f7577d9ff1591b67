/** The cached readers of GitHub data, made once per app and shared by the gate and the other areas. */
import type { Cache } from './cache.js';
import { OwnCheckReader } from './checks.js';
import { ConfigReader } from './config.js';
import { OpenPullFacts } from './open-pulls.js';
import { PeopleReader } from './people.js';
import { PullReader } from './pulls.js';

export interface Readers {
  config: ConfigReader;
  pulls: PullReader;
  people: PeopleReader;
  checks: OwnCheckReader;
  /** What the last evaluation of each open PR classified, for the policy-diff of a PR that changes `.hitl.yml`. */
  openPulls: OpenPullFacts;
}

/** `appId`: this GitHub App's id (APP_ID), by which our own check runs are told apart. */
export function readersOn(cache: Cache, appId: number): Readers {
  return { config: new ConfigReader(cache), pulls: new PullReader(cache), people: new PeopleReader(cache), checks: new OwnCheckReader(appId), openPulls: new OpenPullFacts(cache) };
}
