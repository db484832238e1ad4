#!/usr/bin/env bash
# Start an in-process Neo4j 5.26 test server (no Docker) on 127.0.0.1:<port>.
#
#   bash tools/neo4j-harness/start.sh [port] [baseDir]
#
# 1. Ensures lib/ holds every jar of pom.xml (neo4j-harness + APOC core), fetching them
#    with Maven when lib/ is missing, incomplete or older than pom.xml (offline first,
#    so a warm ~/.m2 needs no network).
# 2. Execs `java ... Neo4jHarness.java <port> [baseDir]`, which prints
#    "READY bolt://127.0.0.1:<port>" on stdout once Bolt accepts connections.
#
# Environment:
#   NEO4J_PASSWORD            enable auth for user "neo4j" with this password (unset: auth off)
#   NEO4J_HARNESS_JAVA_OPTS   replaces the default JVM options (heap etc.)
#   NEO4J_HARNESS_PAGECACHE_MB page cache size in MB (default 96)
#   NEO4J_HARNESS_FETCH_ONLY=1 only make sure lib/ is complete, then exit 0
#
# Everything except the READY line goes to stderr. Exit codes: 127 = java/mvn missing,
# 3 = dependency download failed, 2 = bad usage, otherwise the server's exit status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lib="$here/lib"
stamp="$lib/.complete"
port="${1:-7687}"
base_dir="${2:-}"

die() {
  local code="$1"
  shift
  echo "neo4j-harness/start.sh: $*" >&2
  exit "$code"
}

case "$port" in
  '' | *[!0-9]*) die 2 "port must be a number, got '$port'" ;;
esac

command -v java >/dev/null 2>&1 || die 127 "java not found on PATH (need a JDK 17 or 21, e.g. apt-get install openjdk-17-jdk-headless)"
java_major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1)"
case "$java_major" in
  '' | *[!0-9]*) die 127 "could not determine the Java version (got '$java_major')" ;;
esac
[ "$java_major" -ge 17 ] || die 127 "Java $java_major found; Neo4j 5.26 needs Java 17 or 21"
# javac is needed for single-file source launch (java Foo.java): the JRE alone lacks jdk.compiler.
java --list-modules 2>/dev/null | grep -q '^jdk\.compiler' ||
  die 127 "this Java has no jdk.compiler module (a JRE?); install a full JDK 17/21"

pom_sum() { sha256sum "$here/pom.xml" | cut -d' ' -f1; }

# lib/ is complete when the stamp names the current pom.xml hash and every jar it lists exists.
lib_complete() {
  [ -f "$stamp" ] || return 1
  [ "$(head -n1 "$stamp")" = "$(pom_sum)" ] || return 1
  local jar n=0
  while IFS= read -r jar; do
    [ -f "$lib/$jar" ] || return 1
    n=$((n + 1))
  done < <(tail -n +2 "$stamp")
  [ "$n" -gt 0 ]
}

fetch_lib() {
  command -v mvn >/dev/null 2>&1 || die 127 "mvn (Maven) not found on PATH; it is needed once to fetch the Neo4j jars (apt-get install maven)"
  local tmp="$here/lib.tmp.$$"
  rm -rf "$tmp"
  local goal=(-B -q -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies "-DoutputDirectory=$tmp")
  echo "neo4j-harness/start.sh: fetching Neo4j jars into $lib ..." >&2
  # Offline first (works whenever ~/.m2 already has everything), then online.
  # Maven's output goes to stderr so stdout carries only the READY line.
  if ! mvn -o "${goal[@]}" >/dev/null 2>&1; then
    rm -rf "$tmp"
    # (sed strips the ANSI colour resets Maven 3.8 prints even in batch/quiet mode)
    mvn "${goal[@]}" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2 || {
      rm -rf "$tmp"
      die 3 "Maven could not fetch the dependencies of $here/pom.xml (network? see output above)"
    }
  fi
  {
    pom_sum
    (cd "$tmp" && ls -1 -- *.jar)
  } >"$tmp/.complete"
  rm -rf "$lib"
  mv "$tmp" "$lib"
}

# Serialise concurrent starters (e.g. parallel test workers) while lib/ is checked/filled.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$here/.lib.lock"
  flock 9
fi
lib_complete || fetch_lib
lib_complete || die 3 "lib/ is still incomplete after fetching"
if command -v flock >/dev/null 2>&1; then
  exec 9>&-
fi

[ "${NEO4J_HARNESS_FETCH_ONLY:-0}" = "1" ] && exit 0

default_opts=(
  -Xms128m -Xmx512m
  -XX:+UseSerialGC
  -XX:TieredStopAtLevel=1
  -Xss1m
  -XX:-OmitStackTraceInFastThrow
  -Dlog4j2.disable.jmx=true
  -Dio.netty.tryReflectionSetAccessible=true
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  -Dfile.encoding=UTF-8
)
if [ -n "${NEO4J_HARNESS_JAVA_OPTS:-}" ]; then
  # shellcheck disable=SC2206 # word splitting of the user's options is intended
  java_opts=($NEO4J_HARNESS_JAVA_OPTS)
else
  java_opts=("${default_opts[@]}")
fi

args=("$port")
[ -n "$base_dir" ] && args+=("$base_dir")
exec java "${java_opts[@]}" -cp "$lib/*" "$here/Neo4jHarness.java" "${args[@]}"
