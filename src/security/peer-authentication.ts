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
}): security.PeerAuthentication {
  return new security.PeerAuthentication(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.appLabels } },
    spec: {
      selector: { matchLabels: { ...props.appLabels } },
      mtls: { mode: props.mode === MutualTlsMode.STRICT ? PeerMode.STRICT : PeerMode.PERMISSIVE },
    },
  });
}
