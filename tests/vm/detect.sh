# shellcheck shell=sh
# Sourceable (POSIX sh and bash): tells whether device-mapper tests can run
# on this host directly or need the QEMU guest of tests/vm/run.
#
#   . tests/vm/detect.sh
#   if vss_dm_native; then ...run natively...; else tests/vm/run -- ...; fi

# Returns 0 when we are root and the running kernel's device-mapper answers
# and offers the snapshot target. `dmsetup targets` lists only targets whose
# module is loaded, so a quiet best-effort modprobe comes first: a host with
# device-mapper built as modules that nobody has loaded yet is still native.
vss_dm_native() {
	[ "$(id -u)" -eq 0 ] || return 1
	command -v dmsetup >/dev/null 2>&1 || return 1
	if command -v modprobe >/dev/null 2>&1; then
		modprobe -q dm-snapshot >/dev/null 2>&1 || :
	fi
	dmsetup version >/dev/null 2>&1 || return 1
	dmsetup targets 2>/dev/null | grep -q '^snapshot[[:space:]]'
}
