#!/usr/bin/env bash
# The GitHub Action's step (action.yml): one `drift check` that prints workflow-command
# annotations, writes the SARIF file and the JSON report, appends the step summary, compares
# with a baseline report when there is one, sets the step's outputs and passes its exit code
# on. Runs locally too: set the DRIFT_ACTION_* variables (and GITHUB_STEP_SUMMARY /
# GITHUB_OUTPUT; DRIFT_BIN and DRIFT_PYTHON name the drift and python to run).
set -uo pipefail

environment="${DRIFT_ACTION_ENVIRONMENT:?set DRIFT_ACTION_ENVIRONMENT (the environment to check)}"
report="${DRIFT_ACTION_REPORT:-drift-report.json}"
args=(check "$environment"
      --profiles "${DRIFT_ACTION_PROFILES:-profiles}"
      --fail-on "${DRIFT_ACTION_FAIL_ON:-error}"
      --format github
      --sarif "${DRIFT_ACTION_SARIF:-drift.sarif}"
      --json "$report")
case "${DRIFT_ACTION_PROBE:-false}" in
  true) args+=(--probe) ;;
  false|"") ;;
  *) echo "::error title=drift::probe must be true or false, got '${DRIFT_ACTION_PROBE}'"; exit 2 ;;
esac
# manifest: one file per line (blank lines and surrounding spaces ignored)
while IFS= read -r file || [ -n "$file" ]; do
  file="${file#"${file%%[![:space:]]*}"}"
  file="${file%"${file##*[![:space:]]}"}"
  [ -n "$file" ] && args+=(--manifest "$file")
done <<< "${DRIFT_ACTION_MANIFEST:-}"
case "${DRIFT_ACTION_OFFLINE:-false}" in
  true) args+=(--offline) ;;
  false|"") ;;
  *) echo "::error title=drift::offline must be true or false, got '${DRIFT_ACTION_OFFLINE}'"; exit 2 ;;
esac

# baseline: the report of an earlier run. None there yet (a first run, an expired cache):
# nothing was known before, so every finding is new and --fail-on gates them all.
baseline="${DRIFT_ACTION_BASELINE:-}"
if [ -n "$baseline" ] && [ ! -f "$baseline" ]; then
  echo "::notice title=drift::no baseline report yet (first run): every finding is new"
  baseline=""
  first_run=true
fi
if [ -n "$baseline" ] && [ "$baseline" -ef "$report" ]; then
  # the same file as the report this run writes: compare with a copy of it
  copy="$(mktemp)"; cp "$baseline" "$copy"; baseline="$copy"
fi
[ -n "$baseline" ] && args+=(--baseline "$baseline")
case "${DRIFT_ACTION_FAIL_ON_NEW:-false}" in
  true) [ -z "${first_run:-}" ] && args+=(--fail-on-new) ;;
  false|"") ;;
  *) echo "::error title=drift::fail-on-new must be true or false, got '${DRIFT_ACTION_FAIL_ON_NEW}'"; exit 2 ;;
esac

rm -f "$report"
"${DRIFT_BIN:-drift}" "${args[@]}"
code=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit-code=$code" >> "$GITHUB_OUTPUT"
fi
# new-findings, resolved-findings and report: only when drift wrote a report (not on exit 2)
if [ -f "$report" ]; then
  "${DRIFT_PYTHON:-python}" -m drift.action outputs "$report" || exit 2
fi
exit "$code"
