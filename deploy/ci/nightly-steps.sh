#!/usr/bin/env bash
# The shell steps of deploy/ci/nightly.yml, one subcommand per step, so that
# deploy/nightly-workflow.test.ts can run them on a temporary folder without
# GitHub: bash deploy/ci/nightly-steps.sh baseline|run|keep|compare|history
#
# The baseline bootstraps from the nights themselves:
#   - a night is kept when it completed (deploy/ci/night-complete.mjs: not
#     aborted, every configured scenario ran and left its metric stream and
#     summary export, run.json parses), whatever its verdict: a night that
#     missed a target still measured every figure;
#   - while there is no baseline.json, each complete night's run.json goes to
#     $BASELINE_RUNS (the newest $BASELINE_KEEP stay); once $BASELINE_MIN are
#     kept, the next night builds baseline.json from them (`acgs-load baseline
#     save`) and is compared with it, and no more nights are added, so a slow
#     drift is not folded into the baseline (`history` shows it instead);
#   - every complete night's run.json also goes to $HISTORY_RUNS (the newest
#     $HISTORY_KEEP), for `acgs-load history` in the step summary.
# A committed baseline.json is used as it is.
#
# Each step writes key=value lines to $GITHUB_OUTPUT and to $STATE (read by
# the later steps), and Markdown to $GITHUB_STEP_SUMMARY. Outside GitHub they
# default to files in the working folder.
set -euo pipefail

ACGS_LOAD=${ACGS_LOAD:-node bin/acgs-load.js}
NIGHTLY_PROFILE=${NIGHTLY_PROFILE:-nightly}
RESULTS_DIR=${RESULTS_DIR:-results}
BASELINE_FILE=${BASELINE_FILE:-baseline.json}
BASELINE_RUNS=${BASELINE_RUNS:-baseline-runs}
HISTORY_RUNS=${HISTORY_RUNS:-history-runs}
BASELINE_MIN=${BASELINE_MIN:-5}
BASELINE_KEEP=${BASELINE_KEEP:-5}
HISTORY_KEEP=${HISTORY_KEEP:-30}
STATE=${STATE:-nightly-state.env}
GITHUB_OUTPUT=${GITHUB_OUTPUT:-nightly-output.txt}
GITHUB_STEP_SUMMARY=${GITHUB_STEP_SUMMARY:-nightly-summary.md}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Records a step's result for GitHub and for the later steps.
output() {
  echo "$1=$2" >> "$GITHUB_OUTPUT"
  echo "$1=$2" >> "$STATE"
}

# The value a previous step recorded (the last one written wins), or $2.
state() {
  local v
  v=$( (grep -E "^$1=" "$STATE" 2>/dev/null || true) | tail -n 1 | cut -d= -f2-)
  echo "${v:-${2:-}}"
}

# run.json files kept in a folder, one per run folder.
count_runs() {
  find "$1" -mindepth 2 -maxdepth 2 -name run.json 2>/dev/null | wc -l | tr -d ' '
}

# Keeps the newest $2 run folders of $1 (run ids start with their UTC start time, so they sort by it).
trim() {
  local dir=$1 keep=$2
  find "$dir" -mindepth 1 -maxdepth 1 -type d | sort | head -n -"$keep" | xargs -r rm -rf
}

# The run folder results/latest points at, or nothing.
latest_run() {
  if [ -L "$RESULTS_DIR/latest" ] || [ -d "$RESULTS_DIR/latest" ]; then readlink -f "$RESULTS_DIR/latest"; fi
}

step_baseline() {
  mkdir -p "$BASELINE_RUNS" "$HISTORY_RUNS"
  : > "$STATE"
  local kept mode
  kept=$(count_runs "$BASELINE_RUNS")
  if [ -f "$BASELINE_FILE" ]; then
    mode=committed
  elif [ "$kept" -ge "$BASELINE_MIN" ]; then
    # shellcheck disable=SC2046 # one argument per kept run.json
    $ACGS_LOAD baseline save $(find "$BASELINE_RUNS" -mindepth 2 -maxdepth 2 -name run.json | sort) --out "$BASELINE_FILE"
    mode=built
  else
    mode=bootstrap
  fi
  echo "baseline: $mode ($kept complete night(s) kept, $BASELINE_MIN needed)"
  output mode "$mode"
  output kept "$kept"
  # The run step tells its own run from an earlier one that results/latest may still point at.
  output before "$(latest_run)"
}

step_run() {
  local code=0
  # shellcheck disable=SC2086 # NIGHTLY_FLAGS: extra flags, word-split on purpose
  if [ -f "$BASELINE_FILE" ]; then
    $ACGS_LOAD run --profile "$NIGHTLY_PROFILE" --baseline "$BASELINE_FILE" ${NIGHTLY_FLAGS:-} || code=$?
  else
    $ACGS_LOAD run --profile "$NIGHTLY_PROFILE" ${NIGHTLY_FLAGS:-} || code=$?
  fi
  local now
  now=$(latest_run)
  if [ -n "$now" ] && [ "$now" != "$(state before)" ]; then output run_dir "$now"; else output run_dir ""; fi
  output run_code "$code"
  # Exit codes (README): 3 consistency, 4 targets missed, 5 infrastructure, 7 regression, 8 aborted.
  return "$code"
}

step_keep() {
  local dir id reasons
  dir=$(state run_dir)
  if [ -z "$dir" ]; then
    echo "not kept: the run wrote no results (exit $(state run_code '?'))"
    output night_kept false
    return 0
  fi
  id=$(basename "$dir")
  if ! reasons=$(node "$HERE/night-complete.mjs" "$dir"); then
    echo "not kept: $id did not complete: $(echo "$reasons" | paste -sd ';' -)"
    output night_kept false
    return 0
  fi
  mkdir -p "$HISTORY_RUNS/$id"
  cp "$dir/run.json" "$HISTORY_RUNS/$id/run.json"
  trim "$HISTORY_RUNS" "$HISTORY_KEEP"
  if [ "$(state mode)" = bootstrap ]; then
    mkdir -p "$BASELINE_RUNS/$id"
    cp "$dir/run.json" "$BASELINE_RUNS/$id/run.json"
    trim "$BASELINE_RUNS" "$BASELINE_KEEP"
    echo "kept for the baseline: $id (complete; exit $(state run_code '?')), $(count_runs "$BASELINE_RUNS") of $BASELINE_MIN"
  else
    echo "kept for the history: $id (complete; the baseline is $(state mode))"
  fi
  output night_kept true
}

step_compare() {
  local code=0 dir
  dir=$(state run_dir)
  if [ -z "$dir" ]; then
    echo "### acgs-load: the run wrote no results (exit $(state run_code '?')); nothing to compare" > comparison.md
  elif [ -f "$BASELINE_FILE" ]; then
    $ACGS_LOAD compare "$dir" --baseline "$BASELINE_FILE" --markdown > comparison.md || code=$?
  else
    echo "### acgs-load: baseline bootstrapping ($(state kept 0) of $BASELINE_MIN complete nights kept before this one; no comparison yet)" > comparison.md
  fi
  cat comparison.md >> "$GITHUB_STEP_SUMMARY"
  if [ -n "$dir" ] && [ -f "$dir/report.md" ]; then
    echo "" >> "$GITHUB_STEP_SUMMARY"
    cat "$dir/report.md" >> "$GITHUB_STEP_SUMMARY"
  fi
  output code "$code"
}

step_history() {
  local n
  n=$(count_runs "$HISTORY_RUNS")
  if [ "$n" -lt 2 ]; then
    echo "history: $n complete night(s) kept, a history needs 2"
    return 0
  fi
  {
    echo ""
    # A history never fails the night: it is for reading; compare is the gate.
    $ACGS_LOAD history "$HISTORY_RUNS" --markdown --html history.html ||
      echo "(acgs-load history failed with exit $?; see the step's log)"
  } >> "$GITHUB_STEP_SUMMARY"
}

case "${1:-}" in
  baseline | run | keep | compare | history) "step_$1" ;;
  *)
    echo "usage: bash deploy/ci/nightly-steps.sh baseline|run|keep|compare|history" >&2
    exit 2
    ;;
esac
