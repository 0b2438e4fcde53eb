// The seed example (examples/seed.ts) in Go: writes seed.k8s.yaml into the folder given as argument.
package main

import (
	"os"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-istio-canary/cdk8s-istio-canary-go/cdk8sistiocanary"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

func seedChart(scope constructs.Construct) cdk8s.Chart {
	chart := cdk8s.NewChart(scope, jsii.String("seed"), nil)
	cdk8sistiocanary.NewIstioCanary(chart, jsii.String("canary"), &cdk8sistiocanary.IstioCanaryProps{
		Name:            jsii.String("canary"),
		Namespace:       jsii.String("default"),
		Port:            jsii.Number(80),
		AppLabelKey:     jsii.String("apply"),
		VersionLabelKey: jsii.String("app"),
		ContainerName:   jsii.String("nginx"),
		Stable: &cdk8sistiocanary.CanaryVersion{
			Version:        jsii.String("v1"),
			Image:          jsii.String("harbor.example.com/library/version-test:v1"),
			DeploymentName: jsii.String("appv1"),
		},
		Canary: &cdk8sistiocanary.CanaryVersion{
			Version:        jsii.String("v2"),
			Image:          jsii.String("harbor.example.com/library/version-test:v2"),
			DeploymentName: jsii.String("appv2"),
		},
		CanaryWeight: jsii.Number(10),
		Gateway: &cdk8sistiocanary.CanaryGatewayOptions{
			Hosts: jsii.Strings("*"),
			Name:  jsii.String("canary-gateway"),
		},
		// `kubectl label namespace default istio-injection=enabled`, as a manifest.
		SidecarInjection: cdk8sistiocanary.SidecarInjection_Enabled(),
	})
	return chart
}

func main() {
	outdir := "dist"
	if len(os.Args) > 1 {
		outdir = os.Args[1]
	}
	defer jsii.Close()
	app := cdk8s.NewApp(&cdk8s.AppProps{Outdir: jsii.String(outdir)})
	seedChart(app)
	app.Synth()
}
