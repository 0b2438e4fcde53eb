import { TrafficPolicy } from '../traffic/traffic-policy';

/**
 * One version of the workload: a Deployment, and a DestinationRule subset of the same name.
 */
export interface CanaryVersion {
  /**
   * The version: the value of the version label on its pods and the name of its DestinationRule subset, e.g. `v1`.
   *
   * Must be a DNS-1123 label, since it also names the subset and the Deployment (`<name>-<version>`).
   */
  readonly version: string;

  /**
   * The container image, e.g. `harbor.example.com/library/version-test:v1`.
   *
   * Prefer an immutable tag or a digest: the version label promises what runs.
   */
  readonly image: string;

  /**
   * Number of pods.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Name of the Deployment.
   *
   * @default `<name>-<version>`
   */
  readonly deploymentName?: string;

  /**
   * Environment variables of the container.
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * Extra labels on this version's pods. They must not set the app or version label keys, which the construct
   * manages because the Service, the Deployment selector and the DestinationRule subset depend on them.
   *
   * @default - only the app and version labels
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * Traffic policy of this version's DestinationRule subset (e.g. a tighter circuit breaker for the canary),
   * overriding the host-wide `trafficPolicy` field by field.
   *
   * @default - the host-wide policy
   */
  readonly trafficPolicy?: TrafficPolicy;
}

/**
 * A version beyond stable and canary, with a fixed share of traffic (e.g. a second candidate in an A/B/C test).
 */
export interface WeightedCanaryVersion extends CanaryVersion {
  /**
   * Percentage of requests routed to this version, an integer from 0 to 100. The stable version gets what the
   * canary and the additional versions leave.
   */
  readonly weight: number;
}
