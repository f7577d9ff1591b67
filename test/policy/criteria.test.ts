import { describe, expect, it } from '@jest/globals';
import { isTicked, tickedCriteria } from '../../src/policy/criteria.js';

const ticked = (body: string) => tickedCriteria(body);

describe('ticked criteria are GitHub task-list items a reader sees ticked', () => {
  it.each([
    ['a bullet item', '- [x] Migration strategy'],
    ['an upper-case X', '* [X] migration_strategy'],
    ['an ordered list item', '1. [x] Migration strategy'],
    ['a nested item', '- Checklist\n  - [x] Migration strategy'],
    ['an item whose text wraps onto the next line', '- [x] Migration\n  strategy'],
    ['an item in code and bold', '- [x] **`migration_strategy`**'],
    ['an item inside <details>, separated by blank lines', '<details>\n\n- [x] Migration strategy\n\n</details>'],
    ['an item after a comment left open in a paragraph (the list ends the paragraph first)', 'notes <!--\n- [x] Migration strategy\n-->'],
  ])('%s counts', (_, body) => {
    expect(isTicked('migration_strategy', ticked(body))).toBe(true);
  });

  it.each([
    ['an unticked box', '- [ ] Migration strategy'],
    ['a box in a quote (someone else’s checklist)', '> - [x] Migration strategy'],
    ['a box in a quoted list', '> Template:\n> - [x] Migration strategy'],
    ['a box continuing a quoted item lazily', '> - [ ] Rollback plan\n[x] Migration strategy'],
    ['a box in fenced code', '```\n- [x] Migration strategy\n```'],
    ['a box in an HTML comment', '<!--\n- [x] Migration strategy\n-->'],
    ['the criterion hidden in an HTML comment on a ticked box', '- [x] <!-- migration_strategy --> nothing to see'],
    ['a marker without a space after it', '- [x]Migration strategy'],
    ['a marker that is not first in the item', '- see [x] Migration strategy'],
    ['a box in a table cell', '| [x] Migration strategy |\n| --- |'],
    ['a box that is not in a list', '[x] Migration strategy'],
  ])('%s does not count', (_, body) => {
    expect(isTicked('migration_strategy', ticked(body))).toBe(false);
  });
});
