# Sourced by bin/run and bin/test: puts uv on PATH and syncs the locked environment.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ensure_uv() {
    if command -v uv >/dev/null 2>&1; then
        return
    fi
    echo "==> uv not found; installing it with pip" >&2
    # Debian's system Python refuses plain pip installs (PEP 668); a user install is harmless.
    python3 -m pip install --quiet uv 2>/dev/null \
        || python3 -m pip install --quiet --user --break-system-packages uv
    export PATH="$HOME/.local/bin:$PATH"
    command -v uv >/dev/null 2>&1 || { echo "could not install uv" >&2; exit 1; }
}

sync_env() {
    # Prefer an interpreter already on the machine (pyenv's 3.13) to a download.
    if [ -z "${UV_PYTHON:-}" ]; then
        local pyenv_python
        pyenv_python="$(pyenv root 2>/dev/null)/versions/3.13.0/bin/python3.13"
        if [ -x "$pyenv_python" ]; then
            export UV_PYTHON="$pyenv_python"
        elif found="$(uv python find '>=3.13,<3.14' 2>/dev/null)"; then
            export UV_PYTHON="$found"
        fi
    fi
    uv sync --frozen --quiet
    VENV="${UV_PROJECT_ENVIRONMENT:-$ROOT/.venv}"
    export PATH="$VENV/bin:$PATH"
}
