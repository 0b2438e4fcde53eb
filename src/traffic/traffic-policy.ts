import { Duration } from 'cdk8s';

/**
 * How requests are spread over the pods of a version.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-SimpleLB
 */
export enum LoadBalancerAlgorithm {
  /** Each pod in turn. */
  ROUND_ROBIN = 'ROUND_ROBIN',
  /** The pod with fewer outstanding requests (of two picked at random). Istio's default. */
  LEAST_REQUEST = 'LEAST_REQUEST',
  /** A pod at random. */
  RANDOM = 'RANDOM',
}

/**
 * TLS towards the pods.
 */
export enum TlsMode {
  /** Plain text. */
  DISABLE = 'DISABLE',
  /** Istio's mutual TLS with the workload certificates it issues. */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
}

/**
 * Limits on connections and requests to a version (circuit breaking by volume).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings
 */
export interface ConnectionPoolOptions {
  /**
   * Maximum TCP connections to the host.
   *
   * @default - Istio's default: unlimited (2^32-1)
   */
  readonly maxConnections?: number;

  /**
   * TCP connect timeout.
   *
   * @default - Istio's default: 10s
   */
  readonly connectTimeout?: Duration;

  /**
   * Maximum requests queued while waiting for a connection.
   *
   * @default - Istio's default: unlimited
   */
  readonly http1MaxPendingRequests?: number;

  /**
   * Maximum active requests to the host.
   *
   * @default - Istio's default: unlimited
   */
  readonly http2MaxRequests?: number;

  /**
   * Maximum requests per connection; 1 disables keep-alive.
   *
   * @default - Istio's default: unlimited
   */
  readonly maxRequestsPerConnection?: number;

  /**
   * Maximum concurrent retries to the host.
   *
   * @default - Istio's default: unlimited
   */
  readonly maxRetries?: number;
}

/**
 * Ejects pods that keep failing from the load balancing pool (circuit breaking by errors).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
 */
export interface OutlierDetectionOptions {
  /**
   * Consecutive 5xx responses (or connection failures) that eject a pod.
   *
   * @default 5
   */
  readonly consecutive5xxErrors?: number;

  /**
   * Interval between ejection sweeps.
   *
   * @default Duration.seconds(10)
   */
  readonly interval?: Duration;

  /**
   * Minimum ejection time; it grows with each ejection of the same pod.
   *
   * @default Duration.seconds(30)
   */
  readonly baseEjectionTime?: Duration;

  /**
   * Maximum percentage of pods ejected at once.
   *
   * @default 100
   */
  readonly maxEjectionPercent?: number;
}

/**
 * A DestinationRule traffic policy, for the whole host or for one version's subset.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy
 */
export interface TrafficPolicy {
  /**
   * Load balancing algorithm.
   *
   * @default - Istio's default: LEAST_REQUEST
   */
  readonly loadBalancer?: LoadBalancerAlgorithm;

  /**
   * Connection and request limits.
   *
   * @default - Istio's defaults
   */
  readonly connectionPool?: ConnectionPoolOptions;

  /**
   * Ejection of failing pods.
   *
   * @default - no outlier detection
   */
  readonly outlierDetection?: OutlierDetectionOptions;

  /**
   * TLS towards the pods. ISTIO_MUTUAL pairs with a STRICT PeerAuthentication.
   *
   * @default - Istio's automatic mutual TLS
   */
  readonly tls?: TlsMode;
}
