#!/usr/bin/env bash
# One command: the project against the peers of ../shared/bench, on its fast fake upstream.
#
#   bench/peers.sh                      # the levels of the performance targets, peers beside
#   bench/peers.sh --peers '' --levels 200,400   # any other bench.py flags are passed on
#   bench/peers.sh --realistic          # an upstream that streams like gpt-3.5-turbo:
#                                       # first token after 400 ms, then a chunk every 20 ms
#
# Builds the bench's environment (/tmp/bench-env) on first use. The project runs
# as deployed (gunicorn.conf.py, one gevent worker, pinned to core 0 by the
# harness) with the per-caller rate limit and open-stream cap off: the load
# generator opens hundreds of streams from one address. Results go to
# bench-results/<stamp>.md and .json in the project root.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="$root/../shared/bench"
env_dir="${BENCH_ENV:-/tmp/bench-env}"
[ -x "$env_dir/venv/bin/python" ] || (cd "$shared" && BENCH_ENV="$env_dir" ./install.sh)
workers="${BENCH_WORKERS:-1}"
args=()
for arg in "$@"; do
  if [ "$arg" = "--realistic" ]; then
    args+=(--fake-first-token-ms 400 --fake-interval-ms 20)
  else
    args+=("$arg")
  fi
done
cd "$root"
PATH="$root/.venv/bin:$PATH" exec "$env_dir/venv/bin/python" "$shared/bench.py" \
  --target "project=env INTERVIEW_RATE_LIMIT=off INTERVIEW_MAX_OPEN_STREAMS=off gunicorn -c gunicorn.conf.py -w $workers -b 127.0.0.1:{port} --no-control-socket app:app" \
  --cwd "$root" --setup 'flask --app app db upgrade' \
  --levels 50,100,200,300,400,600,800,1200,1600 ${args[@]+"${args[@]}"}
