#!/usr/bin/env bash
# Builds everything and runs every test: unit tests (Surefire), end-to-end tests against the built
# distribution (Failsafe) and in-framework tests (bnd-testing in itest/). Every module's tests run even
# when an earlier one fails; the last line is the sum of all reports: "N passed, N failed".
# Extra arguments go to Maven (for example -o to stay offline).
set -u
cd "$(dirname "$0")/.."

# Reports of an earlier run must not be counted again.
find . -path ./var -prune -o -type d \( -name surefire-reports -o -name failsafe-reports -o -name test-reports \) \
	-path '*/target/*' -print0 | xargs -0 rm -rf

mvn -B -Dmaven.test.failure.ignore=true clean install "$@"
mvn_status=$?

tests=0; failures=0; errors=0; skipped=0
while IFS= read -r -d '' report; do
	# One <testsuite ...> element per report file; attribute order differs between the tools.
	head=$(grep -o -m1 '<testsuite [^>]*>' "$report") || continue
	attr() { printf '%s' "$head" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
	tests=$((tests + $(attr tests)))
	failures=$((failures + $(attr failures)))
	errors=$((errors + $(attr errors)))
	skipped=$((skipped + $(attr skipped)))
done < <(find . -path ./var -prune -o -type f -name 'TEST-*.xml' -path '*/target/*' \
	\( -path '*/surefire-reports/*' -o -path '*/failsafe-reports/*' -o -path '*/test-reports/*' \) -print0)

failed=$((failures + errors))
passed=$((tests - failed - skipped))
if [ "$mvn_status" -ne 0 ]; then
	echo "The build itself failed (mvn exit status $mvn_status); see the output above." >&2
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$mvn_status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
	exit 1
fi
