package mesh

import (
	"fmt"
	"sort"
	"strings"

	bootstrap "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// xdsSnapshot is the configuration Istio generated for one proxy: what it would send over LDS, RDS, CDS and EDS.
type xdsSnapshot struct {
	Listeners []*listener.Listener
	Routes    []*route.RouteConfiguration
	Clusters  []*cluster.Cluster
	Endpoints []*endpoint.ClusterLoadAssignment
}

// staticOptions says how to turn a snapshot into a bootstrap that a stock Envoy runs on loopback.
type staticOptions struct {
	// ListenerPort selects the generated listener that serves the traffic (its port in Istio's config).
	ListenerPort uint32
	// Bind is where the selected listener binds instead of Istio's 0.0.0.0 address (a loopback address).
	BindAddress string
	BindPort    uint32
	// AdminPort for Envoy's admin interface on 127.0.0.1.
	AdminPort uint32
	// BackendPort maps a pod IP to the port its stand-in backend listens on.
	BackendPort map[string]uint32
	// NotServed lists pod IPs that have no stand-in backend because they are not application pods (the gateway's
	// own pod); their endpoints are removed.
	NotServed map[string]bool
}

// staticBootstrap converts the snapshot to a static Envoy bootstrap. It returns the bootstrap as JSON and the
// list of what it changed (for the test log).
//
// The substitutions all sit outside the routing decision (which listener chain, which virtual host and route,
// which weighted cluster, which endpoints a subset cluster holds), which stays Istio's:
//
//   - the selected listener binds to a loopback address and a free port instead of 0.0.0.0:<port>
//     (a sidecar's outbound listener is reached through iptables in a pod; here it is called directly);
//   - RDS is replaced by the RouteConfiguration Istio generated for the same name, inlined;
//   - EDS is replaced by the ClusterLoadAssignment Istio generated for the same cluster, inlined, with each
//     endpoint's port changed to the port its stand-in backend listens on (the IPs stay Istio's pod IPs);
//   - Istio-proxy-only extensions (istio.* filters: metadata exchange, ALPN override) are dropped: a stock
//     Envoy does not have them, and they only annotate requests and connections;
//   - tracing is dropped (it points at a collector cluster from Istio's bootstrap);
//   - mTLS (transport sockets and matches that fetch Istio certificates over SDS from the agent) is dropped,
//     so the hop to the backends is plain HTTP. Encryption wraps the connection to the endpoint that the load
//     balancer already picked.
func staticBootstrap(s xdsSnapshot, o staticOptions) ([]byte, []string, error) {
	var notes []string
	note := func(format string, a ...any) { notes = append(notes, fmt.Sprintf(format, a...)) }

	routes := map[string]*route.RouteConfiguration{}
	for _, r := range s.Routes {
		routes[r.GetName()] = r
	}
	var selected *listener.Listener
	for _, l := range s.Listeners {
		if l.GetAddress().GetSocketAddress().GetPortValue() == o.ListenerPort && hasHCM(l) {
			if selected != nil {
				return nil, nil, fmt.Errorf("two HTTP listeners on port %d: %s and %s", o.ListenerPort, selected.GetName(), l.GetName())
			}
			selected = proto.Clone(l).(*listener.Listener)
		}
	}
	if selected == nil {
		var names []string
		for _, l := range s.Listeners {
			names = append(names, l.GetName())
		}
		return nil, nil, fmt.Errorf("no HTTP listener on port %d among %v", o.ListenerPort, names)
	}
	note("listener %s: bound to %s:%d", selected.GetName(), o.BindAddress, o.BindPort)
	selected.Address = socketAddress(o.BindAddress, o.BindPort)
	selected.BindToPort = nil
	selected.AdditionalAddresses = nil
	selected.ListenerFilters = keepFilters(selected.ListenerFilters, func(f *listener.ListenerFilter) string { return f.GetName() }, note, "listener filter")
	chains := selected.FilterChains
	if selected.DefaultFilterChain != nil {
		chains = append(chains, selected.DefaultFilterChain)
	}
	for _, fc := range chains {
		if m := fc.GetFilterChainMatch(); m != nil && m.DestinationPort != nil {
			m.DestinationPort = nil
		}
		fc.TransportSocket = nil
		fc.Filters = keepFilters(fc.Filters, func(f *listener.Filter) string { return f.GetName() }, note, "network filter")
		for _, f := range fc.Filters {
			if f.GetName() != "envoy.filters.network.http_connection_manager" {
				continue
			}
			m := &hcm.HttpConnectionManager{}
			if err := f.GetTypedConfig().UnmarshalTo(m); err != nil {
				return nil, nil, err
			}
			if rds := m.GetRds(); rds != nil {
				rc, ok := routes[rds.GetRouteConfigName()]
				if !ok {
					return nil, nil, fmt.Errorf("listener %s: no route configuration %q", selected.GetName(), rds.GetRouteConfigName())
				}
				note("route configuration %s: inlined (was RDS)", rds.GetRouteConfigName())
				m.RouteSpecifier = &hcm.HttpConnectionManager_RouteConfig{RouteConfig: rc}
			}
			if m.Tracing != nil {
				note("tracing: dropped")
				m.Tracing = nil
			}
			m.HttpFilters = keepFilters(m.HttpFilters, func(f *hcm.HttpFilter) string { return f.GetName() }, note, "http filter")
			a, err := anypb.New(m)
			if err != nil {
				return nil, nil, err
			}
			f.ConfigType = &listener.Filter_TypedConfig{TypedConfig: a}
		}
	}

	cla := map[string]*endpoint.ClusterLoadAssignment{}
	for _, e := range s.Endpoints {
		cla[e.GetClusterName()] = e
	}
	var clusters []*cluster.Cluster
	for _, c0 := range s.Clusters {
		c := proto.Clone(c0).(*cluster.Cluster)
		if c.GetType() == cluster.Cluster_EDS {
			la := proto.Clone(cla[c.GetName()]).(*endpoint.ClusterLoadAssignment)
			if la == nil {
				la = &endpoint.ClusterLoadAssignment{}
			}
			la.ClusterName = c.GetName()
			var ips []string
			for _, lle := range la.GetEndpoints() {
				kept := lle.LbEndpoints[:0]
				for _, lb := range lle.GetLbEndpoints() {
					sa := lb.GetEndpoint().GetAddress().GetSocketAddress()
					if sa != nil && o.NotServed[sa.GetAddress()] {
						note("cluster %s: endpoint %s removed (not an application pod)", c.GetName(), sa.GetAddress())
						continue
					}
					kept = append(kept, lb)
					if sa == nil {
						continue
					}
					port, ok := o.BackendPort[sa.GetAddress()]
					if !ok {
						return nil, nil, fmt.Errorf("cluster %s: endpoint %s has no stand-in backend", c.GetName(), sa.GetAddress())
					}
					ips = append(ips, fmt.Sprintf("%s:%d->%d", sa.GetAddress(), sa.GetPortValue(), port))
					sa.PortSpecifier = &core.SocketAddress_PortValue{PortValue: port}
				}
				lle.LbEndpoints = kept
			}
			sort.Strings(ips)
			note("cluster %s: EDS inlined, endpoints %v", c.GetName(), ips)
			c.ClusterDiscoveryType = &cluster.Cluster_Type{Type: cluster.Cluster_STATIC}
			c.EdsClusterConfig = nil
			c.LoadAssignment = la
		}
		if c.TransportSocket != nil || len(c.TransportSocketMatches) > 0 {
			c.TransportSocket = nil
			c.TransportSocketMatches = nil
		}
		c.Filters = keepFilters(c.Filters, func(f *cluster.Filter) string { return f.GetName() }, note, "cluster filter")
		clusters = append(clusters, c)
	}
	note("clusters: transport sockets (Istio mTLS via SDS) dropped, plain HTTP to the backends")

	b := &bootstrap.Bootstrap{
		Node: &core.Node{Id: "mesh-verification", Cluster: "mesh-verification"},
		Admin: &bootstrap.Admin{
			Address: socketAddress("127.0.0.1", o.AdminPort),
		},
		StaticResources: &bootstrap.Bootstrap_StaticResources{
			Listeners: []*listener.Listener{selected},
			Clusters:  clusters,
		},
	}
	js, err := protojson.MarshalOptions{Indent: "  "}.Marshal(b)
	return js, notes, err
}

func socketAddress(ip string, port uint32) *core.Address {
	return &core.Address{Address: &core.Address_SocketAddress{SocketAddress: &core.SocketAddress{
		Address: ip, PortSpecifier: &core.SocketAddress_PortValue{PortValue: port},
	}}}
}

func hasHCM(l *listener.Listener) bool {
	for _, fc := range l.GetFilterChains() {
		for _, f := range fc.GetFilters() {
			if f.GetName() == "envoy.filters.network.http_connection_manager" {
				return true
			}
		}
	}
	return false
}

// istioOnly reports whether a filter exists only in Istio's proxy build (istio.* names).
func istioOnly(name string) bool {
	return strings.HasPrefix(name, "istio.") || strings.HasPrefix(name, "envoy.wasm")
}

func keepFilters[T any](in []T, name func(T) string, note func(string, ...any), what string) []T {
	var out []T
	for _, f := range in {
		if istioOnly(name(f)) {
			note("%s %s: dropped (Istio proxy only)", what, name(f))
			continue
		}
		out = append(out, f)
	}
	return out
}
