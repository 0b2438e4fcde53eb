/**
 * Horizontal pod autoscaling of each version that receives traffic.
 *
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export interface AutoscalingOptions {
  /**
   * Fewest pods of a version that receives traffic, at least 1.
   *
   * @default 1
   */
  readonly minReplicas?: number;

  /**
   * Most pods of a version, at least `minReplicas`.
   */
  readonly maxReplicas: number;

  /**
   * Average CPU utilization the autoscaler aims at, as a percentage (1 to 100) of the containers' CPU request.
   * The containers therefore need a CPU request (the default `resources` have one).
   *
   * @default 70
   */
  readonly cpuTargetUtilization?: number;
}

/**
 * A PodDisruptionBudget per version: how many of its pods voluntary disruptions (node drains, cluster upgrades) may
 * take down at once. Give `maxUnavailable` or `minAvailable`, not both.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
 */
export interface PodDisruptionBudgetOptions {
  /**
   * Pods of a version that may be unavailable at once during a voluntary disruption, at least 1.
   *
   * @default 1, unless `minAvailable` is given
   */
  readonly maxUnavailable?: number;

  /**
   * Pods of a version that must stay available during a voluntary disruption, at least 1. Fewer than the pods of
   * every version, else no node holding one of them could ever be drained.
   *
   * @default - `maxUnavailable` applies
   */
  readonly minAvailable?: number;
}

/**
 * How the workload's sidecars accept connections, as a PeerAuthentication selecting its pods.
 *
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
export enum MutualTlsMode {
  /** Only mutual TLS: callers without an Istio sidecar (or ambient ztunnel) are refused. */
  STRICT = 'STRICT',
  /** Mutual TLS and plain text: the step while clients outside the mesh are being migrated. */
  PERMISSIVE = 'PERMISSIVE',
}
