#!/usr/bin/env bash
# Debian packages the test suite uses for real components: Chromium (browser tests, driven by
# Playwright with executable_path), a CJK font (Chinese in screenshots and figures), LibreOffice
# (DOCX/PPTX → PDF checks: Writer and Impress), poppler (pdftotext/pdftoppm), Java 17 + Maven (the Neo4j test harness).
# Installs only what is missing; needs root (CI and these machines run as root).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "wqy\|WenQuanYi" || need+=(fonts-wqy-zenhei)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
dpkg -s libreoffice-impress-nogui >/dev/null 2>&1 || dpkg -s libreoffice-impress >/dev/null 2>&1 || need+=(libreoffice-impress-nogui)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "[system-deps] missing: ${need[*]} (run as root to install; the related tests will be skipped)" >&2
  exit 0
fi
echo "[system-deps] installing: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
