#!/usr/bin/env bash
# Vendors the page's JavaScript from the npm registry into liteflow/ui/static/vendor/:
# pinned versions, their license files, and vendor.lock with each file's sha256
# (tests/ui/test_vendor.py checks the files against it). Run it to upgrade; nothing is
# fetched when the page is viewed.
#   cytoscape        graph drawing (MIT)
#   cytoscape-dagre  left-to-right layout; its bundle includes dagre and graphlib (MIT)
set -euo pipefail
cd "$(dirname "$0")/.."
CYTOSCAPE=3.35.0
CYTOSCAPE_DAGRE=4.0.1
DAGRE=3.0.0      # the version bundled in cytoscape-dagre.min.js (license only)
GRAPHLIB=4.0.1   # dagre's graphlib (license only)
out=liteflow/ui/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "cytoscape@$CYTOSCAPE" "cytoscape-dagre@$CYTOSCAPE_DAGRE" \
    "@dagrejs/dagre@$DAGRE" "@dagrejs/graphlib@$GRAPHLIB" >/dev/null)
unpack() { mkdir -p "$work/$1" && tar xzf "$work/$2" -C "$work/$1" --strip-components=1; }
unpack cytoscape "cytoscape-$CYTOSCAPE.tgz"
unpack cytoscape-dagre "cytoscape-dagre-$CYTOSCAPE_DAGRE.tgz"
unpack dagre "dagrejs-dagre-$DAGRE.tgz"
unpack graphlib "dagrejs-graphlib-$GRAPHLIB.tgz"
mkdir -p "$out"
cp "$work/cytoscape/dist/cytoscape.min.js" "$out/cytoscape.min.js"
cp "$work/cytoscape/LICENSE" "$out/LICENSE.cytoscape.txt"
# The .min.js ends with a sourceMappingURL comment; the map is not shipped.
sed '/^\/\/# sourceMappingURL=/d' "$work/cytoscape-dagre/dist/cytoscape-dagre.min.js" \
    > "$out/cytoscape-dagre.min.js"
cp "$work/cytoscape-dagre/LICENSE" "$out/LICENSE.cytoscape-dagre.txt"
cp "$work/dagre/LICENSE" "$out/LICENSE.dagre.txt"
cp "$work/graphlib/LICENSE" "$out/LICENSE.graphlib.txt"
{
  echo "# package@version file sha256 (written by scripts/vendor-js.sh)"
  for pair in "cytoscape@$CYTOSCAPE cytoscape.min.js" \
              "cytoscape@$CYTOSCAPE LICENSE.cytoscape.txt" \
              "cytoscape-dagre@$CYTOSCAPE_DAGRE cytoscape-dagre.min.js" \
              "cytoscape-dagre@$CYTOSCAPE_DAGRE LICENSE.cytoscape-dagre.txt" \
              "@dagrejs/dagre@$DAGRE LICENSE.dagre.txt" \
              "@dagrejs/graphlib@$GRAPHLIB LICENSE.graphlib.txt"; do
    set -- $pair
    echo "$1 $2 $(sha256sum "$out/$2" | cut -d' ' -f1)"
  done
} > "$out/vendor.lock"
cat "$out/vendor.lock"
