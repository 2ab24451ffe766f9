#!/usr/bin/env bats
# vss activate: a reboot, as far as device-mapper can tell one (every dm
# device and loop device of the test gone, /run emptied, the backing files
# attached again at other numbers), then activate: managed volumes, a
# foreign dm volume, shadows in a directory area and on a device area.

load lib
load sets-lib
load reboot-lib

# NVMe namespaces of the run's own, served by the kernel's NVMe/TCP target on
# 127.0.0.1 (nvme_target): after the harness's teardown, they go too.
NVMET=/sys/kernel/config/nvmet
NQN=nqn.2014-08.org.vss.test:$PFX-
NVME_PORT=$NVMET/ports/1442
teardown() {
	harness_teardown
	nvme_teardown
}

@test "activate after a reboot: managed and foreign volumes, directory and device areas, every shadow's data as it was; auto-release sets deleted; a second activate changes nothing" {
	# A minute in the guest: with udev, as at boot. Under ASan/UBSan,
	# activate rebuilds a cow and a thin set in thin.bats and meets missing
	# devices in the next test.
	one_build plain "a whole reboot, as at boot with udev (thin.bats's reboot and the next test run activate under ASan)"
	mkvol a 64
	mkvol b 64
	fdev=$(mkloop 64)
	foreign "${PFX}f" "$fdev"
	mkfs_mount a
	mkfs_mount b
	mkfs.ext4 -q -F "/dev/mapper/${PFX}f"
	fill_files "${MNT[a]}" 10
	fill_files "${MNT[b]}" 10
	# The first set in the default directory area (at most 40M); the
	# second does not fit there and goes to the device area.
	mkdir -m 0700 -p "$VSS_STATE_DIR/storage"
	vss storage add "$VSS_STATE_DIR/storage" --max 40M
	[ "$status" = 0 ] || fail "storage add (directory): $stderr"
	adev=$(mkloop 64)
	vss storage add "$adev"
	[ "$status" = 0 ] || fail "storage add $adev: $stderr"
	new_set --cow-size 12M "${PFX}a" "${PFX}b" "${PFX}f"
	set1=$SET
	fill_files "${MNT[a]}" 5
	dd if=/dev/urandom of="/dev/mapper/${PFX}f" bs=1M count=1 seek=8 oflag=direct status=none
	new_set --cow-size 12M "${PFX}a" "${PFX}f"
	set2=$SET
	[[ $(dmsetup table "vss-${set2:0:8}-${PFX}a-cow") == *" linear $(majmin_of "$adev") "* ]] ||
		fail "set 2 is not on the device area: $(dmsetup table "vss-${set2:0:8}-${PFX}a-cow")"
	# An auto-release set, its session alive until the power goes.
	printf '%s\n' "create-set --context auto-release --cow-size 1M ${PFX}b" "exec sleep 600" \
		>"$BATS_TEST_TMPDIR/session"
	bg "$VSS" -f "$BATS_TEST_TMPDIR/session"
	# (A minute and more: a loaded guest's create-set can take long.)
	for _ in $(seq 300); do
		[ "$(set_ids | wc -l)" = 3 ] && break
		sleep 0.2
	done
	[ "$(set_ids | wc -l)" = 3 ] || fail "the auto-release set was never made"
	set3=$(set_ids | grep -v -e "$set1" -e "$set2")
	vss storage list --json
	used3=$(jq '[.storage[].used] | add' <<<"$output")
	fill_files "${MNT[b]}" 5
	dd if=/dev/urandom of="/dev/mapper/${PFX}f" bs=1M count=1 seek=20 oflag=direct status=none
	umount "${MNT[a]}" "${MNT[b]}"
	declare -A want
	for v in a b f; do want[$v]=$(dsum "/dev/mapper/${PFX}$v"); done
	for v in a b f; do want[1$v]=$(dsum "$(shadow "$set1" "$v")"); done
	for v in a f; do want[2$v]=$(dsum "$(shadow "$set2" "$v")"); done
	files=("$(backing_file "${BACKING[a]}")" "$(backing_file "${BACKING[b]}")"
		"$(backing_file "$fdev")" "$(backing_file "$adev")")
	old_a=$(majmin_of "${BACKING[a]}") old_area=$(majmin_of "$adev")

	# Reboot, the files attached again in another order (and at other
	# numbers); LVM (here: dmsetup) brings its volume back before vss runs.
	reboot "${files[3]}" "${files[2]}" "${files[1]}" "${files[0]}"
	[ "$(majmin_of "${LOOPOF[${files[0]}]}")" != "$old_a" ] || fail "a's loop kept its number"
	[ "$(majmin_of "${LOOPOF[${files[3]}]}")" != "$old_area" ] || fail "the area kept its number"
	foreign "${PFX}f" "${LOOPOF[${files[2]}]}"
	assert_equal "$(state_of "$set1" a)" missing

	vss activate
	[ "$status" = 0 ] || fail "activate exited $status: $stderr"
	assert_line --regexp "^set $set3: deleted \(auto-release, and its process [0-9]+ is gone\)$"
	assert_line "${PFX}a: active with 2 shadows (linear over ${LOOPOF[${files[0]}]})"
	assert_line "${PFX}b: active with 1 shadow (linear over ${LOOPOF[${files[1]}]})"
	assert_line "${PFX}f: active with 2 shadows"
	assert_equal "$stderr" ""
	vss storage list --json
	[ "$(jq '[.storage[].used] | add' <<<"$output")" -lt "$used3" ] ||
		fail "the auto-release set's storage was not given back: $output"
	[ ! -e "$VSS_STATE_DIR/sets/$set3.conf" ] || fail "the auto-release set's record is still there"
	assert_equal "$(set_ids | tr '\n' ' ')" "$(printf '%s\n' "$set1" "$set2" | sort | tr '\n' ' ')"
	for v in a b f; do
		assert_equal "$(dsum "/dev/mapper/${PFX}$v")" "${want[$v]}"
		assert_equal "$(dsum "$(shadow "$set1" "$v")")" "${want[1$v]}"
		assert_equal "$(state_of "$set1" "$v")" valid
	done
	for v in a f; do
		assert_equal "$(dsum "$(shadow "$set2" "$v")")" "${want[2$v]}"
		assert_equal "$(state_of "$set2" "$v")" valid
	done
	# The layering is back: -real under each origin, shadows over it.
	for v in a b f; do
		assert_equal "$(dmsetup table "${PFX}$v" | awk '{print $3, $4}')" \
			"snapshot-origin $(majmin "vss-${PFX}$v-real")"
	done
	assert_equal "$(dmsetup table "vss-${PFX}a-real")" \
		"0 131072 linear $(majmin_of "${LOOPOF[${files[0]}]}") 0"
	# The records know the new numbers: the next set finds the area.
	grep -qx "devno = $(majmin_of "${LOOPOF[${files[3]}]}")" "$VSS_STATE_DIR"/areas/*.conf ||
		fail "the area's record kept its old number: $(cat "$VSS_STATE_DIR"/areas/*.conf)"

	before=$(fp)
	vss activate
	[ "$status" = 0 ] || fail "the second activate exited $status: $stderr"
	assert_output "nothing to do: 3 volumes and every shadow already active"
	assert_equal "$stderr" ""
	assert_equal "$(fp)" "$before"

	# Writes after activation are tracked: the shadows keep their instant.
	mount "/dev/mapper/${PFX}a" "${MNT[a]}"
	fill_files "${MNT[a]}" 5
	umount "${MNT[a]}"
	[ "$(dsum "/dev/mapper/${PFX}a")" != "${want[a]}" ] || fail "nothing was written to a"
	assert_equal "$(dsum "$(shadow "$set1" a)")" "${want[1a]}"
	assert_equal "$(dsum "$(shadow "$set2" a)")" "${want[2a]}"
	new_set --cow-size 4M "${PFX}a"
	vss delete-set --all
	[ "$status" = 0 ] || fail "delete-set --all: $stderr"
	assert_equal "$(dmsetup table "${PFX}a")" "0 131072 linear $(majmin_of "${LOOPOF[${files[0]}]}") 0"
	assert_equal "$(dmsetup table "${PFX}f")" "0 131072 linear $(majmin_of "${LOOPOF[${files[2]}]}") 0"
}

@test "activate with a volume's device missing or a foreign volume replaced: each named with why, exit 1, the others activated; activate again once it is back" {
	vss activate
	[ "$status" = 0 ] || fail "activate with nothing to do exited $status: $stderr"
	assert_output "nothing to do: no managed volume, no shadow"
	mkvol a 32
	mkvol b 32
	fdev=$(mkloop 32)
	foreign "${PFX}f" "$fdev"
	declare -A want
	new_set --cow-size 2M "${PFX}a" "${PFX}b" "${PFX}f"
	dd if=/dev/urandom of="/dev/mapper/${PFX}a" bs=1M count=1 seek=3 oflag=direct status=none
	for v in a b f; do want[$v]=$(dsum "$(shadow "$SET" "$v")"); done
	fa=$(backing_file "${BACKING[a]}") fb=$(backing_file "${BACKING[b]}") ff=$(backing_file "$fdev")
	reboot "$fb" "$ff"
	# f came back as another device: same name, another uuid.
	sectors=$(blockdev --getsz "${LOOPOF[$ff]}")
	dmsetup create "${PFX}f" --uuid "TEST-other" --table "0 $sectors linear ${LOOPOF[$ff]} 0"
	settle
	ftable=$(dmsetup table "${PFX}f")

	vss activate
	assert_equal "$status" 1
	assert_equal "${#stderr_lines[@]}" 3
	assert_equal "${stderr_lines[0]}" \
		"vss: error: ${PFX}a: its device is not present (loop:0:$fa, imported from ${BACKING[a]})"
	assert_equal "${stderr_lines[1]}" \
		"vss: error: ${PFX}f: not the volume its shadows were made of (uuid TEST-other, not TEST-${PFX}f); left alone"
	assert_equal "${stderr_lines[2]}" "vss: activate: 2 of 3 volumes could not be activated"
	assert_output "${PFX}b: active with 1 shadow (linear over ${LOOPOF[$fb]})"
	assert_equal "$(dsum "$(shadow "$SET" b)")" "${want[b]}"
	assert_equal "$(dmsetup table "${PFX}f")" "$ftable"
	[ ! -e "/dev/mapper/${PFX}a" ] || fail "a was made without its device"
	assert_equal "$(state_of "$SET" a)" missing
	# A new set of f now would leave its older shadow wrong for ever.
	before=$(fp)
	vss create-set "${PFX}f"
	assert_equal "$status" 1
	assert_stderr "vss: create-set: ${PFX}f: its shadow in set $SET8 is not active (after a reboot: run vss activate first)"
	assert_equal "$(fp)" "$before"

	# The disk is back, and the right f.
	dmsetup remove "${PFX}f"
	foreign "${PFX}f" "${LOOPOF[$ff]}"
	dev_a=$(losetup -f --show "$fa")
	vss activate
	[ "$status" = 0 ] || fail "activate exited $status: $stderr"
	assert_output "${PFX}a: active with 1 shadow (linear over $dev_a)
${PFX}f: active with 1 shadow"
	for v in a b f; do
		assert_equal "$(dsum "$(shadow "$SET" "$v")")" "${want[$v]}"
		assert_equal "$(state_of "$SET" "$v")" valid
	done

	vss activate now
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "vss: activate: unexpected argument 'now'"
}

@test "activate after a reboot leaves down a volume one of whose shadows has a provider this vss does not have (a newer vss's), the others up; named back, it comes up with its shadow whole" {
	mkvol a 32
	mkvol b 32
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=4 oflag=direct status=none
	new_set --cow-size 2M "${PFX}a"
	sa=$SET
	new_set --cow-size 2M "${PFX}b"
	sb=$SET
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=1 seek=1 oflag=direct status=none
	want_a=$(dsum "$(shadow "$sa" a)") want_b=$(dsum "$(shadow "$sb" b)")
	rec=$VSS_STATE_DIR/sets/$sa.conf
	sed -i 's/^provider = cow$/provider = zfs/' "$rec"
	fa=$(backing_file "${BACKING[a]}") fb=$(backing_file "${BACKING[b]}")
	reboot "$fa" "$fb"

	vss activate
	assert_equal "$status" 1
	assert_equal "${stderr_lines[0]}" "vss: error: ${PFX}a: not activated: set ${sa:0:8}, shadow of ${PFX}a: its record names provider zfs, which this vss does not have"
	assert_equal "${stderr_lines[1]}" "vss: activate: 1 of 2 volumes could not be activated"
	assert_equal "${#stderr_lines[@]}" 2
	assert_output "${PFX}b: active with 1 shadow (linear over ${LOOPOF[$fb]})"
	# Up without that shadow's layer, a's writes would never reach it. (The
	# kernel asked: without udev a removed device's node can outlive it.)
	! dmsetup info "${PFX}a" >/dev/null 2>&1 || fail "a was brought up without its shadow"
	assert_equal "$(dsum "$(shadow "$sb" b)")" "$want_b"

	sed -i 's/^provider = zfs$/provider = cow/' "$rec"
	vss activate
	[ "$status" = 0 ] || fail "activate exited $status: $stderr"
	assert_output "${PFX}a: active with 1 shadow (linear over ${LOOPOF[$fa]})"
	assert_equal "$(dsum "$(shadow "$sa" a)")" "$want_a"
	assert_equal "$(state_of "$sa" a)" valid
}

# le32 N: N as 4 little-endian bytes, in printf's \x notation.
le32() {
	printf '\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

# mbr FILE SIG: a DOS partition table on FILE with disk signature SIG (8 hex
# digits) and two partitions of 32 MiB, whose uuids are SIG-01 and SIG-02.
# (Written by hand: fdisk is no dependency of vss's for one table.)
mbr() {
	{
		head -c 440 /dev/zero
		# shellcheck disable=SC2059 # the format is the bytes
		printf "$(le32 $((16#$2)))\\x00\\x00"
		# shellcheck disable=SC2059
		printf "\\x00\\x00\\x00\\x00\\x83\\x00\\x00\\x00$(le32 2048)$(le32 65536)"
		# shellcheck disable=SC2059
		printf "\\x00\\x00\\x00\\x00\\x83\\x00\\x00\\x00$(le32 67584)$(le32 65536)"
		head -c 32 /dev/zero
		printf '\x55\xaa'
	} | dd of="$1" conv=notrunc status=none
}

# import_as DEVICE NAME ID: imports DEVICE as volume ${PFX}NAME, whose
# record must name the device by identity ID.
import_as() {
	vss volume import "$1" "${PFX}$2"
	[ "$status" = 0 ] || fail "volume import $1: $stderr"
	settle
	run grep -x "backing_id = .*" "$VSS_STATE_DIR/volumes/${PFX}$2.conf"
	assert_output "backing_id = $3"
}

# activate_finds_none NAME ID IMPORTED: activate, with no device carrying
# identity ID, fails for volume ${PFX}NAME with the reason and makes it over
# no other device.
activate_finds_none() {
	vss activate
	assert_equal "$status" 1
	assert_equal "${stderr_lines[0]}" \
		"vss: error: ${PFX}$1: its device is not present ($2, imported from $3)"
	# (dmsetup, not /dev/mapper: without udev a removed device's node stays.)
	! dmsetup info "${PFX}$1" >/dev/null 2>&1 ||
		fail "the volume was made over another device: $(dmsetup table "${PFX}$1")"
}

@test "activate after a reboot finds a partition by its uuid (udev's database with udev, libblkid without) on its disk's new device; another disk's is not taken for it" {
	img=$BATS_TEST_TMPDIR/$PFX-disk.img
	other=$BATS_TEST_TMPDIR/$PFX-other.img
	truncate -s 100M "$img" "$other"
	sig=$(printf '%08x' $(((RANDOM << 16 | RANDOM) | 1)))
	mbr "$img" "$sig"
	# Another disk with the same table, but another signature.
	mbr "$other" "$(printf '%08x' $((16#$sig ^ 1)))"
	disk=$(losetup -f --show -P "$img")
	settle
	[ -b "${disk}p2" ] || fail "no ${disk}p2: the partition table was not read"
	imported=${disk}p2
	import_as "$imported" p "partuuid:$sig-02"
	if [ "$VSS_TEST_UDEV" = yes ]; then
		# What vss read without opening the partition.
		run udevadm info -q property "${disk}p2"
		assert_line "ID_PART_ENTRY_UUID=$sig-02"
	else
		[ ! -e "/run/udev/data/b$(majmin_of "${disk}p2")" ] || fail "udev's database, without udev?"
	fi
	dd if=/dev/urandom of="/dev/mapper/${PFX}p" bs=1M count=2 seek=1 oflag=direct status=none
	data=$(dsum "/dev/mapper/${PFX}p")

	# The other disk comes first, at or after the disk's old loop device.
	# (The partitions' numbers, handed out as the kernel frees them, may
	# come back as they were or not.)
	reboot
	losetup -f -P "$other"
	disk=$(losetup -f --show -P "$img")
	settle
	[ "${disk}p2" != "$imported" ] || fail "the disk is where it was"
	vss activate
	[ "$status" = 0 ] || fail "activate exited $status: $stderr"
	assert_output "${PFX}p: active (linear over ${disk}p2)"
	assert_equal "$(dmsetup table "${PFX}p")" "0 65536 linear $(majmin_of "${disk}p2") 0"
	assert_equal "$(dsum "/dev/mapper/${PFX}p")" "$data"

	# Only the other disk: its second partition is not taken for ours.
	reboot
	losetup -f -P "$other"
	settle
	activate_finds_none p "partuuid:$sig-02" "$imported"
}

@test "identities are those an older vss gave (dm, loop with an offset, partition) and each finds its device: tests/unit/test-devid here" {
	devid_test=$(dirname "$VSS")/tests/unit/test-devid
	[ -x "$devid_test" ] || skip "no $devid_test: build it with make check"
	mkvol a 16
	fdev=$(mkloop 16)
	foreign "${PFX}f" "$fdev"
	img=$BATS_TEST_TMPDIR/$PFX-disk.img
	truncate -s 100M "$img"
	sig=$(printf '%08x' $(((RANDOM << 16 | RANDOM) | 1)))
	mbr "$img" "$sig"
	losetup -f -P "$img"
	odev=$(losetup -f --show -o 1048576 "$img")
	settle

	run "$devid_test"
	[ "$status" = 0 ] || fail "$(grep -v '^ok' <<<"$output")"
	assert_line --regexp "^# [0-9]+:[0-9]+ is 'dm:VSS-.*'$"
	assert_line --regexp "^# [0-9]+:[0-9]+ is 'dm:TEST-${PFX}f'$"
	assert_line "# $(majmin_of "${BACKING[a]}") is 'loop:0:$(backing_file "${BACKING[a]}")'"
	assert_line "# $(majmin_of "$odev") is 'loop:1048576:$img'"
	assert_line --regexp "^# [0-9]+:[0-9]+ is 'partuuid:$sig-01'$"
	assert_line --regexp "^# [0-9]+:[0-9]+ is 'partuuid:$sig-02'$"
}

# nvme_target NAME UUID: a file of 64 MiB as namespace 1 (its uuid UUID) of
# NVMe subsystem $NQN-NAME, served over TCP on 127.0.0.1. (The file is on
# tmpfs: on the guest's overlay, the target sees a file of size 0.)
nvme_target() {
	local s=$NVMET/subsystems/$NQN$1 f=/dev/shm/$PFX-nvme-$1.img
	if ! modprobe -q nvmet-tcp || ! modprobe -q nvme-tcp; then
		skip "this kernel has no NVMe/TCP (nvmet-tcp, nvme-tcp)"
	fi
	mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
	mkdir "$s" "$s/namespaces/1"
	echo 1 >"$s/attr_allow_any_host"
	truncate -s 64M "$f"
	printf '%s' "$f" >"$s/namespaces/1/device_path"
	# (Buffered: tmpfs has no O_DIRECT in every kernel.)
	echo 1 >"$s/namespaces/1/buffered_io"
	echo "$2" >"$s/namespaces/1/device_uuid"
	echo 1 >"$s/namespaces/1/enable"
	if [ ! -d "$NVME_PORT" ]; then
		mkdir "$NVME_PORT"
		echo tcp >"$NVME_PORT/addr_trtype"
		echo ipv4 >"$NVME_PORT/addr_adrfam"
		echo 127.0.0.1 >"$NVME_PORT/addr_traddr"
		echo 14420 >"$NVME_PORT/addr_trsvcid"
	fi
	ln -s "$s" "$NVME_PORT/subsystems/"
}

# nvme_connect NAME: the host connects to NAME's subsystem; NVMEDEV names
# its namespace's disk once it is there.
nvme_connect() {
	local d n
	echo "transport=tcp,traddr=127.0.0.1,trsvcid=14420,nqn=$NQN$1" >/dev/nvme-fabrics
	for _ in $(seq 100); do
		for d in /sys/class/nvme-subsystem/*; do
			[ "$(cat "$d/subsysnqn")" = "$NQN$1" ] || continue
			for n in "$d"/nvme*n*; do
				# (Its size comes a moment after the disk.)
				if [ ! -e "$n/dev" ] || [ "$(cat "$n/size")" = 0 ]; then continue; fi
				NVMEDEV=/dev/${n##*/}
				settle
				[ -b "$NVMEDEV" ] && return 0
			done
		done
		sleep 0.1
	done
	fail "nvme_connect $1: no namespace of a size appeared: $(ls /sys/class/block)"
}

# nvme_disconnect NAME: the host lets go of NAME's subsystem (a power cut's
# worth: its disk goes).
nvme_disconnect() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$NQN$1" ] && echo 1 >"$c/delete_controller"
	done
	return 0
}

nvme_teardown() {
	local c s
	[ -d "$NVMET/subsystems" ] || return 0
	for c in /sys/class/nvme/nvme*; do
		[[ $(cat "$c/subsysnqn" 2>/dev/null) == "$NQN"* ]] && echo 1 >"$c/delete_controller"
	done
	for s in "$NVMET/subsystems/$NQN"*; do
		[ -d "$s" ] || continue
		rm -f "$NVME_PORT/subsystems/${s##*/}"
		if [ -d "$s/namespaces/1" ]; then
			echo 0 >"$s/namespaces/1/enable" || true
			rmdir "$s/namespaces/1" || true
		fi
		rmdir "$s" || true
	done
	[ ! -d "$NVME_PORT" ] || rmdir "$NVME_PORT" || true
	rm -f /dev/shm/"$PFX"-nvme-*.img
}

@test "activate after a reboot finds an NVMe namespace by its wwid (wwn:, udev's ID_WWN); another namespace is not taken for it" {
	uuid_a=$(cat /proc/sys/kernel/random/uuid) uuid_b=$(cat /proc/sys/kernel/random/uuid)
	nvme_target a "$uuid_a"
	nvme_target b "$uuid_b"
	nvme_connect a
	imported=$NVMEDEV
	# No device/wwid: an older vss gave it no identity at all.
	[ ! -e "/sys/class/block/${imported#/dev/}/device/wwid" ] || fail "$imported has a device/wwid"
	import_as "$imported" n "wwn:uuid.$uuid_a"
	if [ "$VSS_TEST_UDEV" = yes ]; then
		run udevadm info -q property "$imported"
		assert_line "ID_WWN=uuid.$uuid_a"
	fi
	dd if=/dev/urandom of="/dev/mapper/${PFX}n" bs=1M count=2 seek=3 oflag=direct status=none
	data=$(dsum "/dev/mapper/${PFX}n")

	# b comes first, and may take a's old name and number (as the kernel
	# frees them).
	reboot
	nvme_disconnect a
	nvme_connect b
	other=$NVMEDEV
	nvme_connect a
	vss activate
	[ "$status" = 0 ] || fail "activate exited $status: $stderr"
	assert_output "${PFX}n: active (linear over $NVMEDEV)"
	assert_equal "$(dmsetup table "${PFX}n")" "0 131072 linear $(majmin_of "$NVMEDEV") 0"
	assert_equal "$(dsum "/dev/mapper/${PFX}n")" "$data"

	# Only b: not taken for a.
	reboot
	nvme_disconnect a
	[ -b "$other" ] || fail "b's namespace went with a's"
	activate_finds_none n "wwn:uuid.$uuid_a" "$imported"
}
