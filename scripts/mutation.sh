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
tests=(tests/test_money.py tests/test_money_adjustments.py tests/test_money_adjustments_refusals.py
  tests/test_money_adjustments_properties.py tests/test_money_primitives.py
  tests/test_money_properties.py
  tests/test_money_en16931.py tests/test_money_limits.py tests/test_money_prices.py
  tests/test_money_settlement.py tests/test_money_mutants.py tests/test_validation.py
  tests/test_codelists.py)
export_tests=(tests/test_money_prices.py::test_price_details_are_exported_valid_and_come_back
  tests/test_money_settlement.py::test_the_xml_states_them_and_passes_the_schematron
  tests/test_money_settlement.py::test_the_pdf_shows_paid_rounding_and_amount_due)

if [ "${1:-}" != constants ]; then
  # mutmut mutates inside functions only; it reads this file (pyproject.toml has no [tool.mutmut]).
  {
    echo "[mutmut]"
    echo "source_paths=collab/"
    printf 'only_mutate=\n    collab/invoice/money.py\n    collab/invoice/decimals.py\n'
    printf '    collab/invoice/allocation.py\n    collab/invoice/categories.py\n'
    printf '    collab/invoice/prices.py\n    collab/invoice/totals.py\n    collab/invoice/settlement.py\n'
    printf '    collab/invoice/inputs.py\n    collab/invoice/adjustments.py\n'
    printf '    collab/invoice/adjustment_rows.py\n'
    echo "pytest_add_cli_args_test_selection="
    printf '    %s\n' "${tests[@]}"
    # The export tests of these files (Schematron in saxonche, PDF) hang in mutmut's forked
    # workers and test the XML mapping, not the engine: the whole suite runs them.
    printf 'pytest_add_cli_args=\n    -p\n    no:cacheprovider\n    -q\n    -x\n'  # one per line
    printf '    --deselect=%s\n' "${export_tests[@]}"
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
