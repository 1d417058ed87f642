"""deploy/k8s/ against Kubernetes' own JSON schemas (strict: unknown fields fail), bundled
offline by kubernetes-validate, and wired together: names, labels, probes, security."""

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from petitions.management.commands.send_queued_emails import STOP_BUDGET

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy/k8s"
KUBERNETES_VERSION = "1.30"  # the oldest minor version still commonly run
MANIFESTS = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def load(name: str) -> dict:
    (document,) = yaml.safe_load_all((K8S / name).read_text())
    return document


def cores(quantity: str | int) -> float:
    """A CPU quantity as cores: "2", 2 or "2000m"."""
    text = str(quantity)
    return int(text[:-1]) / 1000 if text.endswith("m") else float(text)


def containers(name: str) -> list[dict]:
    return load(name)["spec"]["template"]["spec"]["containers"]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_each_manifest_is_valid_for_kubernetes(path):
    for document in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


class TestK8sManifests:
    def test_kustomization_applies_everything_but_the_secret_example(self):
        resources = set(load("kustomization.yaml")["resources"])
        assert resources == {p.name for p in MANIFESTS} - {"secret.example.yaml"}

    def test_the_web_is_ready_on_readyz_and_alive_on_healthz(self):
        (web,) = containers("web-deployment.yaml")
        assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
        host = load("configmap.yaml")["data"]["ALLOWED_HOSTS"].split(",")[0]
        for probe in ("readinessProbe", "livenessProbe"):
            # Django answers 400 to the pod's IP as Host: probes name an allowed host.
            assert web[probe]["httpGet"]["httpHeaders"] == [{"name": "Host", "value": host}]

    def test_the_worker_and_the_job_run_their_commands(self):
        (worker,) = containers("worker-deployment.yaml")
        assert worker["command"] == ["python", "manage.py", "send_queued_emails"]
        (migrate,) = containers("migrate-job.yaml")
        assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
        assert load("migrate-job.yaml")["spec"]["template"]["spec"]["restartPolicy"] == "Never"

    def test_the_worker_is_given_its_stop_budget_before_it_is_killed(self):
        pod = load("worker-deployment.yaml")["spec"]["template"]["spec"]
        assert pod["terminationGracePeriodSeconds"] >= STOP_BUDGET

    def test_each_web_pod_requests_a_core_per_gunicorn_worker(self):
        """docs/scaling.md: so that the autoscaler's target means what it says."""
        (web,) = containers("web-deployment.yaml")
        workers = int(load("configmap.yaml")["data"]["WEB_CONCURRENCY"])
        assert cores(web["resources"]["requests"]["cpu"]) == workers

    @pytest.mark.parametrize(
        "name", ["web-deployment.yaml", "worker-deployment.yaml", "migrate-job.yaml"]
    )
    def test_every_pod_runs_unprivileged_with_limits_and_both_env_sources(self, name):
        pod = load(name)["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001  # the image's USER
        (container,) = pod["containers"]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["requests"] and container["resources"]["limits"]
        assert container["envFrom"] == [
            {"configMapRef": {"name": load("configmap.yaml")["metadata"]["name"]}},
            {"secretRef": {"name": load("secret.example.yaml")["metadata"]["name"]}},
        ]
        assert container["image"] == containers("web-deployment.yaml")[0]["image"]

    def test_the_service_the_autoscaler_and_the_budget_point_at_the_web_pods(self):
        web = load("web-deployment.yaml")
        labels = web["spec"]["template"]["metadata"]["labels"]
        assert web["spec"]["selector"]["matchLabels"] == labels
        assert load("web-service.yaml")["spec"]["selector"] == labels
        assert load("web-pdb.yaml")["spec"]["selector"]["matchLabels"] == labels
        hpa = load("web-hpa.yaml")
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["name"] == web["metadata"]["name"]
        (metric,) = hpa["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"
        assert web["spec"]["replicas"] == hpa["spec"]["minReplicas"]

    def test_the_ingress_serves_tls_to_the_service(self):
        ingress = load("ingress.yaml")["spec"]
        service = load("web-service.yaml")
        (rule,) = ingress["rules"]
        (tls,) = ingress["tls"]
        assert rule["host"] in tls["hosts"] and tls["secretName"]
        (path,) = rule["http"]["paths"]
        assert path["backend"]["service"] == {
            "name": service["metadata"]["name"],
            "port": {"name": service["spec"]["ports"][0]["name"]},
        }
        assert f"https://{rule['host']}" == load("configmap.yaml")["data"]["SITE_URL"]

    def test_the_secret_example_holds_placeholders_only(self):
        secret = load("secret.example.yaml")
        assert "data" not in secret
        for name, value in secret["stringData"].items():
            assert "replace-me" in value, name

    def test_every_setting_they_pass_is_documented_in_env_example(self):
        documented = set(
            re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M)
        )
        passed = set(load("configmap.yaml")["data"]) | set(
            load("secret.example.yaml")["stringData"]
        )
        assert passed <= documented, passed - documented
