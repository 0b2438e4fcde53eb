import { check, isLabelValue, isNonBlank, RULE_LABEL_VALUE } from '../validation';

/**
 * How the canary's namespace is enrolled in the mesh, as a label on a synthesized Namespace.
 *
 * A namespace carries either `istio-injection` or `istio.io/rev`, never both: with both, `istio-injection` wins
 * and the revision is silently ignored. One instance stands for exactly one label, so the conflict cannot be written.
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

  /** The namespace label key: `istio-injection` or `istio.io/rev`. */
  public readonly labelKey: string;

  /** The namespace label value. */
  public readonly labelValue: string;

  private constructor(labelKey: string, labelValue: string) {
    this.labelKey = labelKey;
    this.labelValue = labelValue;
  }
}
