#!/usr/bin/env bats
# The storage area for COW: the default directory of preallocated files on
# loop devices, block devices carved with dm-linear, storage full, and
# storage that lives on a volume of the set (refused: it would deadlock).

load lib
load sets-lib

# area_json AREA: the storage list --json entry of AREA, compact.
area_json() {
	run --separate-stderr "$VSS" storage list --json
	[ "$status" = 0 ] || fail "storage list --json exited $status: $stderr"
	jq -c --arg a "$1" '.storage[] | select(.area == $a)' <<<"$output"
}

# area_field AREA FIELD: one field of it.
area_field() {
	area_json "$1" | jq -r --arg f "$2" '.[$f]'
}

# cow_under SET VOLNAME: the major:minor the COW device of that shadow maps.
cow_under() {
	dmsetup table "vss-${1:0:8}-${PFX}$2-cow" | awk 'NR == 1 && $3 == "linear" {print $4}'
}

# back_file MAJ:MIN: the backing file of the loop device with that number.
back_file() {
	local l
	for l in $(losetup -l -n -O NAME); do
		if [ "$(majmin_of "$l")" = "$1" ]; then
			losetup -l -n -O BACK-FILE "$l" | sed 's/ *$//'
			return
		fi
	done
}

# refused CODE ARGS...: vss ARGS fails with CODE, one line on stderr, nothing
# on stdout, nothing changed.
refused() {
	local code=$1 before
	shift
	before=$(fp)
	vss "$@"
	assert_equal "$status" "$code"
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(fp)" "$before"
}

@test "storage list: the default directory area, empty; a set takes a file of it on a loop device, and gives it back" {
	vss storage list
	assert_success
	assert_line --index 0 --regexp '^AREA +TYPE +SIZE +USED +FREE +SHADOWS$'
	assert_line --regexp "^$VSS_STATE_DIR/storage +directory +.* +0B? +[0-9.]+[BKMGTPE] +0\$"
	listed=$output
	vss list storage
	assert_success
	assert_output "$listed"
	vss storage list --json
	assert_success
	json=$output
	run jq -r '.storage | length' <<<"$json"
	assert_output 1
	run jq -r '.storage[0] | [.area, .type, .used, .shadows] | map(tostring) | join(" ")' <<<"$json"
	assert_output "$VSS_STATE_DIR/storage directory 0 0"
	free0=$(area_field "$VSS_STATE_DIR/storage" free)
	[[ $free0 =~ ^[0-9]+$ ]] && [ "$free0" -gt 0 ] || fail "free is $free0"

	mkvol a 32
	new_set --cow-size 4M "${PFX}a"
	under=$(cow_under "$SET" a)
	[ -n "$under" ] || fail "the COW device is not linear: $(dmsetup table "vss-$SET8-${PFX}a-cow")"
	file=$(back_file "$under")
	[[ $file == "$VSS_STATE_DIR/storage/"* ]] || fail "the COW is on $under (file '$file'), not in the storage directory"
	[ "$(stat -c %s "$file")" -ge 4194304 ] || fail "$file is $(stat -c %s "$file") bytes"
	assert_equal "$(area_field "$VSS_STATE_DIR/storage" used)" 4194304
	assert_equal "$(area_field "$VSS_STATE_DIR/storage" shadows)" 1
	vss storage list
	assert_line --regexp "^$VSS_STATE_DIR/storage +directory +.* +4M +[0-9.]+[BKMGTPE] +1\$"

	vss delete-set "$SET"
	assert_success
	assert_equal "$(area_field "$VSS_STATE_DIR/storage" used)" 0
	assert_equal "$(area_field "$VSS_STATE_DIR/storage" shadows)" 0
	# Its loop device is detached.
	run losetup -j "$file"
	assert_output ""
}

@test "storage add DEVICE: COWs are carved from it with dm-linear; used, free and shadows follow; remove refused while in use" {
	dev=$(mkloop 64)
	mkvol a 32
	mkvol b 32
	vss storage add "$dev"
	assert_success
	assert_equal "$stderr" ""
	run area_json "$dev"
	assert_output "{\"area\":\"$dev\",\"type\":\"device\",\"size\":67108864,\"used\":0,\"free\":67108864,\"shadows\":0}"
	vss storage list
	assert_line --regexp "^$dev +device +64M +0B? +64M +0\$"

	new_set --cow-size 4M "${PFX}a"
	s1=$SET
	run dmsetup table "vss-${s1:0:8}-${PFX}a-cow"
	assert_output --regexp "^0 8192 linear $(majmin_of "$dev") [0-9]+\$"
	off1=$(awk '{print $5}' <<<"$output")
	run area_json "$dev"
	assert_output "{\"area\":\"$dev\",\"type\":\"device\",\"size\":67108864,\"used\":4194304,\"free\":62914560,\"shadows\":1}"

	new_set --cow-size 8M "${PFX}a" "${PFX}b"
	s2=$SET
	declare -A off len
	off[a]=$off1 len[a]=8192
	for v in a b; do
		run dmsetup table "vss-${s2:0:8}-${PFX}$v-cow"
		assert_output --regexp "^0 16384 linear $(majmin_of "$dev") [0-9]+\$"
		off[$v$v]=$(awk '{print $5}' <<<"$output") len[$v$v]=16384
	done
	# No two slices overlap, and all lie inside the device.
	for x in a aa bb; do
		[ $((off[$x] + len[$x])) -le 131072 ] || fail "slice $x at ${off[$x]}+${len[$x]} runs past the device"
		for y in a aa bb; do
			[ "$x" = "$y" ] && continue
			[ $((off[$x] + len[$x])) -le "${off[$y]}" ] || [ $((off[$y] + len[$y])) -le "${off[$x]}" ] ||
				fail "slices $x (${off[$x]}+${len[$x]}) and $y (${off[$y]}+${len[$y]}) overlap"
		done
	done
	run area_json "$dev"
	assert_output "{\"area\":\"$dev\",\"type\":\"device\",\"size\":67108864,\"used\":20971520,\"free\":46137344,\"shadows\":3}"
	vss storage list
	assert_line --regexp "^$dev +device +64M +20M +44M +3\$"

	# The shadows read their instant through those slices.
	dd if=/dev/urandom of="${VOLDEV[b]}" bs=1M count=4 oflag=direct status=none
	run dmsetup status "vss-${s2:0:8}-${PFX}b"
	assert_output --regexp '^0 65536 snapshot [0-9]+/16384 [0-9]+$'

	before=$(fp)
	vss storage remove "$dev"
	assert_failure 1
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "vss: storage remove: $dev: "* ]] || fail "unexpected message: $stderr"
	assert_equal "$(fp)" "$before"

	vss delete-set "$s1"
	assert_success
	run area_json "$dev"
	assert_output "{\"area\":\"$dev\",\"type\":\"device\",\"size\":67108864,\"used\":16777216,\"free\":50331648,\"shadows\":2}"
	vss storage remove "$dev"
	assert_failure 1
	vss delete-set "$s2"
	assert_success
	run area_json "$dev"
	assert_output "{\"area\":\"$dev\",\"type\":\"device\",\"size\":67108864,\"used\":0,\"free\":67108864,\"shadows\":0}"
	vss storage remove "$dev"
	assert_success
	assert_equal "$stderr" ""
	run area_json "$dev"
	assert_output ""
	# No dm device is left on it.
	run ls "/sys/class/block/$(basename "$dev")/holders"
	assert_output ""
}

@test "storage full: a device area too small, exit 4, nothing changed, not even half a set" {
	mkvol a 32
	mkvol b 32
	dev=$(mkloop 6)
	vss storage add "$dev"
	assert_success
	refused 4 create-set --cow-size 8M "${PFX}a"
	[[ $stderr == "vss: create-set: storage full: "* ]] || fail "unexpected message: $stderr"
	# The first volume's COW would fit, the second's not: nothing of either.
	refused 4 create-set --cow-size 4M "${PFX}a" "${PFX}b"
	[[ $stderr == "vss: create-set: storage full: "* ]] || fail "unexpected message: $stderr"
	refused 4 create-set --cow-size 50% "${PFX}a"
	[[ $stderr == "vss: create-set: storage full: "* ]] || fail "unexpected message: $stderr"
	run set_ids
	assert_output ""
	run area_json "$dev"
	assert_output "{\"area\":\"$dev\",\"type\":\"device\",\"size\":6291456,\"used\":0,\"free\":6291456,\"shadows\":0}"
	# What fits, fits.
	new_set --cow-size 4M "${PFX}a"
	refused 4 create-set --cow-size 4M "${PFX}b"
	[[ $stderr == "vss: create-set: storage full: "* ]] || fail "unexpected message: $stderr"
}

@test "storage full: a directory area with --max, exit 4, nothing changed" {
	mkvol a 32
	area=$BATS_TEST_TMPDIR/area
	mkdir "$area"
	vss storage add "$area" --max 2M
	[ "$status" = 0 ] || fail "storage add $area --max 2M exited $status: $stderr"
	run area_json "$area"
	assert_output "{\"area\":\"$area\",\"type\":\"directory\",\"size\":2097152,\"used\":0,\"free\":2097152,\"shadows\":0}"
	files=$(ls -A "$area")
	refused 4 create-set --cow-size 4M "${PFX}a"
	[[ $stderr == "vss: create-set: storage full: "* ]] || fail "unexpected message: $stderr"
	run set_ids
	assert_output ""
	assert_equal "$(ls -A "$area")" "$files"
	new_set --cow-size 1M "${PFX}a"
	file=$(back_file "$(cow_under "$SET" a)")
	[[ $file == "$area/"* ]] || fail "the COW is not in $area: '$file'"
}

@test "storage on a volume of the set is refused (exit 1, nothing changed); for another volume's set it serves" {
	mkvol a 64
	mkvol b 32
	mkfs_mount a
	mkdir "${MNT[a]}/store"
	vss storage add "${MNT[a]}/store"
	assert_success
	files=$(ls -A "${MNT[a]}/store")
	refused 1 create-set "${PFX}a"
	[[ $stderr == "vss: create-set: "* && $stderr == *"${PFX}a"* ]] || fail "unexpected message: $stderr"
	refused 1 create-set "${PFX}b" "${PFX}a"
	[[ $stderr == "vss: create-set: "* && $stderr == *"${PFX}a"* ]] || fail "unexpected message: $stderr"
	run set_ids
	assert_output ""
	assert_equal "$(ls -A "${MNT[a]}/store")" "$files"
	# b's set may keep its COW on a's filesystem.
	new_set --cow-size 2M "${PFX}b"
	file=$(back_file "$(cow_under "$SET" b)")
	[[ $file == "${MNT[a]}/store/"* ]] || fail "the COW is not in ${MNT[a]}/store: '$file'"
	dd if=/dev/urandom of="${VOLDEV[b]}" bs=1M count=1 oflag=direct status=none
	show_json "$SET"
	[ "$status" = 0 ] || fail "show exited $status: $stderr"
	run jq -r '.shadows[] | [.set, .volume, .state] | join(" ")' <<<"$output"
	assert_output "$SET ${PFX}b valid"
	# And with b's shadow on it, a still may not be in a set.
	refused 1 create-set "${PFX}a"
}

@test "storage on a volume of the set, as a device area: refused, nothing changed" {
	mkvol a 32
	mkvol s 32
	# A managed volume is not given over as an area at all.
	refused 1 storage add "/dev/mapper/${PFX}s"
	[[ $stderr == "vss: storage add: /dev/mapper/${PFX}s: "* ]] || fail "unexpected message: $stderr"
	# A dm device vss did not make can be an area, and a volume; not both in one set.
	dev=$(mkloop 32)
	dmsetup create "${PFX}plain" --table "0 65536 linear $dev 0"
	settle
	vss storage add "/dev/mapper/${PFX}plain"
	[ "$status" = 0 ] || fail "storage add /dev/mapper/${PFX}plain exited $status: $stderr"
	refused 1 create-set --cow-size 4M "/dev/mapper/${PFX}plain"
	[[ $stderr == "vss: create-set: "* && $stderr == *"${PFX}plain"* ]] || fail "unexpected message: $stderr"
	refused 1 create-set --cow-size 4M "${PFX}a" "/dev/mapper/${PFX}plain"
	run set_ids
	assert_output ""
	new_set --cow-size 4M "${PFX}a"
	run dmsetup table "vss-$SET8-${PFX}a-cow"
	assert_output --regexp "^0 8192 linear $(majmin "${PFX}plain") [0-9]+\$"
}
