/**
 * A number of pods, absolute or as a percentage of the Deployment's replicas.
 */
export class PercentOrAbsolute {
  /**
   * A percentage of the replicas, e.g. `PercentOrAbsolute.percent(25)` is `25%`.
   *
   * @param percent a whole number from 0 to 100
   */
  public static percent(percent: number): PercentOrAbsolute {
    return new PercentOrAbsolute(percent, `${percent}%`, 'must be a whole percentage from 0 to 100');
  }

  /**
   * A number of pods.
   *
   * @param pods a whole number, at least 0
   */
  public static absolute(pods: number): PercentOrAbsolute {
    return new PercentOrAbsolute(pods, pods, 'must be a whole number of pods, at least 0');
  }

  /** The value as Kubernetes writes it: a number, or a string ending in `%`. */
  public readonly value: any;

  /** @internal */
  public readonly _number: number;
  /** @internal */
  public readonly _rule: string;

  private constructor(n: number, value: any, rule: string) {
    this._number = n;
    this.value = value;
    this._rule = rule;
  }
}

/** Options of a rolling update. */
export interface RollingUpdateOptions {
  /**
   * Pods above the replicas that may be created during the update. Not 0 when `maxUnavailable` is 0.
   *
   * @default PercentOrAbsolute.percent(25)
   */
  readonly maxSurge?: PercentOrAbsolute;

  /**
   * Pods below the replicas that may be unavailable during the update. Not 0 when `maxSurge` is 0.
   *
   * @default PercentOrAbsolute.absolute(0) - a new pod must be ready before an old one goes
   */
  readonly maxUnavailable?: PercentOrAbsolute;
}

/**
 * How a Deployment replaces its pods when their template changes.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
 */
export class DeploymentStrategy {
  /**
   * Replace pods a few at a time. The library's default is `rollingUpdate()`: maxSurge 25%, maxUnavailable 0.
   */
  public static rollingUpdate(options: RollingUpdateOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy('RollingUpdate',
      options.maxSurge ?? PercentOrAbsolute.percent(25), options.maxUnavailable ?? PercentOrAbsolute.absolute(0));
  }

  /** Stop every old pod before starting new ones: a gap in service, for apps that cannot run two versions at once. */
  public static recreate(): DeploymentStrategy {
    return new DeploymentStrategy('Recreate');
  }

  /** The strategy type: `RollingUpdate` or `Recreate`. */
  public readonly type: string;

  /** @internal */
  public readonly _maxSurge?: PercentOrAbsolute;
  /** @internal */
  public readonly _maxUnavailable?: PercentOrAbsolute;

  private constructor(type: string, maxSurge?: PercentOrAbsolute, maxUnavailable?: PercentOrAbsolute) {
    this.type = type;
    this._maxSurge = maxSurge;
    this._maxUnavailable = maxUnavailable;
  }
}
