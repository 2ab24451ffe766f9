# Shared by every bats suite: the binary under test and the assertion libraries.
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

: "${VSS:?VSS must name the vss binary under test (make check and tests/run set it)}"
: "${VSS_SRCDIR:=$(cd "$(dirname "${BATS_TEST_FILENAME}")/../.." && pwd)}"

# Runs vss with stdout and stderr apart ($output, $stderr) and the exit code in $status.
vss() {
	run --separate-stderr "$VSS" "$@"
}

# Asserts stderr is exactly the one line given.
assert_stderr() {
	assert_equal "$stderr" "$1"
}
