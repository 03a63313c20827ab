"""What the cos_agent library (LIBPATCH 26) writes in the provider unit's `config` key, redone with the
same Python primitives it uses (yaml.safe_load, hashlib, lzma, json) to check the charm's TypeScript
against. Follows COSAgentProvider._on_refresh, cosl.rules.AlertRules and cosl's DashboardPath40UID and
LZMABase64 step by step. Usage: library-reference.py CHARM_DIR MODEL MODEL_UUID APP
"""
import base64
import copy
import hashlib
import json
import lzma
import re
import sys
from pathlib import Path

import yaml

charm_dir, model, model_uuid, app = sys.argv[1:5]
charm_name = "flannel"

generic = {"groups": [{"name": "HostHealth", "rules": [
    {"alert": "HostDown", "expr": "up < 1", "for": "5m", "labels": {"severity": "critical"}, "annotations": {
        "summary": "Host '{{ $labels.instance }}' is down.",
        "description": "Juju application '{{ $labels.juju_application }}' in model '{{ $labels.juju_model }}' is down. Prometheus has been unable to scrape it during at least the past five minutes."}},
    {"alert": "HostMetricsMissing", "expr": "absent(up)", "for": "5m", "labels": {"severity": "warning"}, "annotations": {
        "summary": "Unit '{{ $labels.juju_unit }}' of application '{{ $labels.juju_application }}' is down or failing to remote write.",
        "description": "`Up` missing for unit '{{ $labels.juju_unit }}' of application {{ $labels.juju_application }} in model {{ $labels.juju_model }}. Please ensure the unit or the collector scraping it is up and is able to successfully reach the metrics backend."}},
]}]}

identifier = "_".join([model, model_uuid[:8], app]).replace("/", "_")
labels = {k: v for k, v in {"juju_model": model, "juju_model_uuid": model_uuid,
                            "juju_application": app, "juju_charm": charm_name}.items() if v}


def process(groups, prefix):
    out = []
    for group in copy.deepcopy(groups):
        if re.match(r"^.*?_[\da-f]{8}_.*?rules$", group["name"]) is None:
            name = "_".join(filter(None, [prefix, group["name"]]))
            if not name.endswith("_rules"):
                name += "_rules"
            group["name"] = name
        group["name"] = "".join(c if re.match(r"[a-zA-Z0-9_:]", c) else "_" for c in group["name"])
        for rule in group["rules"]:
            rule.setdefault("labels", {})
            for k, v in labels.items():
                if k not in rule["labels"]:
                    rule["labels"][k] = v
        out.append(group)
    return out


rules_dir = Path(charm_dir) / "src/prometheus_alert_rules"
files = sorted(f for f in rules_dir.glob("*") if f.is_file() and f.suffix in [".rule", ".rules", ".yml", ".yaml"])
groups = []
for f in files:
    groups += process(yaml.safe_load(f.read_text())["groups"], identifier)
groups += process(generic["groups"], identifier)
metrics_alert_rules = {"groups": groups} if groups else {}

dashboards = []
for path in (Path(charm_dir) / "src/grafana_dashboards").glob("*"):
    dashboard = json.loads(path.read_text())
    rel = str(path.relative_to(charm_dir))
    dashboard["uid"] = hashlib.shake_256("-".join([charm_name, rel]).encode("utf-8")).hexdigest(20)
    tags = dashboard.get("tags", [])
    if not any(t.startswith("charm: ") for t in tags):
        tags.append(f"charm: {charm_name}")
    dashboard["tags"] = tags
    dashboards.append(base64.b64encode(lzma.compress(json.dumps(dashboard).encode("utf-8"))).decode("utf-8"))

jobs = [{"metrics_path": "/metrics", "static_configs": [{"targets": ["localhost:9100"]}]}]
for job in jobs:
    digest = hashlib.blake2b(json.dumps({k: v for k, v in job.items() if k != "job_name"}, sort_keys=True).encode(),
                             digest_size=4).hexdigest()
    job["job_name"] = f"{app}_{job.get('job_name', 'default')}_{digest}"
jobs = sorted(jobs, key=lambda c: c.get("job_name", ""))

data = {"metrics_alert_rules": metrics_alert_rules, "log_alert_rules": {}, "dashboards": dashboards,
        "subordinate": None, "metrics_scrape_jobs": jobs, "log_slots": [], "tracing_protocols": None}
# pydantic 2's model_dump_json: compact, UTF-8 as is.
sys.stdout.write(json.dumps(data, separators=(",", ":"), ensure_ascii=False))
