#!/usr/bin/env bash
# The wheel works on its own: build it from a copy of the package sources, install it (with its declared
# dependencies, from the package index) into a fresh venv outside the checkout, and from a temporary
# folder run what a user runs: import every module, `tracegraph build` on data/, `tracegraph export` in
# every listed format, `tracegraph app` answering over HTTP. Also checks that the wheel puts nothing but
# `tracegraph/` and its dist-info at the top level of site-packages.
# Quiet when it passes (one line); on failure it names the step and shows that step's output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
started=$SECONDS
base_py=${PYTHON:-$("$root/.venv/bin/python" -c 'import sys; print(sys._base_executable)' 2>/dev/null || echo python3)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tracegraph-wheel.XXXXXX")
app_pid=""
stop_app() {  # SIGTERM, then SIGKILL if the server has not exited within 10 s
  [ -n "$app_pid" ] || return 0
  kill "$app_pid" 2>/dev/null || true
  for _ in $(seq 20); do
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -9 "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
}
cleanup() {
  stop_app
  rm -rf "$tmp"
}
trap cleanup EXIT
log=$tmp/step.log
# nothing from the caller's environment may point Python back at the checkout or at a Neo4j server
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP TRACEGRAPH_NEO4J_URI TRACEGRAPH_WORKSPACE VIRTUAL_ENV
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

fail() {
  echo "[wheel-check] FAILED: $1" >&2
  if [ -s "$log" ]; then
    echo "----- output of that step (last 60 lines) -----" >&2
    tail -n 60 "$log" >&2
    echo "-----" >&2
  fi
  exit 1
}
step() {  # step "what" command...: run quietly, keep the output for a failure message
  local what=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    fail "$what"
  fi
}

# 1. build the wheel from a copy of the sources (not in place: a stale build/ in the checkout would leak
#    removed modules into the wheel, and the checkout stays untouched)
src=$tmp/src
mkdir "$src"
step "copy sources" tar -C "$root" \
  --exclude=./.git --exclude=./.venv --exclude=./build --exclude='./*.egg-info' --exclude=./tests \
  --exclude=./tools --exclude=./workspace --exclude=./test-artifacts --exclude=./.hypothesis \
  --exclude=./.pytest_cache --exclude=./.ruff_cache --exclude='__pycache__' -cf "$tmp/src.tar" .
step "unpack sources" tar -C "$src" -xf "$tmp/src.tar"
t0=$SECONDS
step "build the wheel (pip wheel --no-deps)" "$root/.venv/bin/python" -m pip wheel -q --no-deps -w "$tmp/dist" "$src"
t_build=$((SECONDS - t0))
shopt -s nullglob
wheels=("$tmp"/dist/tracegraph-*.whl)
shopt -u nullglob
[ ${#wheels[@]} -eq 1 ] || fail "expected one tracegraph wheel in $tmp/dist, found: $(ls "$tmp/dist")"
wheel=${wheels[0]}

# 2. what the wheel itself claims: only tracegraph/ and its dist-info at the top level, top_level.txt
#    says tracegraph, and none of the checkout's non-package folders came along
step "wheel contents (RECORD, top_level.txt)" "$base_py" - "$wheel" <<'EOF'
import sys, zipfile
wheel = sys.argv[1]
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    dist_info = sorted({n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info")})
    if len(dist_info) != 1:
        sys.exit(f"expected one .dist-info in the wheel, found {dist_info}")
    record = z.read(f"{dist_info[0]}/RECORD").decode().splitlines()
    top_level = z.read(f"{dist_info[0]}/top_level.txt").decode().split() if f"{dist_info[0]}/top_level.txt" in names else None
recorded = {line.rsplit(",", 2)[0] for line in record if line.strip()}
if recorded != set(names):
    sys.exit(f"RECORD and the archive differ: {sorted(recorded ^ set(names))[:20]}")
tops = {n.split("/", 1)[0] for n in names}
if tops != {"tracegraph", dist_info[0]}:
    sys.exit(f"the wheel installs {sorted(tops)} at the top level of site-packages; expected tracegraph/ and its dist-info")
if top_level is not None and top_level != ["tracegraph"]:
    sys.exit(f"top_level.txt lists {top_level}, expected only tracegraph")
not_package = {"tests", "tools", "scripts", "workspace", "test-artifacts", "build", ".venv", ".git", ".ci"}
stray = sorted(n for n in names if n.startswith("tracegraph/") and n.split("/")[1] in not_package)
if stray:
    sys.exit(f"non-package folders of the checkout are in the wheel: {stray[:10]}")
for must in ("tracegraph/__init__.py", "tracegraph/app.py", "tracegraph/py.typed", "tracegraph/cli/main.py"):
    if must not in names:
        sys.exit(f"{must} is missing from the wheel")
EOF

# 3. a fresh venv outside the checkout, the wheel installed with its dependencies
venv=$tmp/venv
step "create a fresh venv with $base_py" "$base_py" -m venv "$venv"
vpy=$venv/bin/python
site=$("$vpy" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
ls -A "$site" | sort >"$tmp/site-before.txt"
t0=$SECONDS
step "pip install the wheel with its dependencies into the fresh venv" "$vpy" -m pip install -q --no-compile "$wheel"
t_install=$((SECONDS - t0))

# 4. site-packages after the install: tracegraph's files are only tracegraph/ and its dist-info, and every
#    new top-level entry belongs to some installed distribution's RECORD (nothing unclaimed was written)
step "site-packages top level after the install" "$vpy" - "$site" "$tmp/site-before.txt" <<'EOF'
import importlib.metadata as md, os, sys
site, before_file = sys.argv[1], sys.argv[2]
before = set(open(before_file).read().split())
after = set(os.listdir(site))
def tops(dist):
    out = set()
    for f in dist.files or ():
        parts = f.parts
        if parts and parts[0] not in ("..",):
            out.add(parts[0])
    return out
dists = list(md.distributions(path=[site]))
ours = [d for d in dists if (d.metadata["Name"] or "").lower() == "tracegraph"]
if len(ours) != 1:
    sys.exit(f"expected one tracegraph distribution in {site}, found {len(ours)}")
ours_tops = tops(ours[0])
extra = {t for t in ours_tops if t != "tracegraph" and not (t.startswith("tracegraph-") and t.endswith(".dist-info"))}
if "tracegraph" not in ours_tops or extra or len(ours_tops) != 2:
    sys.exit(f"tracegraph installed these top-level entries: {sorted(ours_tops)}; expected tracegraph and its dist-info")
claimed = set().union(*(tops(d) for d in dists)) | {"__pycache__"}
unclaimed = sorted((after - before) - claimed)
if unclaimed:
    sys.exit(f"top-level entries in site-packages that no installed RECORD lists: {unclaimed}")
EOF

# 5. the installed package from a folder that is not the checkout
work=$tmp/work
mkdir "$work"
cd "$work"
tg=$venv/bin/tracegraph
[ -x "$tg" ] || fail "the wheel installed no tracegraph command in $venv/bin"
step "every module imports from the installed wheel" "$vpy" - "$site" <<'EOF'
import importlib, os, pkgutil, sys
site = os.path.realpath(sys.argv[1])
import tracegraph
where = os.path.realpath(tracegraph.__file__)
if not where.startswith(site + os.sep):
    sys.exit(f"tracegraph was imported from {where}, not from the fresh venv's {site}")
skip = {"tracegraph.app", "tracegraph.cli.__main__"}  # these run the app / the CLI when imported
names = [m.name for m in pkgutil.walk_packages(tracegraph.__path__, "tracegraph.") if m.name not in skip]
for name in names:
    importlib.import_module(name)
    mod = sys.modules[name]
    if not os.path.realpath(mod.__file__).startswith(site + os.sep):
        sys.exit(f"{name} was imported from {mod.__file__}")
if len(names) < 20:
    sys.exit(f"only {len(names)} modules found in the installed package: {names}")
EOF
step "tracegraph build $root/data --out g.json" "$tg" build "$root/data" --out g.json
[ -s g.json ] || fail "tracegraph build wrote no g.json"
step "tracegraph export --list-formats" "$tg" export --list-formats
cp "$log" formats.txt
formats=()
while read -r name suffix _; do
  [ -n "$name" ] && formats+=("$name:$suffix")
done <formats.txt
[ ${#formats[@]} -ge 1 ] || fail "tracegraph export --list-formats listed no format"
for fs in "${formats[@]}"; do
  name=${fs%%:*}
  suffix=${fs#*:}
  out=export-$name$suffix
  step "tracegraph export --format $name --out $out" "$tg" export --graph g.json --format "$name" --out "$out"
  [ -s "$out" ] || fail "tracegraph export --format $name wrote no (or an empty) $out"
done

# 6. the app: served by the installed package, answering on / and on Streamlit's health endpoint
port=$("$vpy" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$tg" app --workspace "$tmp/ws" --port "$port" >"$tmp/app.log" 2>&1 &
app_pid=$!
t0=$SECONDS
if ! "$vpy" - "$port" "$app_pid" >"$tmp/probe.log" 2>&1 <<'EOF'
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
base = f"http://127.0.0.1:{port}"
deadline = time.monotonic() + 60
health = page = None
last = ""
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("tracegraph app exited (see its output below)")
    try:
        with urllib.request.urlopen(base + "/_stcore/health", timeout=5) as r:
            health = r.read().decode().strip()
        if health == "ok":
            with urllib.request.urlopen(base + "/", timeout=5) as r:
                page = r.read().decode("utf-8", "replace")
                status = r.status
            if status != 200 or "<html" not in page.lower():
                sys.exit(f"GET / answered {status} without an HTML page: {page[:200]!r}")
            break
    except OSError as exc:
        last = repr(exc)
    time.sleep(0.5)
else:
    sys.exit(f"no 'ok' from {base}/_stcore/health within 60 s (last answer {health!r}, last error {last})")
EOF
then
  cat "$tmp/probe.log" "$tmp/app.log" >"$log"
  fail "tracegraph app answers on http://127.0.0.1:$port/ and /_stcore/health within 60 s"
fi
t_app=$((SECONDS - t0))
# the app's log must not show an error while starting
if grep -qE "Traceback|Error" "$tmp/app.log"; then
  cp "$tmp/app.log" "$log"
  fail "tracegraph app logged an error while starting"
fi
stop_app

echo "[wheel-check] ok: $(basename "$wheel") installs alone, builds, exports ${#formats[@]} formats, serves the app" \
  "(build ${t_build}s, install ${t_install}s, app ${t_app}s, total $((SECONDS - started))s)"
