"""The seed example (examples/seed.ts) in Python: writes seed.k8s.yaml into the folder given as argument."""
import sys

from cdk8s import App, Chart
from cdk8s_istio_canary import (
    CanaryGatewayOptions,
    CanaryVersion,
    IstioCanary,
    SidecarInjection,
)


def seed_chart(app: App) -> Chart:
    chart = Chart(app, "seed")
    IstioCanary(
        chart,
        "canary",
        name="canary",
        namespace="default",
        port=80,
        app_label_key="apply",
        version_label_key="app",
        container_name="nginx",
        stable=CanaryVersion(
            version="v1",
            image="harbor.example.com/library/version-test:v1",
            deployment_name="appv1",
        ),
        canary=CanaryVersion(
            version="v2",
            image="harbor.example.com/library/version-test:v2",
            deployment_name="appv2",
        ),
        canary_weight=10,
        gateway=CanaryGatewayOptions(hosts=["*"], name="canary-gateway"),
        # `kubectl label namespace default istio-injection=enabled`, as a manifest.
        sidecar_injection=SidecarInjection.enabled(),
    )
    return chart


if __name__ == "__main__":
    app = App(outdir=sys.argv[1] if len(sys.argv) > 1 else "dist")
    seed_chart(app)
    app.synth()
