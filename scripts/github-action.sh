#!/usr/bin/env bash
# The GitHub Action's step (action.yml): one `drift check` that prints workflow-command
# annotations, writes the SARIF file and the JSON report, appends the step summary, compares
# with a baseline report when there is one, sets the step's outputs and passes its exit code
# on. Runs locally too: set the DRIFT_ACTION_* variables (and GITHUB_STEP_SUMMARY /
# GITHUB_OUTPUT; DRIFT_BIN and DRIFT_PYTHON name the drift and python to run).
# Written for bash 3.2, the bash of GitHub's macOS runners (and 4.2 of RHEL 7's): under
# `set -u` an empty array is expanded as ${a[@]+"${a[@]}"} (before bash 4.4, "${a[@]}" of
# one is an unbound variable), no `local -` (4.4), and no quotes inside the replacement of
# "${x//p/r}" (kept as characters up to bash 4.2): a variable (tests/action/test_old_bash.py).
set -uo pipefail

# A workflow command's message, escaped as the runner unescapes it (%, CR, LF: docs.github.com,
# "Workflow commands for GitHub Actions"; actions/toolkit command.ts), so that an input value
# cannot end the command and start another (drift.textsafe.github_data does the same).
command_data() {
  local text="${1//%/%25}"
  text="${text//$'\r'/%0D}"
  printf '%s' "${text//$'\n'/%0A}"
}
# A plain log line's text: on one line (command_data), and without the runner's legacy
# `##[` command prefix, which it runs anywhere in a line that is not a `::` command
# (drift.textsafe.LEGACY_COMMAND).
plain_data() {
  local text from='##[' to='##\['
  text="$(command_data "$1")"
  printf '%s' "${text//"$from"/$to}"
}
is_gs() { case "$1" in [gG][sS]://*) return 0 ;; *) return 1 ;; esac; }
# A temporary file, or exit 2 saying why: bash's own status 1 (the redirection into an empty
# name failing) would read as "drift found".
temp_file() {
  mktemp 2>/dev/null && return 0
  echo "::error title=drift::cannot make a temporary file in ${TMPDIR:-/tmp} (set TMPDIR to a writable directory)" >&2
  exit 2
}
bad_input() {
  echo "::error title=drift::$1 must be true or false, got '$(command_data "$2")'"
  exit 2
}
# The step's exit-code output on every exit, bad inputs included (action.yml: "2 bad input"):
# a `continue-on-error: true` step routes on it.
exit_code_output() {
  local code=$?
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "exit-code=$code" >> "$GITHUB_OUTPUT"
  fi
  return "$code"
}
trap exit_code_output EXIT

# An empty environment (`environment: ${{ matrix.env }}` with a mistyped matrix key) is bad
# input, exit 2: never bash's own status 1, which reads as "drift found".
environment="${DRIFT_ACTION_ENVIRONMENT:-}"
if [ -z "$environment" ]; then
  echo "::error title=drift::the environment input is empty: name the environment to check (profiles/ENV.yaml)"
  exit 2
fi
report="${DRIFT_ACTION_REPORT:-drift-report.json}"
sarif="${DRIFT_ACTION_SARIF:-drift.sarif}"
# the environment last, after `--`: a name, never one of drift's options (`--help` would
# print the usage and exit 0, a green step that checked nothing)
args=(check
      --format github
      --sarif "$sarif"
      --json "$report")
# profiles and fail-on: passed only when the input is set, so that an unset input leaves them
# to drift's own precedence (DRIFT_PROFILES_DIR / DRIFT_FAIL_ON, then [tool.drift], then
# ./profiles and error: README "Configuration"); a default here would override them all.
[ -n "${DRIFT_ACTION_PROFILES:-}" ] && args+=(--profiles "$DRIFT_ACTION_PROFILES")
[ -n "${DRIFT_ACTION_FAIL_ON:-}" ] && args+=(--fail-on "$DRIFT_ACTION_FAIL_ON")
case "${DRIFT_ACTION_PROBE:-false}" in
  true) args+=(--probe) ;;
  false|"") ;;
  *) bad_input probe "$DRIFT_ACTION_PROBE" ;;
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
  *) bad_input offline "$DRIFT_ACTION_OFFLINE" ;;
esac

# baseline: the report of an earlier run (a file, or a gs:// object drift reads itself). No
# file there yet (a first run, an expired cache): nothing was known before, so every finding
# is new and --fail-on gates them all.
baseline="${DRIFT_ACTION_BASELINE:-}"
case "${DRIFT_ACTION_FAIL_ON_NEW:-false}" in
  true) fail_on_new=true ;;
  false|"") fail_on_new="" ;;
  *) bad_input fail-on-new "$DRIFT_ACTION_FAIL_ON_NEW" ;;
esac
# The script's own news are plain log lines, never annotations: GitHub keeps 10 annotations of
# each level per step (actions/toolkit docs/problem-matchers.md, "Limitations"), and drift
# spends those 10 on the findings (drift.format.github.ANNOTATIONS_PER_LEVEL): one of the
# script's own would silently push drift's tenth out.
if [ -n "$baseline" ] && ! is_gs "$baseline" && [ ! -f "$baseline" ]; then
  echo "drift: no baseline report yet (first run): every finding is new"
  baseline=""
fi
if [ -n "$baseline" ] && ! is_gs "$baseline" && [ "$baseline" -ef "$report" ]; then
  # the same file as the report this run writes: compare with a copy of it
  copy="$(temp_file)" || exit 2
  cp "$baseline" "$copy"; baseline="$copy"
fi
compare=()
if [ -n "$baseline" ]; then
  compare=(--baseline "$baseline")
  [ -n "$fail_on_new" ] && compare+=(--fail-on-new)
fi

# Both outputs are removed before each run: no stale report or SARIF log of an earlier run
# is taken for this one's (exit 2 writes neither), and a link the checkout holds there (a
# pull request that commits `drift.sarif -> ../../.gitconfig`) is gone, never written
# through (drift itself replaces a link rather than follow it: drift.files.replaces_links).
# A path that passes through a link of the workspace's leading out of it is not removed: the
# file there is not the workspace's (a pull request that commits `reports -> /home/runner`
# under `sarif-file: reports/drift.sarif`, `reports/../drift.sarif`, or the workspace spelled
# absolute), and drift refuses to write through that link (exit 2: drift.files.linked_out,
# which this follows): the path is walked as the kernel resolves it (each link before the
# `..` after it: `cd -P`), and a link standing in GITHUB_WORKSPACE (or else in the working
# directory) whose target is outside it stops it. Any other path, in the workspace or typed
# outside it on purpose (`../out/drift.sarif`, `${{ runner.temp }}/…`), is removed: drift
# writes it, and no earlier run's file may be taken for this one's.
within() { case "$1/" in "$2/"*) return 0 ;; *) return 1 ;; esac; }
linked_out() (
  # a subshell: `set -f` and IFS end with it (bash 3.2 has no `local -`)
  local here root="" folder part next to bound
  here="$(pwd -P)"
  [ -n "${GITHUB_WORKSPACE:-}" ] && root="$(cd -P -- "$GITHUB_WORKSPACE" 2>/dev/null && pwd -P)"
  case "$1" in /*) folder="" ;; *) folder="$here" ;; esac
  IFS=/
  set -f # split on / only: a `*` in the path is a name, never a pattern
  for part in $(dirname -- "$1"); do
    case "$part" in
      "" | .) continue ;;
      ..) folder="$(dirname -- "${folder:-/}")"; [ "$folder" = / ] && folder=""; continue ;;
    esac
    next="$folder/$part"
    if [ -L "$next" ]; then
      to="$(cd -P -- "$next" 2>/dev/null && pwd -P)" || return 1
      bound=""
      if [ -n "$root" ] && within "${folder:-/}" "$root"; then bound="$root"
      elif within "${folder:-/}" "$here"; then bound="$here"; fi
      [ -n "$bound" ] && ! within "$to" "$bound" && return 0
      folder="$to"
    else
      folder="$next"
    fi
  done
  return 1
)
# A report left by an earlier run, removed so that it is never read as this run's: a regular
# file or a link only, never a device (`sarif-file: /dev/null`: a step running as root would
# replace the device by a file every later step writes into and reads; helper-533 F1), a
# FIFO or a directory, which drift writes into or refuses itself.
# Only a report or a SARIF log (its schema in its first lines) is an earlier run's: any other
# file there is left to drift, which refuses an output naming a file it reads (a profile,
# pyproject.toml: helper-606 F2, removed here before drift could refuse) and replaces the rest.
drifts() {
  head -c 4096 -- "$1" 2>/dev/null \
    | grep -qE '"[$]?schema" *: *"(drift[.]report/|https://[^"]*sarif)'
}
stale() {
  is_gs "$1" && return 0
  linked_out "$1" && return 0
  if [ -L "$1" ] || { [ -f "$1" ] && drifts "$1"; }; then rm -f -- "$1"; fi
  return 0
}
check() {
  stale "$report"
  stale "$sarif"
  "${DRIFT_BIN:-drift}" "${args[@]}" "$@" -- "$environment"
}
errors="$(temp_file)" || exit 2
check ${compare[@]+"${compare[@]}"} 2>"$errors"
code=$?
# drift's `drift: error:` lines, each followed under --format github by the same message as an
# `::error` workflow command (drift.cli.output.error): an annotation of the run's page
if [ "$code" = 2 ] && [ -n "$baseline" ] && grep -v '^::' "$errors" | grep -qF -- "$baseline"; then
  # drift refused the baseline (another environment, project or region; not a drift report;
  # a gs:// object not there yet or unreadable): run as a first run, whose report replaces it.
  # Failing instead would fail every later run on the same baseline (a scheduled workflow
  # restores it from the cache again and again). Its error is no error of the step's: its
  # lines are logged, its annotation left out (it would also take one of the 10 error
  # annotations GitHub shows from the findings)
  grep -v '^::' "$errors" >&2
  reason="$(grep -v '^::' "$errors" | grep -m1 -F -- "$baseline")"
  echo "drift: warning: baseline not used, checked as a first run (every finding is new): $(plain_data "$reason")"
  # and on the run's page, where no annotation slot is spent: the step summary (the reason,
  # hostile text, stays in the log: the summary's sentence is the script's own)
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '%s\n\n' "**drift: baseline not used**: drift refused it (the step's log says why), so this run was checked as a first run: every finding is new and --fail-on-new did not apply." >> "$GITHUB_STEP_SUMMARY"
  fi
  check
  code=$?
else
  cat "$errors" >&2
fi
rm -f "$errors"
# new-findings, resolved-findings, report and status: only when drift wrote a report (not on
# exit 2; a gs:// report is read back from Cloud Storage)
if [ "$code" != 2 ] && { is_gs "$report" || [ -f "$report" ]; }; then
  # with the exit code: a clean check whose SARIF could not be written (exit 3) is no
  # `status=clean`, whose SARIF a later step would upload
  "${DRIFT_PYTHON:-python}" -m drift.action outputs "$report" --exit-code "$code" || exit 2
fi
exit "$code"
