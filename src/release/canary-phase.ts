/**
 * Where a canary release stands. The phase lives in git with the rest of the manifests: changing it and
 * synthesizing again moves the traffic.
 */
export enum CanaryPhase {
  /** Traffic is split by `canaryWeight`, or by the selected stage of `stages`. */
  PROGRESSING = 'progressing',
  /** All traffic goes to the canary; the stable Deployment is scaled as `promotedStableReplicas` says. */
  PROMOTED = 'promoted',
  /** All traffic goes to the stable version; the canary keeps its pods for inspection unless scaled down. */
  ROLLED_BACK = 'rolled-back',
}
