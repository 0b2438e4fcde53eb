import { Duration } from 'cdk8s';

/** Timing and thresholds of a probe. */
export interface ProbeOptions {
  /**
   * Wait after the container starts before the first probe.
   *
   * @default - no wait
   */
  readonly initialDelay?: Duration;

  /**
   * Time between probes.
   *
   * @default - Kubernetes' 10 seconds
   */
  readonly period?: Duration;

  /**
   * Time after which a probe counts as failed.
   *
   * @default - Kubernetes' 1 second
   */
  readonly timeout?: Duration;

  /**
   * Failures in a row after which the container counts as not ready (readiness) or is restarted (liveness).
   *
   * @default 3
   */
  readonly failureThreshold?: number;

  /**
   * Successes in a row after a failure for the container to count as healthy again; Kubernetes requires 1 for
   * liveness probes.
   *
   * @default - Kubernetes' 1
   */
  readonly successThreshold?: number;
}

/** Options of a probe that connects to a port. */
export interface PortProbeOptions extends ProbeOptions {
  /**
   * Port to probe.
   *
   * @default - the container port
   */
  readonly port?: number;
}

/** How an HTTP probe connects. */
export enum ProbeScheme {
  /** Plain HTTP. */
  HTTP = 'HTTP',
  /** HTTPS, without verifying the certificate. */
  HTTPS = 'HTTPS',
}

/** Options of an HTTP GET probe. */
export interface HttpGetProbeOptions extends PortProbeOptions {
  /**
   * Scheme of the request.
   *
   * @default ProbeScheme.HTTP
   */
  readonly scheme?: ProbeScheme;
}

/**
 * A readiness or liveness probe of the app container. Istio's sidecar injector rewrites HTTP and TCP probes so that
 * the kubelet's requests reach the app through the Istio agent.
 *
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
 * @see https://istio.io/latest/docs/ops/configuration/mesh/app-health-check/
 */
export class Probe {
  /**
   * Healthy when an HTTP GET of `path` answers with a status from 200 to 399.
   *
   * @param path the request path, starting with '/'
   */
  public static httpGet(path: string, options: HttpGetProbeOptions = {}): Probe {
    return new Probe('httpGet', options, path, options.port, options.scheme ?? ProbeScheme.HTTP);
  }

  /** Healthy when a TCP connection to the port opens. */
  public static tcpSocket(options: PortProbeOptions = {}): Probe {
    return new Probe('tcpSocket', options, undefined, options.port);
  }

  /**
   * Healthy when the command, run in the container, exits with 0.
   *
   * @param command the command and its arguments, run without a shell
   */
  public static command(command: string[], options: ProbeOptions = {}): Probe {
    return new Probe('exec', options, undefined, undefined, undefined, [...command]);
  }

  /** @internal The handler: `httpGet`, `tcpSocket` or `exec`. */
  public readonly _handler: string;
  /** @internal */
  public readonly _options: ProbeOptions;
  /** @internal */
  public readonly _path?: string;
  /** @internal */
  public readonly _port?: number;
  /** @internal */
  public readonly _scheme?: ProbeScheme;
  /** @internal */
  public readonly _command?: string[];

  private constructor(handler: string, options: ProbeOptions, path?: string, port?: number, scheme?: ProbeScheme, command?: string[]) {
    this._handler = handler;
    this._options = options;
    this._path = path;
    this._port = port;
    this._scheme = scheme;
    this._command = command;
  }
}
