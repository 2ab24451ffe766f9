#!/usr/bin/env bats
# Managed volumes on a real device-mapper kernel: import, list, remove.

load lib

@test "the suite runs in the udev mode it claims" {
	if [ "${VSS_VM_UDEV:-}" = 1 ]; then
		run udevadm control --ping
		assert_success
		# What run-suite told the harness (settle, teardown) agrees.
		assert_equal "$VSS_TEST_UDEV" yes
	elif [ "${VSS_VM_UDEV:-}" = 0 ]; then
		run pgrep -x systemd-udevd
		assert_failure
		assert_equal "$VSS_TEST_UDEV" no
	else
		skip "not in the guest: udev is whatever this machine runs"
	fi
}

@test "import wraps a device in a dm-linear volume that reads the same data" {
	dev=$(mkloop 64)
	dd if=/dev/urandom of="$dev" bs=1M count=64 status=none
	want=$(sum_of "$dev")
	vss volume import "$dev" "${PFX}a"
	assert_success
	assert_output "/dev/mapper/${PFX}a: linear over $dev, 64M"
	assert_equal "$stderr" ""
	[ -b "/dev/mapper/${PFX}a" ]
	assert_equal "$(sum_of "/dev/mapper/${PFX}a")" "$want"
	run dmsetup table "${PFX}a"
	assert_output "0 131072 linear $(printf '%d:%d' "0x$(stat -c %t "$dev")" "0x$(stat -c %T "$dev")") 0"
	run dmsetup info -c --noheadings -o uuid "${PFX}a"
	assert_output --regexp '^VSS-vol-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
	run cat "$VSS_STATE_DIR/volumes/${PFX}a.conf"
	assert_line "name = ${PFX}a"
	assert_line "backing = $dev"
	assert_line "sectors = 131072"
	assert_line "dm_uuid = $(dmsetup info -c --noheadings -o uuid "${PFX}a")"
}

@test "writes through the volume land on the device; remove keeps them" {
	dev=$(mkloop 32)
	vss volume import "$dev" "${PFX}a"
	assert_success
	dd if=/dev/urandom of="/dev/mapper/${PFX}a" bs=1M count=32 oflag=direct status=none
	want=$(sum_of "/dev/mapper/${PFX}a")
	vss volume remove "${PFX}a"
	assert_success
	assert_output "/dev/mapper/${PFX}a removed; $dev is as it was"
	run dmsetup info "${PFX}a"
	assert_failure
	[ ! -e "/dev/mapper/${PFX}a" ]
	[ ! -e "$VSS_STATE_DIR/volumes/${PFX}a.conf" ]
	assert_equal "$(sum_of "$dev")" "$want"
}

@test "list volumes shows filesystem, uuid, mountpoint and managed, as a table and as JSON" {
	dev=$(mkloop 64)
	vss volume import "$dev" "${PFX}a"
	assert_success
	mkfs.ext4 -q -U 3f0e5b1a-1111-4222-8333-444455556666 "/dev/mapper/${PFX}a"
	mnt=$BATS_TEST_TMPDIR/mnt
	mkdir "$mnt"
	mount "/dev/mapper/${PFX}a" "$mnt"
	vss list volumes
	assert_success
	assert_line --regexp "^${PFX}a +/dev/mapper/${PFX}a +64M +ext4 +3f0e5b1a-1111-4222-8333-444455556666 +$mnt +yes +$dev\$"
	assert_line --index 0 --regexp '^NAME +DEVICE +SIZE +FSTYPE +UUID +MOUNTPOINT +MANAGED +BACKING$'
	vss list volumes --json
	assert_success
	run jq -c --arg n "${PFX}a" '.volumes[] | select(.name == $n)' <<<"$output"
	assert_output "{\"name\":\"${PFX}a\",\"device\":\"/dev/mapper/${PFX}a\",\"size\":67108864,\"fstype\":\"ext4\",\"uuid\":\"3f0e5b1a-1111-4222-8333-444455556666\",\"mountpoint\":\"$mnt\",\"managed\":true,\"backing\":\"$dev\",\"active\":true}"
}

@test "a dm device vss did not make is a volume by its path, listed as unmanaged" {
	dev=$(mkloop 16)
	dmsetup create "${PFX}plain" --table "0 32768 linear $dev 0"
	settle
	minor=$(dmsetup info -c --noheadings -o minor "${PFX}plain")
	for spec in "/dev/mapper/${PFX}plain" "/dev/dm-$minor" "${PFX}plain"; do
		vss list volumes --json "$spec"
		assert_success
		run jq -c '.volumes[] | [.name, .size, .managed, .backing]' <<<"$output"
		assert_output "[\"${PFX}plain\",16777216,false,null]"
	done
	vss list volumes --json
	run jq -r --arg n "${PFX}plain" '.volumes[] | select(.name == $n) | .managed' <<<"$output"
	assert_output false
}

@test "an LVM logical volume is a volume by its path" {
	command -v lvcreate >/dev/null || skip "lvm2 is not installed"
	dev=$(mkloop 32)
	touch "$BATS_TEST_TMPDIR/used-lvm"
	# Without udev, LVM must make its nodes itself (as a container's LVM does).
	[ "$VSS_TEST_UDEV" = yes ] || lvmconf=(--config 'activation { udev_rules = 0 udev_sync = 0 }')
	pvcreate -qq "${lvmconf[@]}" "$dev"
	vgcreate -qq "${lvmconf[@]}" "${PFX}vg" "$dev"
	lvcreate -qq -y "${lvmconf[@]}" -L 8M -n lv "${PFX}vg"
	settle
	vss list volumes --json "/dev/${PFX}vg/lv"
	assert_success
	run jq -c '.volumes[] | [.name, .size, .managed]' <<<"$output"
	assert_output "[\"${PFX}vg-lv\",8388608,false]"
	vss volume remove "${PFX}vg-lv"
	assert_failure 1
	assert_stderr "vss: volume remove: ${PFX}vg-lv: not a managed volume (vss did not import it)"
}

@test "a managed volume whose device is gone is listed as inactive" {
	dev=$(mkloop 16)
	vss volume import "$dev" "${PFX}a"
	assert_success
	dmsetup remove "${PFX}a"
	vss list volumes
	assert_line --regexp "^${PFX}a +/dev/mapper/${PFX}a +16M +yes, inactive +$dev\$"
	vss list volumes --json "${PFX}a"
	run jq -c '.volumes[0] | [.managed, .active, .size]' <<<"$output"
	assert_output "[true,false,16777216]"
	vss volume remove "${PFX}a"
	assert_success
	[ ! -e "$VSS_STATE_DIR/volumes/${PFX}a.conf" ]
}

@test "libdm's log goes into vss's log: silent by default, shown with -vv" {
	dev=$(mkloop 16)
	vss volume import "$dev" "${PFX}a"
	assert_success
	assert_equal "$stderr" ""
	vss -vv volume remove "${PFX}a"
	assert_success
	[[ $stderr == *"libdm: "* ]]
	[[ $stderr == *"dm remove ${PFX}a"* ]]
}

@test "no udev cookie is left behind" {
	dev=$(mkloop 16)
	before=$(dmsetup udevcookies | awk '/^0x/ {print $1}' | sort)
	vss volume import "$dev" "${PFX}a"
	assert_success
	vss volume remove "${PFX}a"
	assert_success
	after=$(dmsetup udevcookies | awk '/^0x/ {print $1}' | sort)
	assert_equal "$(comm -13 <(echo "$before") <(echo "$after"))" ""
}

@test "a device of ours whose import was cut short (no record) can be removed" {
	dev=$(mkloop 16)
	dmsetup create "${PFX}a" --uuid "VSS-vol-${PFX}-orphan" --table "0 32768 linear $dev 0"
	settle
	vss volume remove "${PFX}a"
	assert_success
	assert_output "/dev/mapper/${PFX}a removed (it had no record: an import was cut short)"
	run dmsetup info "${PFX}a"
	assert_failure
}
