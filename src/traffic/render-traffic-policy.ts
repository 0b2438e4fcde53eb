import { Duration } from 'cdk8s';
import { TrafficPolicy } from './traffic-policy';
import { istioDuration } from './validate-traffic';
import * as istio from '../../imports/networking.istio.io';

/**
 * A TrafficPolicy as the DestinationRule field. Shared by the traffic backends; not part of the public API.
 * Typed as the generated class, so a misspelled field fails compilation instead of being dropped by its toJson.
 */
export function renderTrafficPolicy(policy: TrafficPolicy): istio.DestinationRuleSpecTrafficPolicy {
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
      consecutive5XxErrors: outlier.consecutive5xxErrors ?? 5,
      interval: istioDuration(outlier.interval ?? Duration.seconds(10)),
      baseEjectionTime: istioDuration(outlier.baseEjectionTime ?? Duration.seconds(30)),
      maxEjectionPercent: outlier.maxEjectionPercent ?? 100,
    },
    tls: policy.tls && { mode: policy.tls as string as istio.DestinationRuleSpecTrafficPolicyTlsMode },
  };
}
