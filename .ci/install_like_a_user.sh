#!/usr/bin/env bash
# Build every distribution and install it as a user does: plain pip, fresh venvs, no uv
# workspace, the package index reachable (it also serves someone else's axios-python 0.1/0.2).
# Usage: .ci/install_like_a_user.sh  (from anywhere; needs `uv sync` done for twine)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dist=$work/dist
cd "$work"  # nothing below may import from the checkout

version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/axios_python/_version.py")
echo "== build every wheel and sdist (axios-python $version)"
python3 -m uv build --quiet --all-packages --directory "$root" --out-dir "$dist"
rm -f "$dist"/axios_python_hello-*  # the plugin guide's example is installed from its folder below
python3 "$root/.ci/check_dist.py" "$dist"
(cd "$root" && python3 -m uv run --no-sync twine check --strict "$dist"/*)

fresh_venv() {  # fresh_venv PYTHON NAME -> path of the venv
  "$1" -m venv "$work/$2"
  "$work/$2/bin/python" -m pip install --quiet --upgrade pip >/dev/null
  echo "$work/$2"
}

echo "== the core wheel alone, and a plugin alone, resolve to this project's core"
venv=$(fresh_venv python3 core-only)
"$venv/bin/pip" install --quiet "$dist"/axios_python-"$version"-py3-none-any.whl
"$venv/bin/python" -c "import axios_python, sys; assert axios_python.__version__ == sys.argv[1]" "$version"
venv=$(fresh_venv python3 cache-only)
"$venv/bin/pip" install --quiet --find-links "$dist" axios-python-cache
"$venv/bin/python" -c "
import sys, axios_python
from axios_python import CachePlugin
assert axios_python.__version__ == sys.argv[1], axios_python.__version__
" "$version"
"$venv/bin/pip" check

pythons=()
for minor in 3.10 3.11 3.12 3.13; do
  found=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$minor".*/bin/python"$minor" 2>/dev/null | tail -n 1 || true)
  [ -z "$found" ] && found=$(command -v "python$minor" || true)
  if [ -n "$found" ]; then pythons+=("$found"); else echo "-- Python $minor not found here: skipped"; fi
done

for python in "${pythons[@]}"; do
  minor=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  echo "== Python $minor: pip install --find-links DIST \"axios-python[all]\", then the smoke test"
  venv=$(fresh_venv "$python" "all-$minor")
  "$venv/bin/pip" install --quiet --find-links "$dist" "axios-python[all]" pytest
  "$venv/bin/pip" check
  "$venv/bin/python" "$root/.ci/smoke.py" "$version"
done

echo "== newest httpx the range admits: pip install -U httpx stays consistent"
venv=$work/all-$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
"$venv/bin/pip" install --quiet --upgrade --find-links "$dist" httpx
"$venv/bin/pip" check
"$venv/bin/python" -c "import httpx; print('  httpx', httpx.__version__)"
"$venv/bin/python" "$root/.ci/smoke.py" "$version"

echo "== the plugin guide's example, copied out of the repository, with plain pip install ."
cp -r "$root/docs/example-plugin" "$work/hello"
"$venv/bin/pip" install --quiet --find-links "$dist" "$work/hello"
"$venv/bin/pip" check
"$venv/bin/python" - <<'EOF'
import axios_python
from axios_python_testserver import LocalServer

with LocalServer() as server, axios_python.create({"base_url": server.url}) as api:
    api.plugin("hello", greeting="hi")
    assert api.get("/headers").data["headers"]["X-Greeting"] == "hi"
print("  example plugin: installed outside the workspace, registered by name")
EOF
"$venv/bin/pip" install --quiet --find-links "$dist" "$work/hello[test]"
(cd "$work/hello" && "$venv/bin/python" -m pytest -q -p no:cacheprovider tests)
echo "  example plugin: its PluginContract tests pass outside the workspace"
echo "== installed like a user: ok"
