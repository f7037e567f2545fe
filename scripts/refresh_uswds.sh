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
cp "$dist/css/uswds.min.css" "$dest/css/"
cp "$dist/js/uswds.min.js" "$dist/js/uswds-init.min.js" "$dest/js/"

# Only the fonts and images the compiled CSS refers to, plus what the banner and icons use.
referenced=$(grep -o 'url([^)]*)' "$dist/css/uswds.min.css" | sed 's/url(//; s/)//; s/"//g' \
  | grep -v '^data:' | sed 's#^\.\./##' | sort -u)
extra="img/us_flag_small.png img/icon-dot-gov.svg img/icon-https.svg img/lock.svg img/sprite.svg img/close.svg"
for rel in $referenced $extra; do
  [ -f "$dist/$rel" ] || continue
  mkdir -p "$dest/$(dirname "$rel")"
  cp "$dist/$rel" "$dest/$rel"
done
rm -f "$dest/img/hero.jpg"  # a 600 kB photo the portal never shows
cp "$work/package/LICENSE.md" "$dest/LICENSE.md"
echo "$version" > "$dest/VERSION"
echo "USWDS $version copied to ${dest#"$here"/} ($(du -sh "$dest" | cut -f1))"
