#!/usr/bin/env bash
# Makes `import cpsf` work: builds (unless --no-build), creates the virtual environment
# .venv over Debian's /usr/bin/python3 with --system-site-packages (so numpy, pandas,
# matplotlib, protobuf... are Debian's), and writes cpsf.pth into its site-packages
# naming python/ (the pure-Python package) and build/python/ (the compiled _core and
# the generated cpsf.v1). With --kernel it also registers the Jupyter kernel
# "cpsf" (display name "Python (cpsf)") for the current user. Quick when nothing changed.
#
#   bash scripts/python-env.sh [--no-build] [--kernel] [--build-dir DIR] [--venv DIR]
#
# Then: .venv/bin/python -c 'import cpsf'   or   source .venv/bin/activate
# docs/python.md explains the layout; the tests use this same environment.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=build
venv=.venv
do_build=1
kernel=0
while (($#)); do
  case "$1" in
    --no-build) do_build=0 ;;
    --kernel) kernel=1 ;;
    --build-dir) build=${2:?--build-dir needs a directory}; shift ;;
    --venv) venv=${2:?--venv needs a directory}; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "python-env.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if ((do_build)); then
  bash scripts/build.sh "$build"
fi
package_dir="$root/$build/python"
if ! compgen -G "$package_dir/cpsf/_core*.so" >/dev/null; then
  echo "python-env.sh: no compiled module in $package_dir/cpsf (fix: build first, e.g. bash scripts/build.sh $build, with CPSF_BUILD_PYTHON=ON)" >&2
  exit 2
fi

# Debian's interpreter: the only one that sees Debian's python3-* packages (a pyenv or
# other python3 earlier on PATH does not).
if [[ -e "$venv/pyvenv.cfg" ]]; then
  if ! grep -Eq '^home = /usr/bin$' "$venv/pyvenv.cfg" || ! grep -Eq '^include-system-site-packages = true$' "$venv/pyvenv.cfg"; then
    echo "python-env.sh: $venv exists but was not made from /usr/bin/python3 with --system-site-packages" >&2
    echo "  (fix: remove it, or give another directory with --venv)" >&2
    exit 2
  fi
else
  echo "python-env.sh: creating $venv (/usr/bin/python3 -m venv --system-site-packages)"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
python="$venv/bin/python"
site=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
pth="$site/cpsf.pth"
want=$(printf '%s\n%s\n' "$root/python" "$package_dir")
if [[ ! -f "$pth" || "$(cat "$pth")" != "$want" ]]; then
  printf '%s\n' "$want" >"$pth"
  echo "python-env.sh: wrote $pth"
fi

"$python" -c 'import cpsf, sys; print(f"python-env.sh: cpsf {cpsf.__version__} (git {cpsf.GIT_REVISION}) in {sys.prefix}")'

if ((kernel)); then
  # The env setting silences debugpy's warning about Python 3.11's frozen modules in every notebook.
  PYDEVD_DISABLE_FILE_VALIDATION=1 "$python" -m ipykernel install --user --name cpsf --display-name "Python (cpsf)" \
    --env PYDEVD_DISABLE_FILE_VALIDATION 1
fi
