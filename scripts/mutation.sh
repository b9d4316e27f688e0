#!/usr/bin/env bash
# Mutation testing of the money engine and decimal parsing (docs/invoice-document.md, "Mutation
# testing"). Slow (minutes), so not part of scripts/test.sh or CI:
#
#   scripts/mutation.sh            mutmut on the engine's functions, then the module constants
#   scripts/mutation.sh constants  only the constants (scripts/mutate_constants.py)
#   scripts/mutation.sh mutmut     only mutmut
#
# Runs in a scratch copy of the repository, so the work tree gets no mutants/ folder.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=$root/.venv/bin/python
work=$(mktemp -d)
# MUTATION_KEEP=1 keeps the copy (and mutmut's state there, for `mutmut show <mutant>`).
if [ -z "${MUTATION_KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "scratch copy: $work"; fi
cp -r collab server tests scripts pyproject.toml "$work"/
mkdir "$work/web" && cp -r web/src "$work/web/"  # tests compare the browser engine's constants
cd "$work"
find . -name __pycache__ -prune -exec rm -rf {} +

# The tests that pin the engine: worked examples, refusals, properties, validation decisions.
tests=(tests/test_money.py tests/test_money_primitives.py tests/test_money_properties.py
  tests/test_money_en16931.py tests/test_money_limits.py tests/test_validation.py
  tests/test_codelists.py)

if [ "${1:-}" != constants ]; then
  # mutmut mutates inside functions only; it reads this file (pyproject.toml has no [tool.mutmut]).
  {
    echo "[mutmut]"
    echo "source_paths=collab/"
    printf 'only_mutate=\n    collab/invoice/money.py\n    collab/invoice/decimals.py\n'
    printf '    collab/invoice/allocation.py\n    collab/invoice/categories.py\n'
    echo "pytest_add_cli_args_test_selection="
    printf '    %s\n' "${tests[@]}"
    echo "pytest_add_cli_args=-p no:cacheprovider -q -x"
    printf 'also_copy=\n    server/\n    scripts/\n    web/\n'
  } > setup.cfg
  "$root/.venv/bin/mutmut" run --max-children "${MUTMUT_CHILDREN:-2}" > mutmut.log 2>&1 || true
  grep -E "failed|error|Error" mutmut.log | tail -n 5 || true
  "$root/.venv/bin/mutmut" results --all true > results.txt 2>&1 || true
  killed=$(grep -c ': killed$' results.txt || true)
  survived=$(grep -c ': survived$' results.txt || true)
  other=$(grep -vc -e ': killed$' -e ': survived$' results.txt || true)
  echo "mutmut: $killed killed, $survived survived, $other other (timeout, suspicious, no tests)"
  grep -v ': killed$' results.txt || true
fi

if [ "${1:-}" != mutmut ]; then
  "$python" -u scripts/mutate_constants.py "${tests[@]}"
fi
