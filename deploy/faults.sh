#!/usr/bin/env bash
# The fault-injection suite in full (the tests in category Faults with WAGECLUE_FAULTS=full): 1 000 intakes with the
# service killed 10-20 times, on loopback only, with its own PostgreSQL like deploy/test.sh. CI runs the short
# variant as part of the tests. The figures are printed and appended to .local/faults-report.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
export WAGECLUE_FAULTS=full
exec deploy/test.sh --filter "Category=Faults" "$@"
