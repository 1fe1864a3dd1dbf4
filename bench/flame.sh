#!/usr/bin/env bash
# A py-spy flame graph of one gevent worker under the bench's load.
#
#   bench/flame.sh STREAMS DELAY_MS OUT.svg     # e.g. bench/flame.sh 200 20 bench/flame-after.svg
#   bench/flame.sh STREAMS DELAY_MS none        # the same load, not sampled: for A/B comparisons
#   TEXT_FILE=ok.txt bench/flame.sh 400 0 none  # another answer (a 3-character one: a stream's fixed cost)
#
# Starts ../shared/bench's fake upstream (core 1), the project as deployed with
# one worker (core 0), 20 warm-up streams, then STREAMS streams ramped at 500
# per second, sampled by py-spy (pip install -e '.[dev]') at 250 Hz. Prints
# the load generator's summary line and the run's figures (CPU per 1,000
# events, the worker's RSS before and at its peak, time to first character).
set -euo pipefail
streams="${1:?streams}"; delay="${2:?delay_ms}"; out="${3:?out.svg or none}"
[ "$out" = none ] || out="$(realpath -m "$out")"
root="$(cd "$(dirname "$0")/.." && pwd)"
bench="$root/../shared/bench"
py="${BENCH_ENV:-/tmp/bench-env}/venv/bin/python"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$root"
fake_text=()
if [ -n "${TEXT_FILE:-}" ]; then cp "$TEXT_FILE" "$work/text.txt"; fake_text=(--text-file "$work/text.txt")
else "$py" "$bench/fake_openai.py" --print-text > "$work/text.txt"; fi
taskset -c 1 "$py" "$bench/fake_openai.py" --port 18555 "${fake_text[@]}" > "$work/fake.log" 2>&1 &
export DATABASE_URL="sqlite:///$work/db.sqlite" OPENAI_BASE_URL=http://127.0.0.1:18555/v1 \
  OPENAI_API_KEY=sk-bench INTERVIEW_PROVIDER=openai INTERVIEW_RATE_LIMIT=off INTERVIEW_MAX_OPEN_STREAMS=off
.venv/bin/flask --app app db upgrade > /dev/null 2>&1
taskset -c 0 .venv/bin/gunicorn -c gunicorn.conf.py -w 1 -b 127.0.0.1:18556 --no-control-socket \
  --access-logfile /dev/null app:app > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:18556/healthz > /dev/null && break; sleep 0.2; done
url=http://127.0.0.1:18556/api/v1/feedback
taskset -c 1 "$py" "$bench/loadgen.py" -c 20 --delay-ms 0 --expect-file "$work/text.txt" "$url" > /dev/null
if [ "$out" != none ]; then
  .venv/bin/py-spy record -p "$(pgrep -P $server | head -1)" -r 250 -o "$out" > "$work/spy.log" 2>&1 &
  spy=$!
  sleep 1
fi
ramp="$(python3 -c "print($streams / 500)")"
taskset -c 1 "$py" "$bench/loadgen.py" -c "$streams" --delay-ms "$delay" --ramp-s "$ramp" \
  --pids "$server" --expect-file "$work/text.txt" --out "$work/result.json" "$url" 2> /dev/null
if [ "$out" != none ]; then
  kill -INT $spy; wait $spy || true
  echo "flame graph: $out"
fi
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print({k: r[k] for k in ('events', 'server_cpu_s_per_1k_events', 'server_rss_mb_before', 'server_rss_mb_peak')}, 'first delta ms', {k: round(v) for k, v in r['first_delta_ms'].items() if k != 'n'})" "$work/result.json"
