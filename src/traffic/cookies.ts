/**
 * The RE2 regular expression that finds `name=value` among the cookies of a `Cookie` header.
 * Cookie names and values hold no ';' or spaces, so the pair is delimited by the start or '; ', and ';' or the end.
 */
export function cookieRegex(name: string, value: string): string {
  return `^(.*?;\\s*)?(${escapeRegex(name)}=${escapeRegex(value)})(;.*)?$`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** RFC 6265 cookie-name: a token (no separators, spaces or control characters). */
export function isCookieName(s: unknown): boolean {
  return typeof s === 'string' && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s);
}
