#!/usr/bin/env bash
# The GitHub Action's step (action.yml): one `drift check` that prints workflow-command
# annotations, writes the SARIF file, appends the step summary, and passes its exit code on.
# Runs locally too: set the DRIFT_ACTION_* variables (and GITHUB_STEP_SUMMARY / GITHUB_OUTPUT).
set -uo pipefail

environment="${DRIFT_ACTION_ENVIRONMENT:?set DRIFT_ACTION_ENVIRONMENT (the environment to check)}"
args=(check "$environment"
      --profiles "${DRIFT_ACTION_PROFILES:-profiles}"
      --fail-on "${DRIFT_ACTION_FAIL_ON:-error}"
      --format github
      --sarif "${DRIFT_ACTION_SARIF:-drift.sarif}")
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

"${DRIFT_BIN:-drift}" "${args[@]}"
code=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit-code=$code" >> "$GITHUB_OUTPUT"
fi
exit "$code"
