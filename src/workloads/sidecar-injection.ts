import { check, isLabelValue, isNonBlank, RULE_LABEL_VALUE } from '../validation';

/**
 * How the canary's namespace is enrolled in the mesh, as a label on a synthesized Namespace: a sidecar injected into
 * each pod, or ambient mode without sidecars.
 *
 * A namespace carries one of `istio-injection`, `istio.io/rev` or `istio.io/dataplane-mode`, never two: with both
 * injection labels, `istio-injection` wins and the revision is silently ignored, and a pod that gets a sidecar in an
 * ambient namespace is left out of ambient. One instance stands for exactly one label, so no conflict can be written.
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/
 */
export class SidecarInjection {
  /**
   * `istio-injection=enabled`: the default control plane injects the Envoy sidecar into new pods.
   */
  public static enabled(): SidecarInjection {
    return new SidecarInjection('istio-injection', 'enabled');
  }

  /**
   * `istio.io/rev=<revision>`: the control plane of that revision (or revision tag) injects the sidecar,
   * as used for canary upgrades of Istio itself.
   *
   * @param revision the revision or revision tag, e.g. `1-32-0` or `stable`
   * @see https://istio.io/latest/docs/setup/upgrade/canary/
   */
  public static revision(revision: string): SidecarInjection {
    check(isNonBlank(revision) && isLabelValue(revision), 'sidecarInjection.revision', revision, RULE_LABEL_VALUE);
    return new SidecarInjection('istio.io/rev', revision);
  }

  /**
   * `istio.io/dataplane-mode=ambient`: no sidecar; the node's ztunnel carries the pods' traffic (mTLS, L4 policy).
   * L7 routing (the canary's weights, matches, mirroring) needs a waypoint proxy used by the Service or namespace
   * (label `istio.io/use-waypoint`); TrafficApi.GATEWAY_API is the supported way to route through a waypoint, while
   * VirtualServices with ambient are alpha. See the README, "Ambient mode".
   *
   * @see https://istio.io/latest/docs/ambient/usage/add-workloads/
   */
  public static ambient(): SidecarInjection {
    return new SidecarInjection('istio.io/dataplane-mode', 'ambient');
  }

  /** The namespace label key: `istio-injection`, `istio.io/rev` or `istio.io/dataplane-mode`. */
  public readonly labelKey: string;

  /** The namespace label value. */
  public readonly labelValue: string;

  private constructor(labelKey: string, labelValue: string) {
    this.labelKey = labelKey;
    this.labelValue = labelValue;
  }
}
