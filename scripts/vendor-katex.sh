#!/usr/bin/env bash
# Re-vendor KaTeX from the npm registry into docs/javascripts/vendor/katex (no CDN at run time).
set -euo pipefail
version=${1:-0.19.1}
dest=docs/javascripts/vendor/katex
tmp=$(mktemp -d)
(cd "$tmp" && npm pack "katex@$version" >/dev/null && tar xzf "katex-$version.tgz")
rm -rf "$dest" && mkdir -p "$dest/contrib" "$dest/fonts"
cp "$tmp/package/dist/katex.min.js" "$tmp/package/dist/katex.min.css" "$dest/"
cp "$tmp/package/dist/contrib/auto-render.min.js" "$dest/contrib/"
cp "$tmp/package/dist/fonts/"*.woff2 "$dest/fonts/"
cp "$tmp/package/LICENSE" "$dest/"
echo "KaTeX $version from the npm package 'katex' (npm pack katex@$version): dist/katex.min.{js,css}, dist/contrib/auto-render.min.js, dist/fonts/*.woff2. Re-vendor with scripts/vendor-katex.sh." > "$dest/README.md"
rm -rf "$tmp"
