#!/usr/bin/env bats
# engine/dm/dm.c on a real kernel, driven through tests/dm/dmctl and checked
# with dmsetup: create, load, suspend (with and without lockfs), resume,
# remove (retrying while busy), info, table, status, message.

load lib

setup_file() {
	export DMCTL=${DMCTL:-$(dirname "$VSS")/tests/dm/dmctl}
}

dmctl() {
	run --separate-stderr "$DMCTL" "$@"
}

sectors() {
	blockdev --getsz "$1"
}

# on_disk TEXT DEV: how many times TEXT is on DEV, read past every cache.
on_disk() {
	dd if="$2" bs=1M iflag=direct status=none | grep -c -a "$1" || true
}

@test "create: a device with its uuid and table; info reads them back" {
	[ -x "$DMCTL" ] || fail "no $DMCTL: build it with make check"
	dev=$(mkloop 8)
	dmctl create "${PFX}x" "VSS-test-${PFX}" "0 16384 linear $dev 0"
	assert_success
	[ -b "/dev/mapper/${PFX}x" ]
	run dmsetup info -c --noheadings -o uuid "${PFX}x"
	assert_output "VSS-test-${PFX}"
	dmctl info "${PFX}x"
	assert_output "exists=1 suspended=0 read_only=0 live=1 inactive=0 open=0 targets=1 name=${PFX}x uuid=VSS-test-${PFX}"
	dmctl table "${PFX}x"
	assert_output "0 16384 linear $(dmsetup table "${PFX}x" | cut -d' ' -f4-)"
	dmctl info "${PFX}nothing"
	assert_success
	assert_output --regexp '^exists=0 '
}

@test "create: a uuid without the VSS- prefix is refused, nothing made" {
	dev=$(mkloop 8)
	dmctl create "${PFX}x" "LVM-${PFX}" "0 16384 linear $dev 0"
	assert_failure 1
	assert_equal "$stderr" "dmctl: ${PFX}x: bad uuid LVM-${PFX}"
	run dmsetup info "${PFX}x"
	assert_failure
}

@test "create: a table the kernel refuses fails with the reason, nothing left" {
	dev=$(mkloop 8)
	dmctl create "${PFX}x" "VSS-test-${PFX}" "0 16384 nosuchtarget $dev 0"
	assert_failure 1
	assert_equal "$stderr" "dmctl: ${PFX}x: create failed: Invalid argument"
	run dmsetup info "${PFX}x"
	assert_failure
	run dmsetup udevcookies
	refute_output --regexp '^0x'
}

@test "load, suspend and resume: the inactive table goes live at resume" {
	a=$(mkloop 8) b=$(mkloop 8)
	printf 'AAAA' | dd of="$a" conv=notrunc status=none
	printf 'BBBB' | dd of="$b" conv=notrunc status=none
	dmctl create "${PFX}x" "VSS-test-${PFX}" "0 16384 linear $a 0"
	dmctl load "${PFX}x" "0 16384 linear $b 0"
	assert_success
	dmctl info "${PFX}x"
	assert_output --regexp 'suspended=0 read_only=0 live=1 inactive=1 '
	assert_equal "$(head -c4 "/dev/mapper/${PFX}x")" AAAA
	dmctl suspend "${PFX}x" nolockfs
	assert_success
	dmctl info "${PFX}x"
	assert_output --regexp 'suspended=1 '
	run dmsetup info -c --noheadings -o attr "${PFX}x"
	assert_output --regexp '^..s'
	dmctl resume "${PFX}x"
	assert_success
	dmctl info "${PFX}x"
	assert_output --regexp 'suspended=0 read_only=0 live=1 inactive=0 '
	assert_equal "$(dd if="/dev/mapper/${PFX}x" bs=512 count=1 iflag=direct status=none | head -c4)" BBBB
}

@test "suspend with lockfs flushes and freezes the filesystem; without, it does not" {
	dev=$(mkloop 64)
	dmctl create "${PFX}x" "VSS-test-${PFX}" "0 $(sectors "$dev") linear $dev 0"
	mkfs.ext4 -q "/dev/mapper/${PFX}x"
	mkdir "$BATS_TEST_TMPDIR/mnt"
	# A long commit interval: nothing reaches the disk on its own during the test.
	mount -o commit=600 "/dev/mapper/${PFX}x" "$BATS_TEST_TMPDIR/mnt"
	sync
	marker="vss-lockfs-marker-$RANDOM$RANDOM"
	# Written but not synced: only a filesystem freeze pushes it to the disk now.
	printf '%s\n' "$marker" >"$BATS_TEST_TMPDIR/mnt/file"
	dmctl suspend "${PFX}x" nolockfs
	assert_success
	unflushed=$(on_disk "$marker" "$dev")
	dmctl resume "${PFX}x"
	dmctl suspend "${PFX}x"
	assert_success
	found=$(on_disk "$marker" "$dev")
	dmctl resume "${PFX}x"
	assert_success
	assert_equal "$unflushed" 0
	[ "$found" -ge 1 ] || fail "the unsynced write was not on the disk after a lockfs suspend"
	echo more >>"$BATS_TEST_TMPDIR/mnt/file"
	assert_equal "$(tail -1 "$BATS_TEST_TMPDIR/mnt/file")" more
}

@test "status: a snapshot reports its COW use" {
	origin=$(mkloop 16) cow=$(mkloop 8)
	dmctl create "${PFX}snap" "VSS-test-${PFX}" "0 32768 snapshot $origin $cow P 8"
	assert_success
	dmctl status "${PFX}snap"
	assert_success
	assert_output --regexp "^0 32768 snapshot [0-9]+/16384 [0-9]+$"
}

# block K: 4 KiB of "old-K." repeated, as chunk K of an origin held before.
block() {
	local b=
	while [ ${#b} -lt 4096 ]; do b+="old-$1."; done
	printf '%s' "${b:0:4096}"
}

@test "cow-table: the exceptions the kernel wrote to a persistent COW, read from its disk: which origin chunks it holds, where, and the old data there" {
	origin=$(mkloop 16) cow=$(mkloop 8)
	# (chunk 0 too: zeros there would read as a COW the kernel has not started)
	for k in 0 5 42 700; do
		block "$k" | dd of="$origin" bs=4096 seek="$k" oflag=direct conv=notrunc status=none
	done
	dmsetup create "${PFX}real" --table "0 32768 linear $origin 0"
	# By number: without udev there is no /dev/mapper node to name yet.
	real=$(dmsetup info -c --noheadings -o major,minor --separator : "${PFX}real")
	dmsetup create "${PFX}snap" --table "0 32768 snapshot $real $cow P 8"
	dmsetup create "${PFX}orig" --table "0 32768 snapshot-origin $real"
	settle
	dmctl cow-table "$cow"
	assert_success
	assert_output "chunk=8 valid=1 fresh=0 used=2 n=0"
	# Written in this order, the chunks are copied out in it.
	for k in 700 5 42; do
		head -c 4096 /dev/zero | tr '\0' N | dd of="/dev/mapper/${PFX}orig" bs=4096 seek="$k" \
			oflag=direct status=none
	done
	dmctl cow-table "$cow"
	assert_success
	assert_equal "$output" "chunk=8 valid=1 fresh=0 used=5 n=3"$'\n'"5 3"$'\n'"42 4"$'\n'"700 2"
	for p in "5 3" "42 4" "700 2"; do
		set -- $p
		assert_equal "$(dd if="$cow" bs=4096 skip="$2" count=1 iflag=direct status=none)" "$(block "$1")"
	done
	# The kernel counts the same chunks in use.
	run dmsetup status "${PFX}snap"
	assert_output --regexp "^0 32768 snapshot 40/16384 [0-9]+$"
	# Not a COW: refused, saying so.
	dmctl cow-table "$origin"
	assert_failure 1
	assert_equal "$stderr" "dmctl: $origin: not a persistent snapshot COW (no SnAp header)"
}

@test "message: a thin pool takes create_thin; a bad message fails with the reason" {
	meta=$(mkloop 8) data=$(mkloop 64)
	dd if=/dev/zero of="$meta" bs=4k count=1 status=none
	dmctl create "${PFX}pool" "VSS-test-${PFX}-pool" "0 131072 thin-pool $meta $data 128 0"
	assert_success
	dmctl message "${PFX}pool" "create_thin 0"
	assert_success
	dmctl create "${PFX}thin" "VSS-test-${PFX}-thin" "0 16384 thin /dev/mapper/${PFX}pool 0"
	assert_success
	[ -b "/dev/mapper/${PFX}thin" ]
	dmctl message "${PFX}pool" "frobnicate"
	assert_failure 1
	assert_equal "$stderr" "dmctl: ${PFX}pool: message 'frobnicate' failed: Invalid argument"
}

@test "remove: retries while the device is briefly busy" {
	dev=$(mkloop 8)
	dmctl create "${PFX}x" "VSS-test-${PFX}" "0 16384 linear $dev 0"
	settle
	# Held open until two seconds after dmctl has started (or the teardown's
	# stop file), not for a time counted from the holder's start: a loaded
	# guest could use that up before the remove begins, and the test would
	# pass without a busy remove. libdm retries a busy remove for about
	# 5 s: the two seconds fall well inside.
	( exec 5<"/dev/mapper/${PFX}x"
	  until pgrep -x dmctl >/dev/null || [ -e "$BATS_TEST_TMPDIR/stop" ]; do sleep 0.05; done
	  sleep 2 ) 3>&- &
	echo "$!" >>"$BATS_TEST_TMPDIR/bg.pids"
	for _ in $(seq 300); do
		[ "$(dmsetup info -c --noheadings -o open "${PFX}x")" = 1 ] && break
		sleep 0.1
	done
	run dmsetup info -c --noheadings -o open "${PFX}x"
	assert_output 1
	dmctl remove "${PFX}x"
	assert_success
	run dmsetup info "${PFX}x"
	assert_failure
}

@test "remove: a device held open for good fails, saying busy; one not there says so" {
	dev=$(mkloop 8)
	dmctl create "${PFX}x" "VSS-test-${PFX}" "0 16384 linear $dev 0"
	settle
	exec 5<"/dev/mapper/${PFX}x"
	dmctl remove "${PFX}x"
	exec 5<&-
	assert_failure 1
	assert_equal "$stderr" "dmctl: ${PFX}x: remove failed: Device or resource busy"
	dmctl remove "${PFX}none"
	assert_failure 1
	assert_equal "$stderr" "dmctl: ${PFX}none: remove failed: No such device or address"
}

@test "libdm's log reaches the engine's event stream, not stderr" {
	dev=$(mkloop 8)
	dmctl create "${PFX}x" "VSS-test-${PFX}" "0 16384 linear $dev 0"
	assert_equal "$stderr" ""
	DMCTL_LOG=1 dmctl remove "${PFX}x"
	assert_success
	[[ $stderr == *"log: libdm: "* ]] || fail "no libdm line among: $stderr"
}

@test "the harness refuses to run over leftovers of an earlier run" {
	dev=$(mkloop 8)
	dmsetup create vsst0leftover --table "0 16384 linear $dev 0"
	run env -u VSS_TEST_PREFIX "$VSS_SRCDIR/tests/dm/run-suite" /dev/null
	dmsetup remove vsst0leftover
	assert_equal "$status" 2
	assert_line "run-suite: refusing to run: an earlier run left these behind:"
	assert_line "  dm device vsst0leftover"
}
