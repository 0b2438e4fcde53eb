import { Duration } from 'cdk8s';
import { isCookieName } from './cookies';
import { matchRouteName } from './route-parts';
import { MatchType, RoutingOptions } from './routing';
import { TrafficApi } from './traffic-api';
import { CanaryGatewayOptions, TrafficVersion } from './traffic-options';
import { TrafficPolicy } from './traffic-policy';
import {
  check, checkPort, isDns1123Label, isDns1123Subdomain, isIntegerIn, isLabelKey, isLabelValue, isNonBlank, RULE_DNS1123_LABEL,
  RULE_DNS1123_SUBDOMAIN,
} from '../validation';

/**
 * Checks shared by every traffic backend: versions and weights, the gateway, routing and traffic policies.
 * Not part of the public API.
 */
export function validateVersions(versions: TrafficVersion[]): void {
  check(versions.length >= 1, 'versions', versions.length, 'must name at least one version');
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    check(isDns1123Label(v.version), `versions[${i}].version`, v.version, RULE_DNS1123_LABEL);
    check(!seen.has(v.version), `versions[${i}].version`, v.version, 'must differ from every other version');
    seen.add(v.version);
    check(isIntegerIn(v.weight, 0, 100), `versions[${i}].weight`, v.weight, 'must be an integer from 0 to 100');
    check(Object.keys(v.labels).length > 0, `versions[${i}].labels`, v.labels, 'must select pods by at least one label');
    for (const [key, value] of Object.entries(v.labels)) {
      check(isLabelKey(key) && isLabelValue(value), `versions[${i}].labels`, v.labels, 'must hold valid Kubernetes label keys and values');
    }
    if (v.trafficPolicy) validateTrafficPolicy(v.trafficPolicy, `versions[${i}].trafficPolicy`);
  });
  const total = versions.reduce((sum, v) => sum + v.weight, 0);
  check(total === 100, 'versions', versions.map(v => v.weight), 'must have weights that sum to 100');
}

export function validateGateway(gateway: CanaryGatewayOptions, api: TrafficApi): void {
  const hosts = gateway.hosts;
  check(hosts.length > 0, 'gateway.hosts', hosts, 'must name at least one host (use "*" for any)');
  hosts.forEach((h, i) => check(isNonBlank(h) && !/\s/.test(h), `gateway.hosts[${i}]`, h, 'must be a host name or wildcard without spaces'));
  if (gateway.name !== undefined) {
    check(isDns1123Label(gateway.name), 'gateway.name', gateway.name, RULE_DNS1123_LABEL);
  }
  if (gateway.port !== undefined) checkPort(gateway.port, 'gateway.port');
  if (gateway.selector !== undefined) {
    check(Object.keys(gateway.selector).length > 0, 'gateway.selector', gateway.selector, 'must select the gateway pods by at least one label');
  }
  if (gateway.gatewayClassName !== undefined) {
    check(isDns1123Subdomain(gateway.gatewayClassName), 'gateway.gatewayClassName', gateway.gatewayClassName, RULE_DNS1123_SUBDOMAIN);
  }
  const existing = gateway.existingGateway;
  if (existing) {
    check(isDns1123Subdomain(existing.name), 'gateway.existingGateway.name', existing.name, RULE_DNS1123_SUBDOMAIN);
    if (existing.namespace !== undefined) {
      check(isDns1123Label(existing.namespace), 'gateway.existingGateway.namespace', existing.namespace, RULE_DNS1123_LABEL);
    }
    if (existing.sectionName !== undefined) {
      check(isDns1123Subdomain(existing.sectionName), 'gateway.existingGateway.sectionName', existing.sectionName, RULE_DNS1123_SUBDOMAIN);
    }
    for (const key of ['name', 'selector', 'port', 'gatewayClassName'] as const) {
      check(gateway[key] === undefined, `gateway.${key}`, gateway[key],
        'describes the Gateway to create and cannot be combined with \'gateway.existingGateway\'');
    }
  }

  if (api === TrafficApi.ISTIO) {
    check(gateway.gatewayClassName === undefined, 'gateway.gatewayClassName', gateway.gatewayClassName,
      `${unsupported(TrafficApi.ISTIO)}: an Istio Gateway selects its gateway pods with 'gateway.selector'`);
    check(existing?.sectionName === undefined, 'gateway.existingGateway.sectionName', existing?.sectionName,
      `${unsupported(TrafficApi.ISTIO)}: a VirtualService binds to a whole Istio Gateway`);
  } else {
    check(gateway.selector === undefined, 'gateway.selector', gateway.selector,
      `${unsupported(TrafficApi.GATEWAY_API)}: Istio deploys a gateway for each Gateway API Gateway; choose its class with 'gateway.gatewayClassName'`);
    check(hosts.length <= 16, 'gateway.hosts', hosts.length, `${unsupported(TrafficApi.GATEWAY_API)} with more than 16 hosts, the most an HTTPRoute holds`);
    hosts.forEach((h, i) => check(hosts.indexOf(h) === i, `gateway.hosts[${i}]`, h, 'must differ from the other hosts: each gets its own Gateway listener'));
    hosts.forEach((h, i) => check(h === '*' || isGatewayApiHostname(h), `gateway.hosts[${i}]`, h,
      `${unsupported(TrafficApi.GATEWAY_API)}: a Gateway API hostname is "*" (any host) or a lowercase DNS name, optionally with a leading "*." label; no IP addresses, ports, namespaces or inner wildcards`));
  }
}

/** The start of a rule for a setting a backend cannot express, e.g. `is not supported by TrafficApi.GATEWAY_API`. */
export function unsupported(api: TrafficApi): string {
  return `is not supported by TrafficApi.${api === TrafficApi.ISTIO ? 'ISTIO' : 'GATEWAY_API'}`;
}

/** Gateway API's Hostname: a DNS name with an optional leading wildcard label, and not an IP address. */
function isGatewayApiHostname(s: unknown): boolean {
  if (typeof s !== 'string' || s.length > 253) return false;
  const name = s.startsWith('*.') ? s.slice(2) : s;
  return isDns1123Subdomain(name) && !/^[0-9.]+$/.test(name);
}

/**
 * The routing settings the standard channel of Gateway API v1.6.1 cannot express, refused rather than dropped.
 */
export function validateGatewayApiRouting(routing: RoutingOptions): void {
  const rule = unsupported(TrafficApi.GATEWAY_API);
  check(routing.fault === undefined, 'routing.fault', routing.fault,
    `${rule}: HTTPRoute has no fault injection; use TrafficApi.ISTIO for fault tests`);
  check(routing.retries === undefined, 'routing.retries', routing.retries,
    `${rule}: HTTPRoute retries are only in the experimental channel of Gateway API v1.6.1, not in the standard one`);
  (routing.matchRoutes ?? []).forEach((route, i) => route.matches.forEach((m, j) =>
    check(m.type !== MatchType.PREFIX, `routing.matchRoutes[${i}].matches[${j}]`, m.description,
      `${rule}: MatchType.PREFIX has no HTTPRoute header match (only Exact and RegularExpression); use MatchType.REGEX with a 'prefix.*' pattern`)));
  if (routing.timeout) {
    const ms = routing.timeout.toMilliseconds();
    check(ms < 100000 * 3600000, 'routing.timeout', `${ms}ms`, `${rule} beyond 99999h, the longest Gateway API duration`);
  }
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const RESERVED_ROUTE_NAMES = /^(weighted|sticky-.*)$/;

export function validateRouting(routing: RoutingOptions, versions: string[]): void {
  const names = new Set<string>();
  (routing.matchRoutes ?? []).forEach((route, i) => {
    const prop = `routing.matchRoutes[${i}]`;
    check(route.matches.length > 0, `${prop}.matches`, route.matches.length, 'must hold at least one condition');
    const headers = new Set<string>();
    route.matches.forEach((m, j) => {
      check(isNonBlank(m.headerName) && HEADER_NAME.test(m.headerName), `${prop}.matches[${j}]`, m.headerName, 'must name a header: a non-empty HTTP token');
      check(isNonBlank(m.value), `${prop}.matches[${j}]`, m.value, `must give ${m.description} a non-empty value`);
      check(!headers.has(m.headerName), `${prop}.matches[${j}]`, m.headerName,
        'must not test a header (or a second cookie) that another condition of the same route tests: one request header holds one value');
      headers.add(m.headerName);
    });
    if (route.version !== undefined) {
      check(versions.includes(route.version), `${prop}.version`, route.version, `must be one of the versions (${versions.join(', ')})`);
    }
    const name = matchRouteName(route, i);
    check(isDns1123Label(name) && !RESERVED_ROUTE_NAMES.test(name), `${prop}.name`, name,
      `${RULE_DNS1123_LABEL}, other than 'weighted' and 'sticky-*'`);
    check(!names.has(name), `${prop}.name`, name, 'must differ from the names of the other match routes');
    names.add(name);
  });

  if (routing.mirror) {
    const p = routing.mirror.percentage;
    check(typeof p === 'number' && p > 0 && p <= 100, 'routing.mirror.percentage', p, 'must be a percentage greater than 0 and at most 100');
    if (routing.mirror.version !== undefined) {
      check(versions.includes(routing.mirror.version), 'routing.mirror.version', routing.mirror.version, `must be one of the versions (${versions.join(', ')})`);
    }
  }
  if (routing.timeout) checkDuration(routing.timeout, 'routing.timeout');
  if (routing.retries) {
    check(isIntegerIn(routing.retries.attempts, 0, 10), 'routing.retries.attempts', routing.retries.attempts, 'must be an integer from 0 to 10');
    if (routing.retries.perTryTimeout) checkDuration(routing.retries.perTryTimeout, 'routing.retries.perTryTimeout');
    (routing.retries.retryOn ?? []).forEach((c, i) => check(isNonBlank(c) && !/[\s,]/.test(c), `routing.retries.retryOn[${i}]`, c,
      'must be one retry condition such as 5xx or connect-failure'));
  }
  if (routing.fault) {
    const f = routing.fault;
    check(f.delay !== undefined || f.abortHttpStatus !== undefined, 'routing.fault', f, 'must set a delay, an abort status, or both');
    check(!routing.timeout && !routing.retries, 'routing.fault', f,
      'cannot be combined with \'routing.timeout\' or \'routing.retries\': Istio disables timeouts and retries on routes with faults');
    if (f.delay) checkDuration(f.delay, 'routing.fault.delay');
    if (f.abortHttpStatus !== undefined) {
      check(isIntegerIn(f.abortHttpStatus, 200, 599), 'routing.fault.abortHttpStatus', f.abortHttpStatus, 'must be an HTTP status from 200 to 599');
    }
    for (const [key, value] of [['delayPercentage', f.delayPercentage], ['abortPercentage', f.abortPercentage]] as const) {
      if (value !== undefined) check(typeof value === 'number' && value >= 0 && value <= 100, `routing.fault.${key}`, value, 'must be a percentage from 0 to 100');
    }
  }
  if (routing.stickySession) {
    const s = routing.stickySession;
    check(isCookieName(s.cookieName), 'routing.stickySession.cookieName', s.cookieName, 'must be a cookie name (an HTTP token: letters, digits and !#$%&\'*+-.^_`|~)');
    if (s.maxAge) {
      const ms = s.maxAge.toMilliseconds();
      check(ms >= 1000 && ms % 1000 === 0, 'routing.stickySession.maxAge', `${ms}ms`, 'must be a whole number of seconds, at least 1');
    }
  }
}

export function validateTrafficPolicy(policy: TrafficPolicy, prop: string): void {
  const pool = policy.connectionPool;
  if (pool) {
    for (const key of ['maxConnections', 'http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries'] as const) {
      const value = pool[key];
      if (value !== undefined) check(isIntegerIn(value, 1, 2 ** 32 - 1), `${prop}.connectionPool.${key}`, value, 'must be a positive integer');
    }
    if (pool.connectTimeout) checkDuration(pool.connectTimeout, `${prop}.connectionPool.connectTimeout`);
  }
  const outlier = policy.outlierDetection;
  if (outlier) {
    if (outlier.consecutive5xxErrors !== undefined) {
      check(isIntegerIn(outlier.consecutive5xxErrors, 1, 2 ** 32 - 1), `${prop}.outlierDetection.consecutive5xxErrors`, outlier.consecutive5xxErrors, 'must be a positive integer');
    }
    if (outlier.maxEjectionPercent !== undefined) {
      check(isIntegerIn(outlier.maxEjectionPercent, 0, 100), `${prop}.outlierDetection.maxEjectionPercent`, outlier.maxEjectionPercent, 'must be an integer from 0 to 100');
    }
    if (outlier.interval) checkDuration(outlier.interval, `${prop}.outlierDetection.interval`);
    if (outlier.baseEjectionTime) checkDuration(outlier.baseEjectionTime, `${prop}.outlierDetection.baseEjectionTime`);
  }
}

/** Istio (and Gateway API) durations must be at least 1ms. */
function checkDuration(d: Duration, prop: string): void {
  const ms = d.toMilliseconds();
  check(Number.isInteger(ms) && ms >= 1, prop, `${ms}ms`, 'must be a duration of at least 1ms, in whole milliseconds');
}
