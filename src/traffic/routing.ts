import { Duration } from 'cdk8s';
import { cookieRegex } from './cookies';

/**
 * How a request attribute is compared with the expected value.
 */
export enum MatchType {
  /** The whole value equals the expected value. */
  EXACT = 'exact',
  /** The value starts with the expected value. */
  PREFIX = 'prefix',
  /** The value matches the expected value as an RE2 regular expression (anchored to the whole value). */
  REGEX = 'regex',
}

/**
 * One condition a request must meet.
 */
export class RequestMatch {
  /**
   * A request header compared with a value.
   *
   * @param name the header name, case-insensitive (written lowercase)
   * @param value the expected value
   * @param type how to compare; MatchType.EXACT by default
   */
  public static header(name: string, value: string, type?: MatchType): RequestMatch {
    return new RequestMatch(name.toLowerCase(), value, type ?? MatchType.EXACT, `header '${name}'`);
  }

  /**
   * A cookie with an exact value, anywhere in the `Cookie` header.
   *
   * @param name the cookie name
   * @param value the cookie value
   */
  public static cookie(name: string, value: string): RequestMatch {
    return new RequestMatch('cookie', cookieRegex(name, value), MatchType.REGEX, `cookie '${name}'`);
  }

  /** The header the condition reads (lowercase). */
  public readonly headerName: string;

  /** The expected value (a regular expression for MatchType.REGEX). */
  public readonly value: string;

  /** How the header is compared. */
  public readonly type: MatchType;

  /** What the condition reads, for messages. */
  public readonly description: string;

  private constructor(headerName: string, value: string, type: MatchType, description: string) {
    this.headerName = headerName;
    this.value = value;
    this.type = type;
    this.description = description;
  }
}

/**
 * Requests meeting every condition go to one version, whatever the weights: for testers reaching the canary on
 * demand (a header), A/B tests or a dark launch (a cookie). Match routes come before the weighted route.
 */
export interface MatchRoute {
  /**
   * Conditions a request must all meet.
   */
  readonly matches: RequestMatch[];

  /**
   * The version that receives the matching requests.
   *
   * @default - the canary version
   */
  readonly version?: string;

  /**
   * Name of the route, shown in Envoy's stats and access logs.
   *
   * @default `match-<position>` (match-0, match-1, ...)
   */
  readonly name?: string;
}

/**
 * Shadow traffic: copies of a share of live requests go to a version, and their responses are discarded.
 * Only mirror idempotent traffic: a copied POST runs twice.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/mirroring/
 */
export interface MirrorOptions {
  /**
   * Share of requests copied, a percentage greater than 0 and at most 100 (fractions allowed).
   */
  readonly percentage: number;

  /**
   * The version receiving the copies.
   *
   * @default - the canary version
   */
  readonly version?: string;
}

/**
 * Retries of failed requests.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export interface RetryOptions {
  /**
   * Number of retries, an integer from 0 (no retries) to 10.
   */
  readonly attempts: number;

  /**
   * Timeout of each attempt.
   *
   * @default - the route timeout
   */
  readonly perTryTimeout?: Duration;

  /**
   * Conditions that trigger a retry, e.g. `['5xx', 'connect-failure', 'reset']`.
   *
   * @default - Istio's default: connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes
   */
  readonly retryOn?: string[];
}

/**
 * Faults injected for testing how callers cope. Istio neither retries nor times out requests on a route with faults,
 * so `fault` cannot be combined with `timeout` or `retries`.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
 */
export interface FaultOptions {
  /**
   * Delay injected before forwarding.
   *
   * @default - no delay
   */
  readonly delay?: Duration;

  /**
   * Percentage of requests delayed.
   *
   * @default 100
   */
  readonly delayPercentage?: number;

  /**
   * HTTP status returned instead of forwarding, from 200 to 599.
   *
   * @default - no abort
   */
  readonly abortHttpStatus?: number;

  /**
   * Percentage of requests aborted.
   *
   * @default 100
   */
  readonly abortPercentage?: number;
}

/**
 * Keeps a user on the version the weights first gave them. Each weighted destination sets a cookie naming its
 * version, and requests carrying the cookie go back to that version. Consistent hashing alone cannot do this:
 * Istio picks the weighted subset before the hash applies (istio/istio#9764).
 */
export interface StickySessionOptions {
  /**
   * Name of the cookie.
   */
  readonly cookieName: string;

  /**
   * How long the cookie lasts.
   *
   * @default Duration.days(1)
   */
  readonly maxAge?: Duration;
}

/**
 * Routing beyond the weighted split, applied to every VirtualService (in-mesh and ingress).
 */
export interface RoutingOptions {
  /**
   * Routes that send matching requests to one version, before the weighted route.
   *
   * @default - none
   */
  readonly matchRoutes?: MatchRoute[];

  /**
   * Copies of live requests sent to a version.
   *
   * @default - no mirroring
   */
  readonly mirror?: MirrorOptions;

  /**
   * Timeout of each request.
   *
   * @default - Istio's default: none
   */
  readonly timeout?: Duration;

  /**
   * Retries of failed requests.
   *
   * @default - Istio's default: 2 attempts on connection failures
   */
  readonly retries?: RetryOptions;

  /**
   * Faults injected for testing.
   *
   * @default - none
   */
  readonly fault?: FaultOptions;

  /**
   * Session affinity to the version a user was first routed to.
   *
   * @default - none: each request is split independently
   */
  readonly stickySession?: StickySessionOptions;
}
