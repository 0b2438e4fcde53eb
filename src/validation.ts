/**
 * One shape for every input error: `'<property>' <rule>, got <value>`.
 * Errors are thrown from constructors, so a bad prop stops `cdk8s synth` before any YAML is written.
 */
export function invalid(property: string, value: unknown, rule: string): Error {
  return new Error(`'${property}' ${rule}, got ${describe(value)}`);
}

/** Throws {@link invalid} unless `ok`. */
export function check(ok: boolean, property: string, value: unknown, rule: string): void {
  if (!ok) throw invalid(property, value, rule);
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}

// Kubernetes name and label grammars (k8s.io/apimachinery/pkg/util/validation).
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export const RULE_DNS1123_LABEL = 'must be a DNS-1123 label (lowercase letters, digits and \'-\', starting and ending alphanumeric, at most 63 characters)';
export const RULE_DNS1035_LABEL = 'must be a DNS-1035 label, as Kubernetes requires of Service names (lowercase letters, digits and \'-\', starting with a letter, ending alphanumeric, at most 63 characters)';
export const RULE_DNS1123_SUBDOMAIN = 'must be a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', at most 253 characters)';
export const RULE_LABEL_KEY = 'must be a Kubernetes label key (an optional DNS subdomain prefix and \'/\', then at most 63 alphanumerics, \'-\', \'_\' or \'.\', starting and ending alphanumeric)';
export const RULE_LABEL_VALUE = 'must be a Kubernetes label value (at most 63 alphanumerics, \'-\', \'_\' or \'.\', starting and ending alphanumeric)';

export function isDns1123Label(s: unknown): boolean {
  return typeof s === 'string' && s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1035Label(s: unknown): boolean {
  return typeof s === 'string' && s.length <= 63 && DNS1035_LABEL.test(s);
}

export function isDns1123Subdomain(s: unknown): boolean {
  return typeof s === 'string' && s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

export function isLabelKey(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const slash = s.indexOf('/');
  const prefix = slash >= 0 ? s.slice(0, slash) : undefined;
  const name = slash >= 0 ? s.slice(slash + 1) : s;
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

export function isLabelValue(s: unknown): boolean {
  return typeof s === 'string' && s.length <= 63 && LABEL_VALUE.test(s);
}

export function isIntegerIn(n: unknown, min: number, max: number): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
}

export function isNonBlank(s: unknown): boolean {
  return typeof s === 'string' && s.trim().length > 0;
}

/** Checks a TCP port number, with the one message every port property shares. */
export function checkPort(port: unknown, property: string): void {
  check(isIntegerIn(port, 1, 65535), property, port, 'must be an integer from 1 to 65535');
}
