#!/bin/sh
# mermaid-check.sh WORKDIR FILE...: renders every Mermaid FILE with the
# mermaid npm package in a page opened by Debian's headless Chromium, and
# fails unless each one renders and draws every node it declares. The
# package is installed into WORKDIR/node_modules on first use (npm registry);
# nothing here is skipped: a missing tool is a failure naming the package.
set -u
work=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "mermaid-check: $*"; echo "0 passed, 1 failed"; exit 1; }
command -v node >/dev/null || fail "node not found: apt-get install nodejs"
command -v npm >/dev/null || fail "npm not found: apt-get install npm"
chromium=$(command -v chromium || command -v chromium-browser) ||
	fail "chromium not found: apt-get install chromium"
[ $# -gt 0 ] || fail "no Mermaid files given"
mkdir -p "$work" || fail "cannot create $work"
work=$(cd "$work" && pwd)
if [ ! -f "$work/node_modules/mermaid/dist/mermaid.min.js" ]; then
	# a lock so that parallel ctest runs do not install twice at once
	(
		flock 9
		[ -f "$work/node_modules/mermaid/dist/mermaid.min.js" ] ||
			npm install --prefix "$work" --no-audit --no-fund \
				--no-save --silent mermaid@11 >&2
	) 9>"$work/.npm.lock" || fail "npm install mermaid failed"
fi
page=$(mktemp "$work/page.XXXXXX") || fail "mktemp"
profile=$(mktemp -d "$work/profile.XXXXXX") || fail "mktemp"
trap 'rm -rf "$page" "$page.html" "$profile"' EXIT
node "$here/mermaid-page.js" "$page.html" "$@" || fail "cannot write the page"
timeout 600 "$chromium" --headless --no-sandbox --disable-gpu \
	--disable-background-networking --disable-component-update \
	--disable-sync --no-first-run --disable-extensions \
	--allow-file-access-from-files --user-data-dir="$profile" \
	--virtual-time-budget=600000 --dump-dom "file://$page.html" \
	>"$page" 2>"$profile/chromium.log"
result=$(awk '/^@@END@@$/{f=0} f{print} /^@@RESULT@@$/{f=1}' "$page")
case $result in
"OK $# of $#")
	echo "$result"
	echo "$# passed, 0 failed"
	exit 0
	;;
esac
echo "$result" | head -50
[ -n "$result" ] || tail -20 "$profile/chromium.log"
ok=$(echo "$result" | sed -n 's/^OK \([0-9]*\) of .*/\1/p')
echo "${ok:-0} passed, $(($# - ${ok:-0})) failed"
exit 1
