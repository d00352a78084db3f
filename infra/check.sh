#!/usr/bin/env bash
# The infrastructure checks a HIPAA review runs, offline: synthesize the CDK app (cdk-nag's
# AwsSolutions and HIPAA Security packs run during synthesis and stop it on any unacknowledged
# finding), then cfn-lint over every template and checkov over the cloud assembly, both from the
# project's locked Python environment (.venv/). Skipped checks are named with reasons in
# infra/.cfnlintrc.yaml and infra/.checkov.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
for stage in dev prod; do
  echo "== cdk synth ($stage)"
  rm -rf infra/cdk.out
  (cd infra && npx cdk synth --quiet -c stage="$stage" >/dev/null)
  echo "== cfn-lint ($stage)"
  .venv/bin/cfn-lint --config-file infra/.cfnlintrc.yaml
  echo "== checkov ($stage)"
  .venv/bin/checkov --config-file infra/.checkov.yaml
done
