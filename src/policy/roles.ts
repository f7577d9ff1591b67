/** Role membership, decided from facts the GitHub adapter looked up: no I/O here. */
import { PERMISSION_RANK, type RoleMember } from '../config/types.js';
import type { Actor } from './types.js';

export function isBotLogin(login: string): boolean {
  return /\[bot\]$/i.test(login);
}

export function isMember(actor: Actor, members: readonly RoleMember[]): boolean {
  const login = actor.login.toLowerCase();
  return members.some((member) => {
    switch (member.kind) {
      case 'user':
        return member.login === login;
      case 'team':
        return actor.teams.includes(`${member.org}/${member.slug}`);
      case 'permission':
        return actor.permission !== 'none' && PERMISSION_RANK[actor.permission] >= PERMISSION_RANK[member.level];
    }
  });
}

export function hasWriteAccess(actor: Actor): boolean {
  return actor.permission !== 'none' && PERMISSION_RANK[actor.permission] >= PERMISSION_RANK.write;
}
