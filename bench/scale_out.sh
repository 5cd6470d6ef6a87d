#!/usr/bin/env bash
# Requests per second for a JSON list endpoint (GET /api/v1/catalogs/annex/requirements,
# 50 requirements a page) over HTTPS, authenticated with an API token as automation would call
# it (each request looks the token up in the database), measured in one run for:
#   sqlite-1    one server on SQLite (the baseline)
#   postgres-1  one server on PostgreSQL (a throwaway cluster from pg_virtualenv)
#   postgres-2  two servers on the same PostgreSQL, load split between them
# and printed as ratios to the baseline. Every server and the load generator share this
# machine's cores, so the two-server figure shows contention as much as scale-out.
#   bash bench/scale_out.sh [SECONDS]      (default 10 s per scenario)
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-10}

if [ -z "${PGHOST:-}" ]; then
  # Re-run inside a throwaway PostgreSQL cluster.
  bash "$root_dir/scripts/setup.sh" --test >/dev/null
  command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
  command -v oathtool >/dev/null || apt-get install -y -qq oathtool >/dev/null
  cmake -G Ninja -S "$root_dir" -B "$root_dir/build/release" -DCMAKE_BUILD_TYPE=Release -DTILLIT_TESTS=OFF >/dev/null
  cmake --build "$root_dir/build/release" --target tillit >/dev/null
  exec pg_virtualenv bash "$0" "$seconds"
fi

tillit="$root_dir/build/release/apps/tillit/tillit"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_server() {  # DATA_DIR LOG -> sets $port (not in a subshell: $pids must keep the server)
  "$tillit" serve --data "$1" --listen 127.0.0.1:0 >"$2" 2>"$2.err" &
  pids+=($!)
  for _ in $(seq 100); do
    port=$(sed -n 's|.*127.0.0.1:\([0-9]*\)/.*|\1|p' "$2")
    [ -n "$port" ] && return
    sleep 0.1
  done
  echo "server did not start: $(cat "$2.err")" >&2
  exit 1
}

# (The password must not contain the user name: the policy refuses it.)
# Signs account "bench" in for the first time through the pages (setup code, password, TOTP
# enrolment) as a person would, then prints an API token for it. DATA_DIR PORT
token_for_bench() {
  local data=$1 port=$2 jar="$work/jar-$2" url="https://127.0.0.1:$2" code csrf secret page
  code=$("$tillit" user add bench --data "$data" --name Bench --role auditor | sed -n 's/^setup code: \([A-Z0-9]*\).*/\1/p')
  local c=(curl -sk --noproxy '*' -b "$jar" -c "$jar" -H "Origin: https://127.0.0.1:$port")
  "${c[@]}" -o /dev/null --data-urlencode username=bench --data-urlencode "setup_code=$code" "$url/login/setup-code"
  csrf=$("${c[@]}" "$url/login/password" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p')
  "${c[@]}" -o /dev/null --data-urlencode "csrf_token=$csrf" --data-urlencode new_password=Kvartals-Granskning-2026! \
    --data-urlencode repeat_password=Kvartals-Granskning-2026! "$url/login/password"
  page=$("${c[@]}" "$url/login/enrol")
  secret=$(echo "$page" | sed -n 's/.*class="totp-secret">\([A-Z2-7]*\)<.*/\1/p')
  csrf=$(echo "$page" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -1)
  "${c[@]}" -o /dev/null --data-urlencode "csrf_token=$csrf" --data-urlencode "code=$(oathtool --totp -b "$secret")" \
    "$url/login/enrol"
  "$tillit" token create --data "$data" --user bench --name bench --permission catalog_read 2>/dev/null
}

rps() {  # PORT... -> total requests per second, load split evenly over the ports
  local per=$((32 / $#)) outputs=() total=0
  for port in "$@"; do
    out="$work/wrk-$port"
    wrk -t1 -c"$per" -d"${seconds}s" -H "Authorization: Bearer $token" \
      "https://127.0.0.1:$port/api/v1/catalogs/annex/requirements?per_page=50" >"$out" &
    outputs+=("$out")
  done
  wait_for_wrk
  for out in "${outputs[@]}"; do
    # A refused token would make a fast benchmark of error pages: every answer must be 200.
    if grep -q "Non-2xx" "$out"; then echo "requests failed: $(cat "$out")" >&2; exit 1; fi
    total=$(awk -v t="$total" '/Requests\/sec/ {printf "%.1f", t + $2}' "$out")
  done
  echo "$total"
}
wait_for_wrk() { while pgrep -x wrk >/dev/null; do sleep 0.2; done; }

"$tillit" init --data "$work/sqlite" >/dev/null
start_server "$work/sqlite" "$work/sqlite.log"
token=$(token_for_bench "$work/sqlite" "$port")
[ -n "$token" ] || { echo "could not sign the bench account in" >&2; exit 1; }
sqlite_rps=$(rps "$port")
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

"$tillit" init --data "$work/pg" --database "postgresql:///$PGDATABASE" >/dev/null
cp -a "$work/pg" "$work/pg-b"   # a second instance: same keys and configuration (tokens live in the database)
start_server "$work/pg" "$work/pg.log"
pg_port=$port
token=$(token_for_bench "$work/pg" "$pg_port")
[ -n "$token" ] || { echo "could not sign the bench account in" >&2; exit 1; }
pg1_rps=$(rps "$pg_port")
start_server "$work/pg-b" "$work/pg-b.log"
pg2_rps=$(rps "$pg_port" "$port")

awk -v s="$sqlite_rps" -v p1="$pg1_rps" -v p2="$pg2_rps" -v secs="$seconds" 'BEGIN {
  printf "scenario     requests/s  ratio to sqlite-1   (%d s each, 32 connections, HTTPS)\n", secs
  printf "sqlite-1     %10.1f  %6.2f\n", s, 1
  printf "postgres-1   %10.1f  %6.2f\n", p1, p1 / s
  printf "postgres-2   %10.1f  %6.2f\n", p2, p2 / s
  printf "postgres-2 / postgres-1: %.2f\n", p2 / p1
}'
