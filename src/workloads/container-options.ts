import { Size } from 'cdk8s';

/**
 * When the kubelet pulls the container image.
 *
 * @see https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
 */
export enum ImagePullPolicy {
  /** Pull on every pod start: right for mutable tags such as `latest`. */
  ALWAYS = 'Always',
  /** Pull only when the node does not have the image yet: right for immutable tags and digests. */
  IF_NOT_PRESENT = 'IfNotPresent',
  /** Never pull: the image must already be on the node. */
  NEVER = 'Never',
}

/**
 * An amount of CPU, as a Kubernetes quantity.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#meaning-of-cpu
 */
export class Cpu {
  /**
   * Thousandths of a CPU, e.g. `Cpu.millis(250)` is `250m`.
   *
   * @param amount a positive whole number of millicores
   */
  public static millis(amount: number): Cpu {
    return new Cpu(amount, `${amount}m`, 'must be a positive whole number of millicores');
  }

  /**
   * Whole or fractional CPUs, e.g. `Cpu.units(1.5)` is `1.5`.
   *
   * @param amount a positive number of CPUs, in steps of at most a thousandth
   */
  public static units(amount: number): Cpu {
    // 1.1 * 1000 is 1100.0000000000002 in floating point: round what is a whole number of millicores but for that.
    const millis = amount * 1000;
    const whole = Math.abs(millis - Math.round(millis)) < 1e-6 ? Math.round(millis) : millis;
    return new Cpu(whole, String(amount), 'must be a positive number of CPUs, with at most 3 decimals');
  }

  /** The quantity as Kubernetes writes it, e.g. `250m` or `2`. */
  public readonly amount: string;

  /** @internal The amount in millicores, for validation. */
  public readonly _millis: number;

  /** @internal The rule the amount breaks when it is not a positive whole number of millicores. */
  public readonly _rule: string;

  private constructor(millis: number, amount: string, rule: string) {
    this._millis = millis;
    this.amount = amount;
    this._rule = rule;
  }
}

/** CPU request and limit of a container. */
export interface CpuResources {
  /**
   * CPU reserved for the container: the scheduler places pods by it, and autoscaling measures utilization against it.
   *
   * @default - no request
   */
  readonly request?: Cpu;

  /**
   * Most CPU the container may use; above it the container is throttled.
   *
   * @default - no limit
   */
  readonly limit?: Cpu;
}

/** Memory request and limit of a container, in whole mebibytes. */
export interface MemoryResources {
  /**
   * Memory reserved for the container.
   *
   * @default - no request
   */
  readonly request?: Size;

  /**
   * Most memory the container may use; above it the container is killed (OOMKilled).
   *
   * @default - no limit
   */
  readonly limit?: Size;
}

/**
 * Compute resources of a container.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
 */
export interface ContainerResources {
  /**
   * CPU request and limit.
   *
   * @default - neither
   */
  readonly cpu?: CpuResources;

  /**
   * Memory request and limit.
   *
   * @default - neither
   */
  readonly memory?: MemoryResources;
}

/**
 * Security settings of a container. Each setting left out takes the default given here, not Kubernetes'.
 *
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
 */
export interface ContainerSecurityOptions {
  /**
   * Refuse to start the container as root (`runAsNonRoot`).
   *
   * @default false - stock images such as nginx run as root
   */
  readonly ensureNonRoot?: boolean;

  /**
   * Mount the container's root filesystem read-only.
   *
   * @default false - stock images such as nginx write to /var/cache and /var/run
   */
  readonly readOnlyRootFilesystem?: boolean;

  /**
   * Run the container privileged.
   *
   * @default false
   */
  readonly privileged?: boolean;

  /**
   * Let a process gain more privileges than its parent (setuid binaries).
   *
   * @default false
   */
  readonly allowPrivilegeEscalation?: boolean;

  /**
   * User id the container's processes run as (`runAsUser`).
   *
   * @default - the image's user
   */
  readonly user?: number;

  /**
   * Group id the container's processes run as (`runAsGroup`).
   *
   * @default - the image's group
   */
  readonly group?: number;
}

/**
 * Security settings of a pod. Each setting left out takes the default given here, not Kubernetes'.
 *
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
 */
export interface PodSecurityOptions {
  /**
   * Refuse to start any container of the pod as root (`runAsNonRoot`).
   *
   * @default false
   */
  readonly ensureNonRoot?: boolean;

  /**
   * User id of every container's processes (`runAsUser`).
   *
   * @default - each image's user
   */
  readonly user?: number;

  /**
   * Group id of every container's processes (`runAsGroup`).
   *
   * @default - each image's group
   */
  readonly group?: number;

  /**
   * Group that owns the pod's volumes (`fsGroup`).
   *
   * @default - volumes keep their ownership
   */
  readonly fsGroup?: number;
}
