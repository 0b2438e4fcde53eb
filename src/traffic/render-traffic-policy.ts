import { Duration } from 'cdk8s';
import { istioDuration } from './durations';
import { TrafficPolicy } from './traffic-policy';
import * as istio from '../../imports/networking.istio.io';

/**
 * The DestinationRule traffic policy as Istio reads it. The generated TypeScript types name one field differently
 * from the CRD (`consecutive5XxErrors` for `consecutive5xxErrors`); the library writes objects in their wire form,
 * so that field takes its wire name here.
 */
export interface WireTrafficPolicy extends Omit<istio.DestinationRuleSpecTrafficPolicy, 'outlierDetection'> {
  readonly outlierDetection?: Omit<istio.DestinationRuleSpecTrafficPolicyOutlierDetection, 'consecutive5XxErrors'> & {
    readonly consecutive5xxErrors?: number;
  };
}

/** A DestinationRule spec in wire form, with {@link WireTrafficPolicy} for the host and for each subset. */
export interface WireDestinationRuleSpec extends Omit<istio.DestinationRuleSpec, 'trafficPolicy' | 'subsets'> {
  readonly trafficPolicy?: WireTrafficPolicy;
  readonly subsets?: Array<Omit<istio.DestinationRuleSpecSubsets, 'trafficPolicy'> & { readonly trafficPolicy?: WireTrafficPolicy }>;
}

/**
 * A TrafficPolicy as the DestinationRule field. Shared by the traffic backends; not part of the public API.
 * Typed after the generated classes, so a misspelled field fails compilation.
 */
export function renderTrafficPolicy(policy: TrafficPolicy): WireTrafficPolicy {
  const pool = policy.connectionPool;
  const outlier = policy.outlierDetection;
  return {
    loadBalancer: policy.loadBalancer && { simple: policy.loadBalancer as string as istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple },
    connectionPool: pool && {
      tcp: (pool.maxConnections !== undefined || pool.connectTimeout) ? {
        maxConnections: pool.maxConnections,
        connectTimeout: pool.connectTimeout && istioDuration(pool.connectTimeout),
      } : undefined,
      http: (pool.http1MaxPendingRequests ?? pool.http2MaxRequests ?? pool.maxRequestsPerConnection ?? pool.maxRetries) !== undefined ? {
        http1MaxPendingRequests: pool.http1MaxPendingRequests,
        http2MaxRequests: pool.http2MaxRequests,
        maxRequestsPerConnection: pool.maxRequestsPerConnection,
        maxRetries: pool.maxRetries,
      } : undefined,
    },
    outlierDetection: outlier && {
      consecutive5xxErrors: outlier.consecutive5xxErrors ?? 5,
      interval: istioDuration(outlier.interval ?? Duration.seconds(10)),
      baseEjectionTime: istioDuration(outlier.baseEjectionTime ?? Duration.seconds(30)),
      maxEjectionPercent: outlier.maxEjectionPercent ?? 100,
    },
    tls: policy.tls && { mode: policy.tls as string as istio.DestinationRuleSpecTrafficPolicyTlsMode },
  };
}
