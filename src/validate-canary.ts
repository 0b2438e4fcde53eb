import type { IstioCanaryProps } from './istio-canary';
import { TrafficApi } from './traffic/traffic-api';
import { validateRouting, validateTrafficPolicy } from './traffic/validate-traffic';
import {
  check, checkPort, isDns1035Label, isDns1123Label, isIntegerIn, isLabelKey, isLabelValue, isNonBlank,
  RULE_DNS1035_LABEL, RULE_DNS1123_LABEL, RULE_LABEL_KEY, RULE_LABEL_VALUE,
} from './validation';
import { CanaryVersion, WeightedCanaryVersion } from './workloads/canary-version';
import { telemetryLabels } from './workloads/telemetry-labels';

/**
 * Ports the Istio sidecar itself listens on; an application port among them collides with Envoy.
 *
 * @see https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio
 */
const ISTIO_RESERVED_PORTS = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

/** Values of {@link IstioCanaryProps} after defaults; not part of the public API. */
export interface ResolvedNames {
  readonly appKey: string;
  readonly versionKey: string;
  readonly containerPort: number;
  readonly containerName: string;
  readonly clusterDomain: string;
  readonly namespace: string;
}

/**
 * Checks the props of `IstioCanary` with the property names users wrote (`stable.image`, `additionalVersions[1]...`),
 * before anything is created. Routing and traffic policies go through the traffic layer's own checks.
 * Not part of the public API.
 */
export function validateCanary(props: IstioCanaryProps, r: ResolvedNames): void {
  check(isDns1035Label(props.name), 'name', props.name, RULE_DNS1035_LABEL);
  check(isDns1123Label(r.namespace), 'namespace', r.namespace, RULE_DNS1123_LABEL);
  checkPort(props.port, 'port');
  checkPort(r.containerPort, 'containerPort');
  check(!ISTIO_RESERVED_PORTS.includes(r.containerPort), 'containerPort', r.containerPort,
    `must not be a port the Istio sidecar listens on (${ISTIO_RESERVED_PORTS.join(', ')})`);
  check(isDns1123Label(r.containerName), 'containerName', r.containerName, RULE_DNS1123_LABEL);
  check(isNonBlank(r.clusterDomain) && !/\s/.test(r.clusterDomain), 'clusterDomain', r.clusterDomain, 'must be a DNS domain such as cluster.local');
  check(isLabelKey(r.appKey), 'appLabelKey', r.appKey, RULE_LABEL_KEY);
  check(isLabelKey(r.versionKey), 'versionLabelKey', r.versionKey, RULE_LABEL_KEY);
  check(r.appKey !== r.versionKey, 'versionLabelKey', r.versionKey, 'must differ from \'appLabelKey\'');

  const versions: Array<[string, CanaryVersion]> = [
    ['stable', props.stable],
    ...(props.additionalVersions ?? []).map((v, i): [string, CanaryVersion] => [`additionalVersions[${i}]`, v]),
    ['canary', props.canary],
  ];
  const versionNames = new Map<string, string>();
  const deploymentNames = new Map<string, string>();
  for (const [prop, v] of versions) {
    check(isDns1123Label(v.version), `${prop}.version`, v.version, RULE_DNS1123_LABEL);
    const sameVersion = versionNames.get(v.version);
    check(sameVersion === undefined, `${prop}.version`, v.version,
      `must differ from '${sameVersion}.version': each version needs its own subset and pods`);
    versionNames.set(v.version, prop);
    check(isNonBlank(v.image) && !/\s/.test(v.image), `${prop}.image`, v.image, 'must be a non-empty image reference without spaces');
    if (v.replicas !== undefined) {
      check(isIntegerIn(v.replicas, 0, Number.MAX_SAFE_INTEGER), `${prop}.replicas`, v.replicas, 'must be a non-negative integer');
    }
    if (v.deploymentName !== undefined) {
      check(isDns1123Label(v.deploymentName), `${prop}.deploymentName`, v.deploymentName, RULE_DNS1123_LABEL);
    }
    if ((props.trafficApi ?? TrafficApi.ISTIO) === TrafficApi.GATEWAY_API) {
      const serviceName = `${props.name}-${v.version}`;
      check(isDns1035Label(serviceName), `${prop}.version`, v.version,
        `must leave '${serviceName}', the name of the version's Service with TrafficApi.GATEWAY_API, a DNS-1035 label of at most 63 characters`);
    }
    const deploymentName = v.deploymentName ?? `${props.name}-${v.version}`;
    const sameDeployment = deploymentNames.get(deploymentName);
    check(sameDeployment === undefined, `${prop}.deploymentName`, deploymentName, `must differ from the ${sameDeployment} Deployment's name`);
    deploymentNames.set(deploymentName, prop);
    const managed = Object.keys(telemetryLabels(r.appKey, r.versionKey, props.name, v.version));
    for (const [key, value] of Object.entries(v.podLabels ?? {})) {
      check(key !== r.appKey && key !== r.versionKey, `${prop}.podLabels`, key,
        `must not set '${r.appKey}' or '${r.versionKey}', the labels the Service, selectors and subsets rely on`);
      check(!managed.includes(key), `${prop}.podLabels`, key,
        `must not set '${key}': with custom label keys the construct sets Istio's canonical service labels itself`);
      check(isLabelKey(key), `${prop}.podLabels`, key, RULE_LABEL_KEY);
      check(isLabelValue(value), `${prop}.podLabels.${key}`, value, RULE_LABEL_VALUE);
    }
    if (v.trafficPolicy) validateTrafficPolicy(v.trafficPolicy, `${prop}.trafficPolicy`);
  }
  (props.additionalVersions ?? []).forEach((v: WeightedCanaryVersion, i) =>
    check(isIntegerIn(v.weight, 0, 100), `additionalVersions[${i}].weight`, v.weight, 'must be an integer from 0 to 100'));
  if (props.promotedStableReplicas !== undefined) {
    check(isIntegerIn(props.promotedStableReplicas, 0, Number.MAX_SAFE_INTEGER), 'promotedStableReplicas', props.promotedStableReplicas, 'must be a non-negative integer');
  }
  if (props.routing) validateRouting(props.routing, versions.map(([, v]) => v.version));
  if (props.trafficPolicy) validateTrafficPolicy(props.trafficPolicy, 'trafficPolicy');
}
