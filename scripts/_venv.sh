# Sourced by the scripts in this folder: makes .venv with the project and its test extra
# installed, again whenever pyproject.toml changes, so a fresh clone needs only python3.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

ensure_venv() {
  local stamp
  stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "python3 must be 3.11 or newer (found $(python3 --version 2>&1))" >&2
      exit 1
    fi
    [ -x "$PY" ] || python3 -m venv "$VENV"
    echo "Installing the project into .venv (first run, or pyproject.toml changed)..." >&2
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$PY" -m pip install --quiet --disable-pip-version-check -e "$ROOT[test]" >&2
    rm -f "$VENV"/.installed-*
    touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
