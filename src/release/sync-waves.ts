/** Argo CD reads this annotation to apply objects wave by wave, lowest first. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * Sync waves: the Namespace, then the workloads and the Service, then the DestinationRule defining the subsets,
 * then the VirtualServices and Gateway routing to them (make-before-break).
 */
export const SYNC_WAVES = { namespace: -1, workload: 0, destinationRule: 1, routing: 2 };
