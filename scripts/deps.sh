#!/bin/sh
# deps.sh [build|test]: installs the Debian packages sfn needs that are not
# installed yet (apt-get runs only when something is missing). 'build' is
# what compiling sfn needs; 'test' adds what the whole test suite uses.
set -eu
profile=${1:-build}
pkgs="gcc make cmake pkg-config libjansson-dev libyaml-dev libcurl4-openssl-dev
libpcre2-dev libssl-dev nettle-dev libgraphviz-dev libmimalloc-dev"
if [ "$profile" = test ]; then
	pkgs="$pkgs clang libclang-rt-dev libmicrohttpd-dev graphviz python3 nodejs npm
openssl valgrind python3-jsonschema python3-yaml chromium"
fi
# Tools that may come from elsewhere (Node.js from its own repository
# ships npm; its package conflicts with Debian's npm): the command is enough.
provided() {
	case $1 in
	nodejs) command -v node >/dev/null 2>&1 ;;
	npm) command -v npm >/dev/null 2>&1 ;;
	chromium) command -v chromium >/dev/null 2>&1 ;;
	python3) command -v python3 >/dev/null 2>&1 && [ -x /usr/bin/python3 ] ;;
	*) return 1 ;;
	esac
}
missing=
for p in $pkgs; do
	provided "$p" && continue
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	sudo=sudo
else
	sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
