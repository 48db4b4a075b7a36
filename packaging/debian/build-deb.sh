#!/usr/bin/env bash
# Build webshell-agent_<version>_<arch>.deb with dpkg-deb from a staged tree (no debhelper).
#
#   packaging/debian/build-deb.sh [--out DIR] [--wheel FILE] [--python PY] [--without-dependencies]
#
# The package carries a wheelhouse (our wheel + the pinned dependencies' wheels) and postinst
# installs it offline into a private virtual environment, /usr/lib/webshell-agent/venv, built on
# the system python3. Maintainer: $DEBFULLNAME <$DEBEMAIL> (the Debian convention).
# --without-dependencies leaves the dependency wheels out (for tests of the
# package layout only: such a package cannot install offline).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
out="$top/dist"
wheel=""
py="${PYTHON:-python3}"
with_deps=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --wheel) wheel="$2"; shift 2 ;;
    --python) py="$2"; shift 2 ;;
    --without-dependencies) with_deps=0; shift ;;
    *) echo "usage: $0 [--out DIR] [--wheel FILE] [--python PY] [--without-dependencies]" >&2; exit 2 ;;
  esac
done
command -v dpkg-deb >/dev/null || { echo "dpkg-deb not found (apt-get install dpkg-dev)" >&2; exit 1; }

version="$("$py" -c 'import re,sys; print(re.search(r"__version__ = \"(.+?)\"", open(sys.argv[1]).read()).group(1))' "$top/agent/__init__.py")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/root"
wheels="$stage/usr/share/webshell-agent/wheels"
mkdir -p "$wheels" "$stage/DEBIAN" "$stage/lib/systemd/system" "$stage/usr/bin" \
  "$stage/usr/share/doc/webshell-agent/examples" "$stage/etc/webshell-agent"

if [ -z "$wheel" ]; then
  "$py" -m pip wheel --quiet --no-deps --wheel-dir "$work/wheel" "$top"
  wheel="$(ls "$work"/wheel/webshell_agent-*.whl)"
fi
cp "$wheel" "$wheels/"
if [ "$with_deps" = 1 ]; then
  # The pinned runtime dependencies, as wheels for this machine's Python and architecture.
  "$py" -m pip wheel --quiet --constraint "$top/constraints.txt" --wheel-dir "$wheels" "$wheel"
  arch="$(dpkg --print-architecture)"  # yara-python, psutil and watchdog wheels are binary
  # ... and built for this Python minor version (cp311): pin python3 to it.
  pyver="$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
  next="$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1] + 1}")')"
  python_dep="python3 (>= $pyver), python3 (<< $next)"
else
  arch="all"
  python_dep="python3 (>= 3.11)"
fi

install -m 0644 "$top/packaging/systemd/webshell-agent.service" "$stage/lib/systemd/system/"
# The one example configuration, as a conffile: kept on remove and upgrade, removed on purge.
install -m 0640 "$top/agent/data/agent.example.toml" "$stage/etc/webshell-agent/agent.toml"
echo /etc/webshell-agent/agent.toml > "$stage/DEBIAN/conffiles"
install -m 0644 "$top/docs/systemd/netlink.conf" "$stage/usr/share/doc/webshell-agent/examples/"
install -m 0644 "$top/docs/service.md" "$stage/usr/share/doc/webshell-agent/service.md"
ln -s /usr/lib/webshell-agent/venv/bin/webshell-agent "$stage/usr/bin/webshell-agent"
for script in postinst prerm postrm; do
  install -m 0755 "$here/$script" "$stage/DEBIAN/$script"
done
size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
  -e "s/@PYTHON@/$python_dep/" \
  -e "s|@MAINTAINER@|${DEBFULLNAME:-webshell-agent project} <${DEBEMAIL:-root@localhost}>|" \
  "$here/control.in" > "$stage/DEBIAN/control"

mkdir -p "$out"
deb="$out/webshell-agent_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
