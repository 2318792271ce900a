#!/usr/bin/env bash
# The AWS checks that need Python: cfn-lint on the synthesised template, and deploy/destroy's EMR
# Serverless calls against moto server on 127.0.0.1. No Docker, no AWS account, no real endpoint.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=.cache/aws
venv=$work/venv
mkdir -p "$work"
if [[ ! -x $venv/bin/cfn-lint || ! -x $venv/bin/moto_server ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet cfn-lint 'moto[server]'
fi

# Fake credentials, and every SDK call pointed away from AWS: nothing here may reach a real endpoint.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE

echo "== synth and cfn-lint (private, and with laptop access)"
npx tsx scripts/aws/synth.ts "$work/cdk.out"
npx tsx scripts/aws/synth.ts "$work/cdk.out.laptop" 203.0.113.7/32
# W3005 (a DependsOn that a GetAtt already implies) is how the CDK orders every function after its
# role's policy; redundant, not wrong. Every other finding, warnings included, fails the script.
"$venv/bin/cfn-lint" --regions us-east-1 eu-west-1 --ignore-checks W3005 -- "$work/cdk.out/Riskctl.template.json" "$work/cdk.out.laptop/Riskctl.template.json"
echo "cfn-lint: no findings"

echo "== EMR Serverless against moto server"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -fs "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break
  sleep 0.2
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
npx tsx scripts/aws/emr-moto.ts "http://127.0.0.1:$port"
