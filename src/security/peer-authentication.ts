import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as security from '../../imports/security.istio.io';
import { MutualTlsMode } from '../workloads/production-options';

const PeerMode = security.PeerAuthenticationSpecMtlsMode;

/** A PeerAuthentication named after the workload, selecting every version's pods by the app label. */
export function createPeerAuthentication(scope: Construct, id: string, props: {
  readonly name: string;
  readonly namespace: string;
  readonly appLabels: { [key: string]: string };
  readonly mode: MutualTlsMode;
}): ApiObject {
  return new ApiObject(scope, id, {
    ...security.PeerAuthentication.GVK,
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.appLabels } },
    spec: {
      selector: { matchLabels: { ...props.appLabels } },
      mtls: { mode: props.mode === MutualTlsMode.STRICT ? PeerMode.STRICT : PeerMode.PERMISSIVE },
    } satisfies security.PeerAuthenticationSpec,
  });
}
