/** How the deployments area quotes payload text in what it writes. */

/** Text from a payload shown in a comment the app writes: one line, no table breaks, no pings. */
export function inert(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const cut = line.length > max ? `${line.slice(0, max - 1)}…` : line;
  return cut.replace(/\|/g, '\\|').replace(/@/g, '@\u200b');
}

/** A reply to someone: mentions them once, whether or not the reason already starts with their name. */
export function addressed(login: string, reason: string): string {
  return reason.toLowerCase().startsWith(`@${login.toLowerCase()}`) ? `${reason}.` : `@${login} ${reason}.`;
}
