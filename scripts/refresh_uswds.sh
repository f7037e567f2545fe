#!/usr/bin/env bash
# Refresh the committed USWDS subset in static/vendor/uswds from the npm package @uswds/uswds.
# The portal serves USWDS from static/ (no CDN: production and CI machines have no internet).
# Usage: scripts/refresh_uswds.sh [VERSION]   (default: the version recorded in static/vendor/uswds/VERSION)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/static/vendor/uswds"
version=${1:-$(cat "$dest/VERSION" 2>/dev/null || echo 3.14.0)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "@uswds/uswds@$version" >/dev/null && tar xzf uswds-uswds-*.tgz)
dist="$work/package/dist"

rm -rf "$dest"
mkdir -p "$dest/css" "$dest/js" "$dest/img"
# Vendored without their source maps (1.7 MB of developer tooling no visitor needs): the trailing
# sourceMappingURL comments go too, or the manifest storage of production fails collectstatic on files that
# are not there (ADR 0005).
sed -E '/^\/\*# sourceMappingURL=.*\*\/$/d' "$dist/css/uswds.min.css" > "$dest/css/uswds.min.css"
for js in uswds.min.js uswds-init.min.js; do
  sed -E '/^\/\/# sourceMappingURL=.*$/d' "$dist/js/$js" > "$dest/js/$js"
done
# The .usa-hero background is a sample photo the portal never shows: the declaration goes, not only the file.
sed -i -E 's#background-image:url\(\.\./img/hero\.jpg\);?##g' "$dest/css/uswds.min.css"

# Only the fonts and images the compiled CSS refers to, plus what the banner and icons use.
referenced=$(grep -o 'url([^)]*)' "$dest/css/uswds.min.css" | sed 's/url(//; s/)//; s/"//g' \
  | grep -v '^data:' | sed 's#^\.\./##' | sort -u)
extra="img/us_flag_small.png img/icon-dot-gov.svg img/icon-https.svg img/lock.svg img/sprite.svg img/close.svg"
for rel in $referenced $extra; do
  [ -f "$dist/$rel" ] || continue
  mkdir -p "$dest/$(dirname "$rel")"
  cp "$dist/$rel" "$dest/$rel"
done
# Every file the vendored CSS and JS refer to must be vendored: refuse a refresh that would break
# collectstatic (tests/qpp_exceptions/test_production_static.py runs it).
missing=""
for rel in $referenced; do
  [ -f "$dest/$rel" ] || missing="$missing $rel"
done
if grep -l 'sourceMappingURL' "$dest/css/uswds.min.css" "$dest/js/"*.js >/dev/null 2>&1; then
  missing="$missing (a sourceMappingURL comment)"
fi
if [ -n "$missing" ]; then
  echo "USWDS $version: the vendored CSS/JS refer to files that are not vendored:$missing" >&2
  exit 1
fi
cp "$work/package/LICENSE.md" "$dest/LICENSE.md"
echo "$version" > "$dest/VERSION"
echo "USWDS $version copied to ${dest#"$here"/} ($(du -sh "$dest" | cut -f1))"
