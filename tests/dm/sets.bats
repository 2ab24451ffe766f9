#!/usr/bin/env bats
# Shadow copy sets on dm-snapshot: create-set, list sets, show, delete-set,
# auto-release, and the one-instant guarantee across volumes.

load lib
load sets-lib

# The "show" block for SET as create-set and show print it, checked line by
# line; VOLS are the volume names (without prefix) in the order given.
# assert_show_block SET LABEL CONTEXT VOLS...
assert_show_block() {
	local set=$1 label=$2 context=$3 v
	shift 3
	assert_line --index 0 --regexp "^Set: +$set\$"
	assert_line --index 1 --regexp "^Label: +$label\$"
	assert_line --index 2 --regexp "^Context: +$context\$"
	assert_line --index 3 --regexp '^Created: +20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] UTC$'
	assert_line --index 4 --regexp '^Freeze window: +[0-9]+(\.[0-9])? ms$'
	assert_line --index 5 --regexp '^VOLUME +DEVICE +COW-SIZE +USE% +STATE +MOUNTPOINT$'
	local i=6
	for v in "$@"; do
		assert_line --index $i --regexp "^${PFX}$v +/dev/mapper/vss-${set:0:8}-${PFX}$v +[0-9.]+[KMG] +[0-9.]+% +valid *\$"
		i=$((i + 1))
	done
	[ "${#lines[@]}" = "$i" ] || fail "expected $i lines, got ${#lines[@]}: $output"
}

@test "create-set of two mounted ext4 volumes: show's block, read-only shadows, dm tables and uuids, file contents at the instant" {
	mkvol a 64
	mkvol b 64
	mkfs_mount a
	mkfs_mount b
	fill_files "${MNT[a]}" 20
	fill_files "${MNT[b]}" 20
	table_a=$(dmsetup table "${PFX}a") table_b=$(dmsetup table "${PFX}b")
	want_a=$(tree_sum "${MNT[a]}") want_b=$(tree_sum "${MNT[b]}")
	new_set "${PFX}a" "${PFX}b"
	assert_show_block "$SET" - persistent a b
	assert_equal "$stderr" ""
	# Later writes to the origins never reach the shadows.
	echo "written after the set" >"${MNT[a]}/note"
	rm -r "${MNT[b]}/d"
	sync
	for v in a b; do
		sh=$(shadow "$SET" "$v")
		[ -b "$sh" ] || fail "no $sh"
		assert_equal "$(blockdev --getro "$sh")" 1
		run dd if=/dev/zero of="$sh" bs=4k count=1 oflag=direct status=none
		assert_failure
		assert_equal "$(blockdev --getsize64 "$sh")" 67108864
		# The origin is a snapshot-origin over its -real, which carries the
		# origin's old table; the shadow is a persistent snapshot.
		real=vss-${PFX}$v-real cow=vss-$SET8-${PFX}$v-cow
		run dmsetup table "${PFX}$v"
		assert_output "0 131072 snapshot-origin $(majmin "$real")"
		run dmsetup table "$real"
		if [ "$v" = a ]; then assert_output "$table_a"; else assert_output "$table_b"; fi
		run dmsetup table "vss-$SET8-${PFX}$v"
		assert_output --regexp "^0 131072 snapshot $(majmin "$real") $(majmin "$cow") P [0-9]+\$"
		run dmsetup info -c --noheadings -o uuid "vss-$SET8-${PFX}$v"
		assert_output --regexp "^VSS-snap-$SET-[0-9]+\$"
		run dmsetup info -c --noheadings -o uuid "$cow"
		assert_output --regexp '^VSS-cow-'
		run dmsetup info -c --noheadings -o uuid "$real"
		assert_output --regexp '^VSS-real-'
		mount_ro "$sh" "$BATS_TEST_TMPDIR/shadow-$v"
	done
	assert_equal "$(tree_sum "$BATS_TEST_TMPDIR/shadow-a")" "$want_a"
	assert_equal "$(tree_sum "$BATS_TEST_TMPDIR/shadow-b")" "$want_b"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/shadow-a/note")" "written before the set"
	assert_equal "$(cat "${MNT[a]}/note")" "written after the set"
}

@test "create-set of unmounted volumes: each shadow's checksum is its origin's at the set; later origin writes do not reach it" {
	mkvol a 32
	mkvol b 16
	for v in a b; do
		dd if=/dev/urandom of="${VOLDEV[$v]}" bs=1M oflag=direct status=none count=$(( $(blockdev --getsize64 "${VOLDEV[$v]}") >> 20 ))
	done
	sum_a=$(dsum "${VOLDEV[a]}") sum_b=$(dsum "${VOLDEV[b]}")
	new_set --chunk-size 16K --label raw "${PFX}a" "${PFX}b"
	assert_show_block "$SET" raw persistent a b
	created=$output
	run dmsetup table "vss-$SET8-${PFX}a"
	assert_output --regexp " P 32\$"
	# Less than the COW (10%) holds.
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=1 seek=3 oflag=direct conv=notrunc status=none
	dd if=/dev/urandom of="${VOLDEV[b]}" bs=4k count=1 seek=100 oflag=direct conv=notrunc status=none
	assert_equal "$(dsum "$(shadow "$SET" a)")" "$sum_a"
	assert_equal "$(dsum "$(shadow "$SET" b)")" "$sum_b"
	[ "$(dsum "${VOLDEV[a]}")" != "$sum_a" ] || fail "the origin a did not change"
	[ "$(dsum "${VOLDEV[b]}")" != "$sum_b" ] || fail "the origin b did not change"
	# show prints what create-set printed, but for the COW now in use.
	vss show "$SET"
	assert_success
	assert_show_block "$SET" raw persistent a b
	assert_equal "$(sed -n 1,6p <<<"$output")" "$(sed -n 1,6p <<<"$created")"
}

@test "udev: -real is hidden from the disk rules, the shadow has low priority; the filesystem's by-uuid link stays with the origin" {
	[ "$VSS_TEST_UDEV" = yes ] || skip "no udev in this run (the suite's udev run covers it)"
	mkvol a 32
	mkfs_mount a
	uuid=$(blkid -o value -s UUID "${VOLDEV[a]}")
	new_set "${PFX}a"
	udevadm settle
	run udevadm info --query=property --name="/dev/mapper/vss-${PFX}a-real"
	assert_success
	assert_line DM_UDEV_DISABLE_DISK_RULES_FLAG=1
	assert_line DM_UDEV_DISABLE_OTHER_RULES_FLAG=1
	refute_line --partial ID_FS_UUID=
	run udevadm info --query=property --name="$(shadow "$SET" a)"
	assert_success
	assert_line DM_UDEV_LOW_PRIORITY_FLAG=1
	assert_equal "$(readlink -f "/dev/disk/by-uuid/$uuid")" "$(readlink -f "${VOLDEV[a]}")"
}

@test "list sets and show, as tables and as JSON, agree" {
	mkvol a 32
	mkvol b 16
	new_set --label first "${PFX}a" "${PFX}b"
	s1=$SET
	new_set "${PFX}b"
	s2=$SET
	declare -a rows_got=() rows_want=()
	vss list sets
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 --regexp '^SET +CREATED +LABEL +CONTEXT +VOLUMES +STATE$'
	human=$output
	vss list sets --json
	assert_success
	# Everything asked of the JSON, from one jq: the number of sets, then a
	# line a set (fields split by US): its id, its human row rebuilt from
	# the JSON, created, label context state volumes, and the label as is.
	local -A row_json created_json fields_json label_json
	local -a listed=() f
	{
		read -r n
		while IFS=$'\x1f' read -r -a f; do
			listed+=("${f[0]}")
			row_json[${f[0]}]=${f[1]} created_json[${f[0]}]=${f[2]}
			fields_json[${f[0]}]=${f[3]} label_json[${f[0]}]=${f[4]}
		done
	} < <(jq -r '(.sets | length), (.sets[] | [.id,
		([.id[0:8], (.created | sub("T"; " ") | sub("Z$"; "")), (.label // "-"), .context,
		  (.volumes | join(",")), .state] | join(" ")),
		.created, ([.label, .context, .state, (.volumes | join(","))] | join(" ")),
		(.label | tostring)] | join("\u001f"))' <<<"$output")
	assert_equal "$n" 2
	assert_equal "${#listed[@]}" 2
	[[ " ${listed[*]} " == *" $s1 "* && " ${listed[*]} " == *" $s2 "* ]] || fail "list sets --json has ${listed[*]}, not $s1 and $s2"
	for s in "$s1" "$s2"; do
		# The human row, rebuilt from the JSON.
		want=${row_json[$s]}
		got=$(grep "^${s:0:8} " <<<"$human" | tr -s ' ' | sed 's/ $//')
		# Compared at the end, so that one wrong field hides nothing else.
		rows_got+=("$got") rows_want+=("$want")
		[[ ${created_json[$s]} =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] ||
			fail "set $s: created is ${created_json[$s]}"
	done
	assert_equal "${fields_json[$s1]}" "first persistent valid ${PFX}a,${PFX}b"
	assert_equal "${label_json[$s2]}" null

	# show: the human block against the JSON, field by field: the set's
	# own fields from list sets SET --json, its shadows from show --json
	# (which is list shadows SET --json: one object a shadow, no set fields
	# but its id and label).
	vss show "$s1"
	assert_success
	assert_show_block "$s1" first persistent a b
	human=$output
	vss list sets --json "$s1"
	assert_success
	{
		read -r n
		read -r first
		read -r created
		read -r fus
	} < <(jq -r '(.sets | length), (.sets[0] | [.id, .label, .context, .state] | join(" ")),
		.sets[0].created, .sets[0]["freeze-us"]' <<<"$output")
	assert_equal "$n" 1
	assert_equal "$first" "$s1 first persistent valid"
	grep -qE "^Created: +$(sed 's/T/ /; s/Z$//' <<<"$created") UTC\$" <<<"$human" ||
		fail "show says $(grep '^Created:' <<<"$human"), JSON $created"
	[[ $fus =~ ^[0-9]+$ ]] || fail "freeze-us is $fus"
	fms=$(awk '$1 == "Freeze" {print $3}' <<<"$human")
	awk -v a="$fms" -v b="$fus" 'BEGIN { d = a - b / 1000; exit !(d < 0.1 && d > -0.1) }' ||
		fail "Freeze window $fms ms, freeze-us $fus"
	show_json "$s1"
	assert_success
	shown=$output
	vss list shadows --json "$s1"
	assert_success
	assert_equal "$output" "$shown"
	# One jq: the number of shadows, then a line a shadow (fields split by
	# US): its volume, set label device origin provider size state why
	# mountpoint, cow-size, cow-used, its keys.
	local -A child_json cs_json cu_json keys_json
	{
		read -r nshadows
		while IFS=$'\x1f' read -r -a f; do
			child_json[${f[0]}]=${f[1]} cs_json[${f[0]}]=${f[2]} cu_json[${f[0]}]=${f[3]}
			keys_json[${f[0]}]=${f[4]}
		done
	} < <(jq -r '(.shadows | length), (.shadows[] | [.volume,
		 ([.set, .label, .device, .origin, .provider, .size, .state, .why, .mountpoint] | map(tostring) | join(" ")),
		 (.["cow-size"] | tostring), (.["cow-used"] | tostring), (keys_unsorted | join(","))] | join("\u001f"))' <<<"$shown")
	assert_equal "$nshadows" 2
	for v in a b; do
		size=$(blockdev --getsize64 "${VOLDEV[$v]}")
		assert_equal "${child_json[${PFX}$v]:-none}" "$s1 first $(shadow "$s1" "$v") /dev/mapper/${PFX}$v cow $size valid null null"
		assert_equal "${keys_json[${PFX}$v]}" "set,label,volume,device,origin,provider,size,cow-size,cow-used,state,why,mountpoint"
		cs=${cs_json[${PFX}$v]:-} cu=${cu_json[${PFX}$v]:-}
		[[ $cs =~ ^[0-9]+$ && $cu =~ ^[0-9]+$ ]] || fail "cow-size $cs, cow-used $cu"
		# The default COW is 10% of the origin: at least that, and its device that size.
		[ "$cs" -ge $((size / 10)) ] && [ "$cs" -le $((size / 10 + 1048576)) ] || fail "cow-size $cs for a $size-byte origin"
		assert_equal "$(blockdev --getsize64 "/dev/mapper/vss-${s1:0:8}-${PFX}$v-cow")" "$cs"
		[ "$cu" -lt "$cs" ] || fail "cow-used $cu of $cs"
		pct=$(awk -v u="$cu" -v s="$cs" 'BEGIN { printf "%.1f%%", 100 * u / s }')
		row=$(grep "^${PFX}$v " <<<"$human" | tr -s ' ' | sed 's/ $//')
		assert_equal "$row" "${PFX}$v $(shadow "$s1" "$v") $(human_size "$cs") $pct valid"
	done
	# list sets: each row as its JSON says ("-" for no label, as show has it).
	assert_equal "${rows_got[0]}" "${rows_want[0]}"
	assert_equal "${rows_got[1]}" "${rows_want[1]}"
}

@test "listings open no shadow (a probe holding one open would make a revert or a delete see it in use)" {
	opens=$(dirname "$VSS")/tests/dm/opens
	[ -x "$opens" ] || fail "no $opens: make tests/dm/opens in the build"
	mkvol a 32
	mkfs_mount a
	new_set "${PFX}a"
	sh=$(shadow "$SET" a)
	settle
	for cmd in "list volumes" "list volumes -J" "list sets" "list shadows -J" "show $SET" \
		"storage list" "monitor --once"; do
		# shellcheck disable=SC2086 # the command's words
		n=$("$opens" "$sh" "$VSS" $cmd 2>"$BATS_TEST_TMPDIR/err") ||
			fail "vss $cmd: exit $?: $(cat "$BATS_TEST_TMPDIR/err")"
		assert_equal "vss $cmd: $n opens" "vss $cmd: 0 opens"
	done
	# The count is real: a reader of the shadow is seen.
	assert_equal "$("$opens" "$sh" dd if="$sh" of=/dev/null bs=4k count=1 status=none)" 1
}

@test "a set is found by its full id, a unique prefix and its label" {
	mkvol a 16
	new_set --label "${PFX}daily" "${PFX}a"
	s1=$SET
	new_set --label "${PFX}weekly" "${PFX}a"
	s2=$SET
	# The shortest prefix of s1 that s2 does not share.
	k=1
	while [ "${s1:0:k}" = "${s2:0:k}" ]; do k=$((k + 1)); done
	for name in "$s1" "${s1:0:8}" "${s1:0:k}" "${PFX}daily"; do
		vss show "$name"
		[ "$status" = 0 ] || fail "show $name exited $status: $stderr"
		assert_line --index 0 --regexp "^Set: +$s1\$"
	done
	show_json "${PFX}weekly"
	assert_success
	run jq -r '.shadows[] | [.set, .label] | join(" ")' <<<"$output"
	assert_output "$s2 ${PFX}weekly"
}

@test "show: an unknown set, and a name that is one set's id prefix and another's label: exit 1, nothing changed" {
	mkvol a 16
	new_set "${PFX}a"
	s1=$SET
	# (No two sets share a label: create-set refuses that; see refusals.bats.)
	same=${s1:0:8}
	new_set --label "$same" "${PFX}a"
	s2=$SET
	before=$(fp)
	vss show "$same"
	assert_failure 1
	assert_output ""
	ambiguous=$stderr
	vss show zzz
	assert_failure 1
	assert_output ""
	assert_stderr "vss: show: zzz: no such shadow copy set"
	vss show 00000000-0000-4000-8000-000000000000
	assert_failure 1
	assert_stderr "vss: show: 00000000-0000-4000-8000-000000000000: no such shadow copy set"
	vss delete-set zzz
	assert_failure 1
	assert_output ""
	assert_stderr "vss: delete-set: zzz: no such shadow copy set"
	vss delete-set "$same"
	assert_failure 1
	[[ $stderr == "vss: delete-set: $same: ambiguous: matches "* ]] || fail "unexpected message: $stderr"
	assert_equal "$(fp)" "$before"
	# The contract's message: the set8 of each match, nothing more.
	[ "$ambiguous" = "vss: show: $same: ambiguous: matches ${s1:0:8}, ${s2:0:8}" ] ||
		[ "$ambiguous" = "vss: show: $same: ambiguous: matches ${s2:0:8}, ${s1:0:8}" ] ||
		fail "unexpected message: $ambiguous"
}

@test "show: a prefix two set ids share is ambiguous: exit 1, both named" {
	mkvol a 8
	declare -A by_first
	pair=
	for _ in $(seq 17); do
		new_set --cow-size 256K "${PFX}a"
		c=${SET:0:1}
		if [ -n "${by_first[$c]:-}" ]; then
			pair="${by_first[$c]} $SET"
			break
		fi
		by_first[$c]=$SET
	done
	[ -n "$pair" ] || fail "17 sets and no two ids share a first character?"
	read -r x y <<<"$pair"
	# The longest prefix both share.
	k=1
	while [ "${x:0:k+1}" = "${y:0:k+1}" ]; do k=$((k + 1)); done
	p=${x:0:k}
	before=$(fp)
	vss show "$p"
	assert_failure 1
	assert_output ""
	[ "$stderr" = "vss: show: $p: ambiguous: matches ${x:0:8}, ${y:0:8}" ] ||
		[ "$stderr" = "vss: show: $p: ambiguous: matches ${y:0:8}, ${x:0:8}" ] ||
		fail "unexpected message: $stderr"
	assert_equal "$(fp)" "$before"
}

@test "delete-set by id: prints it, its devices go, the other set stays" {
	mkvol a 16
	new_set "${PFX}a"
	s1=$SET
	new_set "${PFX}a"
	s2=$SET
	vss delete-set "$s1"
	assert_success
	assert_output "deleted $s1"
	assert_equal "$stderr" ""
	run set_ids
	assert_output "$s2"
	for d in "vss-${s1:0:8}-${PFX}a" "vss-${s1:0:8}-${PFX}a-cow"; do
		run dmsetup info "$d"
		assert_failure
	done
	[ ! -e "$(shadow "$s1" a)" ]
	[ -b "$(shadow "$s2" a)" ]
	run dmsetup table "${PFX}a"
	assert_output "0 32768 snapshot-origin $(majmin "vss-${PFX}a-real")"
	vss show "$s2"
	assert_success
	vss show "$s1"
	assert_failure 1
}

@test "delete-set --oldest, --older-than, --all; the last one gone, the origin's table is exactly as before" {
	# Suite time: vss's own choosing; delete-set of one set runs in both.
	one_build asan "choosing sets to delete, under the sanitizers (delete-set of one set runs in both)"
	mkvol a 16
	mkvol b 16
	state0=$(kernel_state)
	table_a=$(dmsetup table "${PFX}a")
	uuid_a=$(dmsetup info -c --noheadings -o uuid "${PFX}a")
	new_set "${PFX}a" "${PFX}b"
	s1=$SET
	sleep 10
	t2=$(date +%s)
	new_set "${PFX}a"
	s2=$SET
	new_set "${PFX}b"
	s3=$SET
	new_set "${PFX}a"
	s4=$SET
	# Older than s2 (made after t2), younger than s1 (made 10 s before t2).
	# vss reads its clock later than we do: the 8 s added is room for a
	# loaded guest starting it (up to 7 s late, with t2 rounded down); s1,
	# made more than 9 s before t2, is older whenever vss looks.
	age=$(( $(date +%s) - t2 + 8 ))
	vss delete-set --older-than "$age"
	assert_success
	assert_output "deleted $s1"
	run set_ids
	assert_output "$(printf '%s\n' "$s2" "$s3" "$s4" | sort)"
	vss delete-set --oldest
	assert_success
	assert_output "deleted $s2"
	# Nothing older than an hour: nothing deleted, and that is no error.
	vss delete-set --older-than 1h
	assert_success
	assert_output ""
	vss delete-set --all
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line "deleted $s3"
	assert_line "deleted $s4"
	run set_ids
	assert_output ""
	vss list sets --json
	run jq -c '.sets' <<<"$output"
	assert_output "[]"
	run dmsetup table "${PFX}a"
	assert_output "$table_a"
	run dmsetup info -c --noheadings -o uuid "${PFX}a"
	assert_output "$uuid_a"
	run vss_devices_of a
	assert_output ""
	run vss_devices_of b
	assert_output ""
	assert_equal "$(kernel_state)" "$state0"
	vss delete-set --all
	assert_success
	assert_output ""
}

@test "delete-set: the origin is writable and its data whole after its last shadow goes" {
	mkvol a 16
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=16 oflag=direct status=none
	new_set "${PFX}a"
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=4 seek=2 oflag=direct conv=notrunc status=none
	want=$(dsum "${VOLDEV[a]}")
	vss delete-set "$SET"
	assert_success
	assert_equal "$(dsum "${VOLDEV[a]}")" "$want"
	assert_equal "$(dsum "${BACKING[a]}")" "$want"
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=1 oflag=direct conv=notrunc status=none
	assert_equal "$(dsum "${VOLDEV[a]}")" "$(dsum "${BACKING[a]}")"
}

@test "create-set refuses a volume named twice (exit 2) and an unknown volume (exit 1); nothing changed" {
	mkvol a 16
	mkvol b 16
	new_set "${PFX}b"
	before=$(fp)
	vss create-set "${PFX}a" "${PFX}b" "${PFX}a"
	assert_equal "$status" 2
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "vss: create-set: ${PFX}a: "* ]] || fail "unexpected message: $stderr"
	assert_equal "$(fp)" "$before"
	# The same volume by name and by path is still the same volume.
	vss create-set "${PFX}a" "/dev/mapper/${PFX}a"
	assert_equal "$status" 2
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "vss: create-set: "* ]] || fail "unexpected message: $stderr"
	assert_equal "$(fp)" "$before"
	vss create-set "${PFX}a" "${PFX}none"
	assert_failure 1
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "vss: create-set: ${PFX}none: "* ]] || fail "unexpected message: $stderr"
	assert_equal "$(fp)" "$before"
	vss create-set
	assert_equal "$status" 2
	assert_equal "$(fp)" "$before"
	vss create-set --context sometimes "${PFX}a"
	assert_equal "$status" 2
	assert_equal "$(fp)" "$before"
	vss create-set --cow-size 12Q "${PFX}a"
	assert_equal "$status" 2
	assert_equal "$(fp)" "$before"
	run set_ids
	assert_output "$SET"
}

@test "an auto-release set lives as long as the command that made it" {
	mkvol a 16
	state0=$(kernel_state)
	table_a=$(dmsetup table "${PFX}a")
	vss create-set --context auto-release "${PFX}a"
	assert_success
	assert_line --index 2 --regexp '^Context: +auto-release$'
	id=$(awk '$1 == "Set:" {print $2}' <<<"$output")
	[[ $id =~ ^$UUID_RE$ ]] || fail "no set id: $output"
	run set_ids
	assert_output ""
	run vss_devices_of a
	assert_output ""
	run dmsetup table "${PFX}a"
	assert_output "$table_a"
	assert_equal "$(kernel_state)" "$state0"
}

# has_fault POINT: whether this build can stop at POINT (--enable-fault-injection).
has_fault() {
	"$VSS" --fault-points 2>/dev/null | grep -qx -- "$1"
}

@test "an auto-release set is deleted when its command is stopped by SIGTERM, SIGINT or SIGHUP after the set was made" {
	has_fault create:committed || skip "this build has no fault injection (create:committed)"
	mkvol a 16
	state0=$(kernel_state)
	for sig in TERM INT HUP; do
		VSS_FAULT=create:committed VSS_FAULT_SIGNAL=$sig vss create-set --context auto-release "${PFX}a"
		assert_equal "$status" $((128 + $(kill -l "$sig")))
		run set_ids
		assert_output ""
		assert_equal "$(kernel_state)" "$state0"
	done
}

@test "an auto-release set whose command was SIGKILLed is deleted by recover" {
	has_fault create:committed || skip "this build has no fault injection (create:committed)"
	mkvol a 16
	state0=$(kernel_state)
	VSS_FAULT=create:committed vss create-set --context auto-release --label "${PFX}orphan" "${PFX}a"
	assert_equal "$status" 137
	vss list sets --json
	run jq -r '.sets[] | [.label, .context] | join(" ")' <<<"$output"
	assert_output "${PFX}orphan auto-release"
	vss recover
	assert_success
	[ "${#lines[@]}" -ge 1 ] || fail "recover fixed something and said nothing"
	run set_ids
	assert_output ""
	assert_equal "$(kernel_state)" "$state0"
	vss recover
	assert_success
	assert_output ""
}

# writer MODE A B: appends 1, 2, 3... to A/counter then to B/counter, the
# same n to each, A first, until $BATS_TEST_TMPDIR/stop exists. MODE fsync
# makes every line durable before the next (dd conv=fsync), MODE cache
# leaves it to the page cache (the freeze must flush it).
writer() {
	local mode=$1 a=$2 b=$3 n=0
	while [ ! -e "$BATS_TEST_TMPDIR/stop" ]; do
		n=$((n + 1))
		if [ "$mode" = fsync ]; then
			echo "$n" | dd of="$a/counter" oflag=append conv=notrunc,fsync status=none
			echo "$n" | dd of="$b/counter" oflag=append conv=notrunc,fsync status=none
		else
			echo "$n" >>"$a/counter"
			echo "$n" >>"$b/counter"
		fi
	done
}

# last_counter FILE: LAST, the last whole line of FILE (0 when empty), read
# by the shell (it runs some 60 times a test: no tail, no subshell).
last_counter() {
	local -a l=()
	[ ! -e "$1" ] || mapfile -t l <"$1"
	LAST=0
	[ "${#l[@]}" = 0 ] || LAST=${l[-1]:-0}
}

# mount_shadow NTH VOLUME: the shadow of set NTH (ids[NTH]) of VOLUME,
# mounted read-only on $BATS_TEST_TMPDIR/sNTH-VOLUME, as mount_ro mounts
# ext4 (the filesystem mkfs_mount made: no blkid to ask).
mount_shadow() {
	mount -t ext4 -o ro,noload "/dev/mapper/vss-${ids[$1]:0:8}-${PFX}$2" "$BATS_TEST_TMPDIR/s$1-$2"
}

consistency() {
	local mode=$1 sets=8 nth
	mkvol a 64
	mkvol b 64
	mkfs_mount a
	mkfs_mount b
	: >"${MNT[a]}/counter"
	: >"${MNT[b]}/counter"
	bg writer "$mode" "${MNT[a]}" "${MNT[b]}"
	# The writer is under way before the first set.
	for _ in $(seq 100); do last_counter "${MNT[b]}/counter"; [ "$LAST" -gt 2 ] && break; sleep 0.1; done
	declare -a ids got_a got_b
	for nth in $(seq $sets); do
		last_counter "${MNT[b]}/counter"
		lo=$LAST
		new_set "${PFX}a" "${PFX}b"
		last_counter "${MNT[a]}/counter"
		hi=$LAST
		ids[nth]=$SET
		mkdir "$BATS_TEST_TMPDIR/s$nth-a" "$BATS_TEST_TMPDIR/s$nth-b"
		for v in a b; do
			mount_shadow "$nth" "$v"
		done
		last_counter "$BATS_TEST_TMPDIR/s$nth-a/counter"
		got_a[nth]=$LAST
		last_counter "$BATS_TEST_TMPDIR/s$nth-b/counter"
		got_b[nth]=$LAST
		echo "# set $nth: origin before $lo, after $hi; shadows a=${got_a[nth]} b=${got_b[nth]}" >&3
		# One cut: B has A's latest or the one before it, never further.
		[ "${got_b[nth]}" = "${got_a[nth]}" ] || [ "${got_b[nth]}" = $((got_a[nth] - 1)) ] ||
			fail "set $nth: shadow of a ends at ${got_a[nth]}, of b at ${got_b[nth]}"
		# The instant lies within the command: what was written before it
		# is there, what was written after it is not.
		[ "${got_a[nth]}" -ge "$lo" ] && [ "${got_a[nth]}" -le "$hi" ] ||
			fail "set $nth: shadow of a ends at ${got_a[nth]}, outside [$lo, $hi]"
		# Every line is whole and in order: 1..n with nothing torn.
		for v in a b; do
			last_counter "$BATS_TEST_TMPDIR/s$nth-$v/counter"
			n=$LAST
			cmp -s "$BATS_TEST_TMPDIR/s$nth-$v/counter" <(seq "$n") ||
				fail "set $nth: the counter file of $v is not 1..$n"
		done
		sleep 0.$((RANDOM % 10))
	done
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$BG"
	last_counter "${MNT[a]}/counter"
	final=$LAST
	[ "$final" -gt "${got_a[sets]}" ] || fail "the writer stopped at $final, no later than the last set"
	# Afterwards, with the origins far ahead: every shadow still shows its
	# instant (unmounted all at once, each mounted again).
	sync
	umount "$BATS_TEST_TMPDIR"/s[0-9]*-[ab]
	for nth in $(seq $sets); do
		for v in a b; do mount_shadow "$nth" "$v"; done
		last_counter "$BATS_TEST_TMPDIR/s$nth-a/counter"
		assert_equal "$LAST" "${got_a[nth]}"
		last_counter "$BATS_TEST_TMPDIR/s$nth-b/counter"
		assert_equal "$LAST" "${got_b[nth]}"
	done
	vss list sets --json
	run jq -r '[.sets[] | .state] | unique | join(",")' <<<"$output"
	assert_output valid
}

# Each variant runs once per tests/run (VSS_TEST_BUILD, from tests/run's
# suite): a minute and a half each in the guest, and what they prove - the
# one instant of a set's shadows - is the kernel's and the window's order,
# the same code in either build. The page cache variant (the freeze must
# flush) in the plain build's run (with udev, as on a real system), the
# fsync one against the ASan/UBSan build (without udev): each run still
# checks one cut of every set. A run by hand runs both.
@test "consistency: every set's shadows are one cut of a counter written to A then B (page cache)" {
	one_build plain "the page cache variant (the fsync variant runs here)"
	consistency cache
}

@test "consistency: every set's shadows are one cut of a counter written to A then B (fsync each line)" {
	one_build asan "the fsync variant (the page cache variant runs here)"
	consistency fsync
}
