#!/usr/bin/env bats
# The listings' conventions, as lsblk's (issue 18): list sets, list
# shadows, show, list volumes and storage list with -o COLUMNS (+COLUMNS
# adds), -n, -r, -b and -J, every table checked whole against what the
# test made; JSON keys exactly (a shadow carries its set's id and label,
# and no null padding); SET operands; -o help and unknown columns. Then
# monitor --once's exit 6, prune with no rule, the questions delete-set
# and prune ask on a terminal (through tmux), and the short options.

load lib
load sets-lib
load ../lib/tmux

teardown() {
	tmux_stop
	harness_teardown
}

# conf LINE...: vss.conf for this test ([vss] first), mode 0644.
conf() {
	export VSS_CONFIG=$BATS_TEST_TMPDIR/vss.conf
	printf '%s\n' "[vss]" "$@" >"$VSS_CONFIG"
	chmod 0644 "$VSS_CONFIG"
}

# scols_table [-n] SPECS ROW...: the table libsmartcols prints (to a pipe,
# not a terminal) for the columns SPECS, each NAME:HINT:l|r (HINT the
# column's absolute width hint in cmd/, 0 for a relative one; l or r its
# alignment), and the ROWs, each its cells separated by |, empty for none;
# -n: without the heading line. A column is as wide as its heading when
# every cell is narrower, else as its widest cell or HINT if that is more
# (libsmartcols' count_column_width); one space between columns; the last
# column is not padded, unless right-aligned and not empty.
scols_table() {
	local heading=1 i r most spec
	local -a specs names hints aligns widths cells
	if [ "$1" = -n ]; then heading=0; shift; fi
	read -r -a specs <<<"$1"
	shift
	for i in "${!specs[@]}"; do
		# (From the right: a name may hold a colon, as MAJ:MIN does.)
		spec=${specs[i]}
		aligns[i]=${spec##*:}
		spec=${spec%:*}
		hints[i]=${spec##*:}
		names[i]=${spec%:*}
		most=0
		for r in "$@"; do
			cells=()
			IFS='|' read -r -a cells <<<"$r"
			[ "${#cells[i]}" -gt "$most" ] && most=${#cells[i]}
		done
		widths[i]=${#names[i]}
		if [ "$most" -ge "${widths[i]}" ]; then
			widths[i]=$most
			[ "${hints[i]}" -gt "$most" ] && widths[i]=${hints[i]}
		fi
	done
	if [ "$heading" = 1 ]; then
		cells=("${names[@]}")
		_scols_line
	fi
	for r in "$@"; do
		cells=()
		IFS='|' read -r -a cells <<<"$r"
		_scols_line
	done
}

# _scols_line: scols_table's line of cells (its widths, aligns and cells).
_scols_line() {
	local i cell line='' last=$((${#widths[@]} - 1))
	for i in "${!widths[@]}"; do
		[ "$i" = 0 ] || line+=" "
		if [ "$i" = "$last" ] && { [ "${aligns[i]}" = l ] || [ -z "${cells[i]:-}" ]; }; then
			cell=${cells[i]:-}
		elif [ "${aligns[i]}" = r ]; then
			printf -v cell '%*s' "${widths[i]}" "${cells[i]:-}"
		else
			printf -v cell '%-*s' "${widths[i]}" "${cells[i]:-}"
		fi
		line+=$cell
	done
	printf '%s\n' "$line"
}

# raw_rows ROW...: the rows as -r prints them: cells one space apart, a
# space in a cell written \x20.
raw_rows() {
	local r
	for r in "$@"; do
		r=${r// /\\x20}
		printf '%s\n' "${r//|/ }"
	done
}

# local_time ISO: an ISO 8601 UTC time of the JSON as the tables print it.
local_time() {
	date -d "$1" '+%Y-%m-%d %H:%M:%S'
}

# cow_used SET VOLNAME: the bytes the shadow's COW holds, from the kernel.
cow_used() {
	dmsetup status "vss-${1:0:8}-${PFX}$2" | awk '{split($4, a, "/"); print a[1] * 512}'
}

# use_pct SET VOLNAME: that use as USE% prints it.
use_pct() {
	local used size
	used=$(cow_used "$1" "$2")
	size=$(blockdev --getsize64 "/dev/mapper/vss-${1:0:8}-${PFX}$2-cow")
	awk -v u="$used" -v s="$size" 'BEGIN { printf "%.1f%%\n", 100 * u / s }'
}

# json_keys JSON ARRAY: the keys of each object of .ARRAY, one line each.
json_keys() {
	jq -r --arg a "$2" '.[$a][] | keys | join(",")' <<<"$1"
}

# usage_of COMMAND: the usage line vss prints after a usage error.
usage_of() {
	local args
	case $1 in
	"list volumes") args="[--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] [VOLUME...]" ;;
	"list sets" | "list shadows") args="[--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] [SET...]" ;;
	show) args="[--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] SET" ;;
	*) args="[--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json]" ;;
	esac
	echo "Usage: vss $1 $args"
}

# two_sets: volumes a (16M) and b (8M); set S1 of both, labelled
# ${PFX}one, with 2M of COW each; set S2 of b alone, no label, 1M.
two_sets() {
	mkvol a 16
	mkvol b 8
	new_set --label "${PFX}one" --cow-size 2M "${PFX}a" "${PFX}b"
	S1=$SET
	new_set --cow-size 1M "${PFX}b"
	S2=$SET
	# The shortest prefix of S2's id that S1's does not share.
	local k=1
	while [ "${S1:0:k}" = "${S2:0:k}" ]; do k=$((k + 1)); done
	P2=${S2:0:k}
}

# screen_joined: the pane's text, a line wrapped at the pane's edge joined,
# no blanks at the end of a line, no blank lines at the end.
screen_joined() {
	tmux -L "$TMUX_SOCK" capture-pane -p -J | sed -e 's/[[:space:]]*$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# on_terminal COMMAND...: vss COMMAND in a new tmux pane (a terminal on
# stdin and stderr); the one before it, if any, stopped first.
on_terminal() {
	tmux_stop
	tmux_start "$VSS" "$@"
}

# asked REGEX: the pane shows the question (wrapped lines joined).
asked() {
	_wait_for screen_joined "$1" "$WAIT_DEFAULT" || fail "never asked /$1/:
$(screen_joined)"
}

# exited CODE: the command in the pane ended with CODE.
exited() {
	wait_screen '^EXITED [0-9]+$'
	screen | grep -qx "EXITED $1" || fail "not EXITED $1:
$(screen_joined)"
}

@test "list sets: the default table whole, -o, -o +COL, -n, -r, -b, -J's keys; SET operands by label and id prefix" {
	two_sets
	vss list sets --json
	assert_success
	json=$output
	c1=$(local_time "$(jq -r --arg s "$S1" '.sets[] | select(.id == $s) | .created' <<<"$json")")
	c2=$(local_time "$(jq -r --arg s "$S2" '.sets[] | select(.id == $s) | .created' <<<"$json")")
	row1="${S1:0:8}|$c1|${PFX}one|persistent|${PFX}a,${PFX}b|valid"
	row2="${S2:0:8}|$c2|-|persistent|${PFX}b|valid"
	cols="SET:8:l CREATED:19:l LABEL:0:l CONTEXT:12:l VOLUMES:0:l STATE:7:l"

	vss list sets
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(scols_table "$cols" "$row1" "$row2")"
	assert_line --index 0 --regexp "^SET +CREATED +LABEL +CONTEXT +VOLUMES +STATE\$"
	vss list sets -n
	assert_success
	assert_output "$(scols_table -n "$cols" "$row1" "$row2")"
	vss list sets --noheadings
	assert_output "$(scols_table -n "$cols" "$row1" "$row2")"
	vss list sets -r
	assert_success
	assert_output "$(raw_rows "SET|CREATED|LABEL|CONTEXT|VOLUMES|STATE" "$row1" "$row2")"
	vss list sets --raw --noheadings
	assert_output "$(raw_rows "$row1" "$row2")"

	# -o: these columns, in this order. COW-SIZE, COW-USED: the shadows' together.
	used1=$(($(cow_used "$S1" a) + $(cow_used "$S1" b))) used2=$(cow_used "$S2" b)
	vss list sets -o ID,SHADOWS,COW-SIZE,COW-USED
	assert_success
	assert_output "$(scols_table "ID:36:l SHADOWS:3:r COW-SIZE:8:r COW-USED:8:r" \
		"$S1|2|4M|$(human_size "$used1")" "$S2|1|1M|$(human_size "$used2")")"
	vss list sets --output id,cow-size,cow-used --bytes --raw
	assert_success
	assert_output "$(printf 'ID COW-SIZE COW-USED\n%s %s %s\n%s %s %s' \
		"$S1" $((4 * 1048576)) "$used1" "$S2" 1048576 "$used2")"
	# +: the default, then these.
	vss list sets -o +SHADOWS,COW-SIZE
	assert_success
	assert_output "$(scols_table "$cols SHADOWS:3:r COW-SIZE:8:r" "$row1|2|4M" "$row2|1|1M")"

	# JSON: the keys of a set exactly, volumes an array, sizes in bytes.
	assert_equal "$(json_keys "$json" sets)" "context,created,freeze-us,id,label,state,volumes
context,created,freeze-us,id,label,state,volumes"
	run jq -c '.sets[] | [.id, .label, .context, .volumes, .state]' <<<"$json"
	assert_output "[\"$S1\",\"${PFX}one\",\"persistent\",[\"${PFX}a\",\"${PFX}b\"],\"valid\"]
[\"$S2\",null,\"persistent\",[\"${PFX}b\"],\"valid\"]"
	vss list sets -J -o SET,COW-SIZE
	assert_success
	assert_equal "$(jq -c . <<<"$output")" "{\"sets\":[{\"set\":\"$S1\",\"cow-size\":$((4 << 20))},{\"set\":\"$S2\",\"cow-size\":$((1 << 20))}]}"
	# -b changes nothing in JSON (bytes already).
	vss list sets -J -b
	assert_success
	assert_equal "$output" "$json"

	# SET operands: by label, by a unique prefix of the id, both (in the
	# order named), the full id; an unknown one is refused.
	vss list sets -n -r -o ID "${PFX}one"
	assert_success
	assert_output "$S1"
	vss list sets -n -r -o ID "$P2"
	assert_output "$S2"
	vss list sets -n -r -o ID "$P2" "${PFX}one"
	assert_output "$S2
$S1"
	vss list sets "$S1"
	assert_output "$(scols_table "$cols" "$row1")"
	vss list sets -J "${PFX}one"
	assert_equal "$(jq -r '[.sets[].id] | join(" ")' <<<"$output")" "$S1"
	before=$(fp)
	vss list sets "${PFX}one" zzz
	assert_failure 1
	assert_output ""
	assert_stderr "vss: list sets: zzz: no such shadow copy set"
	assert_equal "$(fp)" "$before"

	# With retention rules, KEEP: the default table and JSON gain it, -o
	# chooses without it. A third set, of a: S1 is then the newest of
	# neither volume, and keep_last = 1 keeps it no more.
	new_set --cow-size 1M "${PFX}a"
	S3=$SET
	conf "keep_last = 1"
	vss list sets -J
	assert_success
	json=$output
	assert_equal "$(json_keys "$json" sets | sort -u)" "context,created,freeze-us,id,keep,label,state,volumes"
	run jq -r '.sets[] | [.id, .keep] | join(" ")' <<<"$json"
	assert_output "$S1 prune
$S2 last
$S3 last"
	c3=$(local_time "$(jq -r --arg s "$S3" '.sets[] | select(.id == $s) | .created' <<<"$json")")
	vss list sets
	assert_success
	assert_output "$(scols_table "$cols KEEP:7:l" "$row1|prune" "$row2|last" "${S3:0:8}|$c3|-|persistent|${PFX}a|valid|last")"
	# Judged over every set, as prune judges, whichever are shown.
	vss list sets -n -r -o SET,KEEP "$S1"
	assert_output "${S1:0:8} prune"
	vss list sets "${PFX}one" "$S3"
	assert_output "$(scols_table "$cols KEEP:7:l" "$row1|prune" "${S3:0:8}|$c3|-|persistent|${PFX}a|valid|last")"
	vss list sets -o SET,STATE
	assert_output "$(scols_table "SET:8:l STATE:7:l" "${S1:0:8}|valid" "${S2:0:8}|valid" "${S3:0:8}|valid")"
}

@test "list shadows: one row a shadow, the default table whole, -o, -o +COL, -n, -r, -b; -J objects exactly, no set keys but set and label; SET operands" {
	mkvol a 16
	mkvol b 8
	mkfs.ext4 -q -F "${VOLDEV[a]}"
	new_set --label "${PFX}one" --cow-size 2M "${PFX}a" "${PFX}b"
	S1=$SET
	new_set --cow-size 1M "${PFX}b"
	S2=$SET
	k=1
	while [ "${S1:0:k}" = "${S2:0:k}" ]; do k=$((k + 1)); done
	mp=$BATS_TEST_TMPDIR/mp
	mkdir "$mp"
	vss expose "$S1/${PFX}a" "$mp"
	[ "$status" = 0 ] || fail "expose: $stderr"
	mountpoint -q "$mp" || fail "nothing mounted on $mp"
	d1a=$(shadow "$S1" a) d1b=$(shadow "$S1" b) d2b=$(shadow "$S2" b)
	row1a="${S1:0:8}|${PFX}a|$d1a|2M|$(use_pct "$S1" a)|valid|$mp"
	row1b="${S1:0:8}|${PFX}b|$d1b|2M|$(use_pct "$S1" b)|valid|"
	row2b="${S2:0:8}|${PFX}b|$d2b|1M|$(use_pct "$S2" b)|valid|"
	cols="SET:8:l VOLUME:0:l DEVICE:0:l COW-SIZE:8:r USE%:6:r STATE:7:l MOUNTPOINT:0:l"

	vss list shadows
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(scols_table "$cols" "$row1a" "$row1b" "$row2b")"
	assert_line --index 0 --regexp '^SET +VOLUME +DEVICE +COW-SIZE +USE% +STATE +MOUNTPOINT$'
	vss list shadows -n
	assert_output "$(scols_table -n "$cols" "$row1a" "$row1b" "$row2b")"
	vss list shadows -r
	assert_success
	assert_output "$(raw_rows "SET|VOLUME|DEVICE|COW-SIZE|USE%|STATE|MOUNTPOINT" "$row1a" "$row1b" "$row2b")"
	vss list shadows -r -n
	assert_output "$(raw_rows "$row1a" "$row1b" "$row2b")"

	# Sizes in bytes: each shadow's is its device's, the COW's its -cow device's.
	size_a=$(blockdev --getsize64 "$d1a") size_b=$(blockdev --getsize64 "$d1b")
	assert_equal "$size_a" "$(blockdev --getsize64 "${VOLDEV[a]}")"
	assert_equal "$(blockdev --getsize64 "/dev/mapper/vss-${S1:0:8}-${PFX}a-cow")" $((2 << 20))
	assert_equal "$(blockdev --getsize64 "/dev/mapper/vss-${S2:0:8}-${PFX}b-cow")" $((1 << 20))
	vss list shadows -o VOLUME,SIZE,COW-SIZE,COW-USED -b
	assert_success
	assert_output "$(scols_table "VOLUME:0:l SIZE:6:r COW-SIZE:8:r COW-USED:8:r" \
		"${PFX}a|$size_a|$((2 << 20))|$(cow_used "$S1" a)" \
		"${PFX}b|$size_b|$((2 << 20))|$(cow_used "$S1" b)" \
		"${PFX}b|$(blockdev --getsize64 "$d2b")|$((1 << 20))|$(cow_used "$S2" b)")"
	vss list shadows -o VOLUME,SIZE
	assert_output "$(scols_table "VOLUME:0:l SIZE:6:r" "${PFX}a|$(human_size "$size_a")" \
		"${PFX}b|$(human_size "$size_b")" "${PFX}b|$(human_size "$size_b")")"
	vss list shadows --output +ORIGIN,PROVIDER,LABEL
	assert_success
	assert_output "$(scols_table "$cols ORIGIN:0:l PROVIDER:5:l LABEL:0:l" \
		"$row1a|${VOLDEV[a]}|cow|${PFX}one" "$row1b|${VOLDEV[b]}|cow|${PFX}one" "$row2b|${VOLDEV[b]}|cow|-")"

	# JSON: one object a shadow, each exactly (its keys in this order, and
	# nothing of its set but the full id and the label).
	vss list shadows --json
	assert_success
	json=$output
	obj() { # SET LABEL VOLNAME DEVICE MOUNTPOINT
		local cs
		cs=$(blockdev --getsize64 "/dev/mapper/vss-${1:0:8}-${PFX}$3-cow")
		printf '{"set":"%s","label":%s,"volume":"%s","device":"%s","origin":"%s","provider":"cow","size":%s,"cow-size":%s,"cow-used":%s,"state":"valid","why":null,"mountpoint":%s}\n' \
			"$1" "$2" "${PFX}$3" "$4" "${VOLDEV[$3]}" "$(blockdev --getsize64 "$4")" "$cs" "$(cow_used "$1" "$3")" "$5"
	}
	want1=$(obj "$S1" "\"${PFX}one\"" a "$d1a" "\"$mp\""; obj "$S1" "\"${PFX}one\"" b "$d1b" null)
	want2=$(obj "$S2" null b "$d2b" null)
	run jq -c '.shadows[]' <<<"$json"
	assert_output "$want1
$want2"
	run json_keys "$json" shadows
	for i in 0 1 2; do
		assert_line --index $i "cow-size,cow-used,device,label,mountpoint,origin,provider,set,size,state,volume,why"
	done
	assert_equal "${#lines[@]}" 3
	run jq -r 'keys | join(",")' <<<"$json"
	assert_output shadows
	vss list shadows -J -o SET,VOLUME,USE%
	assert_success
	# USE% in JSON: a number, no sign.
	run jq -c '.shadows[] | [.set, .volume, (."use%" | type)]' <<<"$output"
	assert_output "[\"$S1\",\"${PFX}a\",\"number\"]
[\"$S1\",\"${PFX}b\",\"number\"]
[\"$S2\",\"${PFX}b\",\"number\"]"

	# SET operands: by label, by id prefix, both.
	vss list shadows -J "${PFX}one"
	assert_success
	run jq -c '.shadows[]' <<<"$output"
	assert_output "$want1"
	vss list shadows -J "${S2:0:k}"
	run jq -c '.shadows[]' <<<"$output"
	assert_output "$want2"
	vss list shadows -n -r -o SET,VOLUME "${S2:0:k}" "${PFX}one"
	assert_output "${S2:0:8} ${PFX}b
${S1:0:8} ${PFX}a
${S1:0:8} ${PFX}b"
	vss list shadows "${PFX}one"
	assert_output "$(scols_table "$cols" "$row1a" "$row1b")"
	before=$(fp)
	vss list shadows nosuchset
	assert_failure 1
	assert_output ""
	assert_stderr "vss: list shadows: nosuchset: no such shadow copy set"
	assert_equal "$(fp)" "$before"
	vss unexpose "$S1"
	assert_success
}

@test "show: the page and its shadow table whole; -o, -o +COL; -n, -r print only the rows; -b; -J is list shadows SET --json" {
	two_sets
	vss list sets -J "$S1"
	fus=$(jq -r '.sets[0]["freeze-us"]' <<<"$output")
	page="Set:           $S1
Label:         ${PFX}one
Context:       persistent
Created:       $(date -d "$(jq -r '.sets[0].created' <<<"$output")" '+%Y-%m-%d %H:%M:%S %Z')
Freeze window: $(awk -v u="$fus" 'BEGIN { printf "%.1f", u / 1000 }') ms"
	d1a=$(shadow "$S1" a) d1b=$(shadow "$S1" b)
	rowa="${PFX}a|$d1a|2M|$(use_pct "$S1" a)|valid|"
	rowb="${PFX}b|$d1b|2M|$(use_pct "$S1" b)|valid|"
	cols="VOLUME:0:l DEVICE:0:l COW-SIZE:8:r USE%:6:r STATE:7:l MOUNTPOINT:0:l"

	vss show "$S1"
	assert_success
	assert_equal "$stderr" ""
	assert_output "$page
$(scols_table "$cols" "$rowa" "$rowb")"
	assert_line --index 5 --regexp '^VOLUME +DEVICE +COW-SIZE +USE% +STATE +MOUNTPOINT$'
	vss show -o VOLUME,STATE "${PFX}one"
	assert_success
	assert_output "$page
$(scols_table "VOLUME:0:l STATE:7:l" "${PFX}a|valid" "${PFX}b|valid")"
	vss show "$S1" -o +SIZE,SET
	assert_success
	size_a=$(blockdev --getsize64 "$d1a") size_b=$(blockdev --getsize64 "$d1b")
	assert_output "$page
$(scols_table "$cols SIZE:6:r SET:8:l" "$rowa|$(human_size "$size_a")|${S1:0:8}" "$rowb|$(human_size "$size_b")|${S1:0:8}")"
	# For programs: the rows alone.
	vss show -n "$S1"
	assert_success
	assert_output "$(scols_table -n "$cols" "$rowa" "$rowb")"
	vss show -r "$S1"
	assert_output "$(raw_rows "VOLUME|DEVICE|COW-SIZE|USE%|STATE|MOUNTPOINT" "$rowa" "$rowb")"
	vss show -r -b -o VOLUME,SIZE,COW-SIZE "$S1"
	assert_output "$(printf 'VOLUME SIZE COW-SIZE\n%s %s %s\n%s %s %s' \
		"${PFX}a" "$size_a" 2097152 "${PFX}b" "$size_b" 2097152)"
	vss show -J "$S1"
	assert_success
	shown=$output
	vss list shadows -J "$S1"
	assert_equal "$shown" "$output"
	run jq -c '[.shadows[] | [.set, .label, .volume, .device, .size]]' <<<"$shown"
	assert_output "[[\"$S1\",\"${PFX}one\",\"${PFX}a\",\"$d1a\",$size_a],[\"$S1\",\"${PFX}one\",\"${PFX}b\",\"$d1b\",$size_b]]"
	assert_equal "$(json_keys "$shown" shadows | sort -u)" "cow-size,cow-used,device,label,mountpoint,origin,provider,set,size,state,volume,why"
	vss show --json "$P2"
	run jq -c '[.shadows[] | [.set, .label, .volume]]' <<<"$output"
	assert_output "[[\"$S2\",null,\"${PFX}b\"]]"
	# show takes one set.
	before=$(fp)
	vss show -o VOLUME "$S1" "$S2"
	assert_failure 2
	assert_output ""
	assert_equal "${stderr_lines[0]}" "vss: show: one set at a time"
	assert_equal "$(fp)" "$before"
}

@test "list volumes: the default table whole, -o, -o +COL, -n, -r, -b (each size the device's), -J's keys" {
	mkvol a 16
	mkvol b 8
	mkfs_mount a
	uuid=$(blkid -p -o value -s UUID "${VOLDEV[a]}")
	[ -n "$uuid" ] || fail "no UUID on ${VOLDEV[a]}"
	size_a=$(blockdev --getsize64 "${VOLDEV[a]}") size_b=$(blockdev --getsize64 "${VOLDEV[b]}")
	assert_equal "$size_a" $((16 << 20))
	rowa="${PFX}a|${VOLDEV[a]}|$(human_size "$size_a")|ext4|$uuid|${MNT[a]}|yes|${BACKING[a]}"
	rowb="${PFX}b|${VOLDEV[b]}|$(human_size "$size_b")||||yes|${BACKING[b]}"
	cols="NAME:0:l DEVICE:0:l SIZE:5:r FSTYPE:0:l UUID:36:l MOUNTPOINT:0:l MANAGED:3:l BACKING:0:l"

	vss list volumes "${PFX}a" "${PFX}b"
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(scols_table "$cols" "$rowa" "$rowb")"
	assert_line --index 0 --regexp '^NAME +DEVICE +SIZE +FSTYPE +UUID +MOUNTPOINT +MANAGED +BACKING$'
	# Without operands: the same heading, and these rows among the others.
	vss list volumes
	assert_success
	assert_line --index 0 --regexp '^NAME +DEVICE +SIZE +FSTYPE +UUID +MOUNTPOINT +MANAGED +BACKING$'
	vss list volumes -n -r
	assert_success
	assert_line "$(raw_rows "$rowa")"
	assert_line "$(raw_rows "$rowb")"
	vss list volumes -n "${PFX}b" "${PFX}a"
	assert_output "$(scols_table -n "$cols" "$rowb" "$rowa")"
	vss list volumes -r "${PFX}a" "${PFX}b"
	assert_output "$(raw_rows "NAME|DEVICE|SIZE|FSTYPE|UUID|MOUNTPOINT|MANAGED|BACKING" "$rowa" "$rowb")"
	vss list volumes -o NAME,SIZE -b "${PFX}a" "${PFX}b"
	assert_output "$(scols_table "NAME:0:l SIZE:5:r" "${PFX}a|$size_a" "${PFX}b|$size_b")"
	vss list volumes --output=+MAJ:MIN,DM-UUID "${PFX}a" "${PFX}b"
	assert_success
	assert_output "$(scols_table "$cols MAJ:MIN:6:l DM-UUID:0:l" \
		"$rowa|$(majmin_of "${VOLDEV[a]}")|$(dmsetup info -c --noheadings -o uuid "${PFX}a")" \
		"$rowb|$(majmin_of "${VOLDEV[b]}")|$(dmsetup info -c --noheadings -o uuid "${PFX}b")")"

	vss list volumes -J "${PFX}a" "${PFX}b"
	assert_success
	assert_equal "$(json_keys "$output" volumes)" "active,backing,device,fstype,managed,mountpoint,name,size,uuid
active,backing,device,fstype,managed,mountpoint,name,size,uuid"
	run jq -c '.volumes[]' <<<"$output"
	assert_output "{\"name\":\"${PFX}a\",\"device\":\"${VOLDEV[a]}\",\"size\":$size_a,\"fstype\":\"ext4\",\"uuid\":\"$uuid\",\"mountpoint\":\"${MNT[a]}\",\"managed\":true,\"backing\":\"${BACKING[a]}\",\"active\":true}
{\"name\":\"${PFX}b\",\"device\":\"${VOLDEV[b]}\",\"size\":$size_b,\"fstype\":null,\"uuid\":null,\"mountpoint\":null,\"managed\":true,\"backing\":\"${BACKING[b]}\",\"active\":true}"
	vss list volumes --json -o NAME,MAJ:MIN "${PFX}b"
	assert_equal "$(jq -c . <<<"$output")" "{\"volumes\":[{\"name\":\"${PFX}b\",\"maj:min\":\"$(majmin_of "${VOLDEV[b]}")\"}]}"
}

@test "storage list: the table whole with the policy footer; -o, -n, -r, -b, -J without it; list storage the same" {
	conf "storage_max = 32M"
	area=$VSS_STATE_DIR/storage
	cols="AREA:0:l TYPE:6:l SIZE:6:r USED:6:r FREE:6:r SHADOWS:6:r"
	# The default directory area alone; storage_max bounds its free space.
	vss storage list
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(scols_table "$cols" "$area|directory|-|0B|32M|0")

policy: storage_max 32M (0B used), on_full refuse, max_sets_per_volume 64"

	# A device area (-m: at most 8M of its 16M), which sets then use.
	dev=$(mkloop 16)
	vss storage add -m 8M "$dev"
	assert_success
	mkvol a 16
	new_set --cow-size 2M "${PFX}a"
	run dmsetup table "vss-$SET8-${PFX}a-cow"
	assert_output --regexp "^0 4096 linear $(majmin_of "$dev") [0-9]+\$"
	row="$dev|device|8M|2M|6M|1"
	footer="policy: storage_max 32M (2M used), on_full refuse, max_sets_per_volume 64"
	for cmd in "storage list" "list storage"; do
		# shellcheck disable=SC2086 # two words
		vss $cmd
		assert_success
		assert_output "$(scols_table "$cols" "$row")

$footer"
		assert_line --index 0 --regexp '^AREA +TYPE +SIZE +USED +FREE +SHADOWS$'
		# shellcheck disable=SC2086
		vss $cmd -n
		assert_success
		assert_output "$(scols_table -n "$cols" "$row")"
		# shellcheck disable=SC2086
		vss $cmd -r
		assert_output "$(raw_rows "AREA|TYPE|SIZE|USED|FREE|SHADOWS" "$row")"
		# shellcheck disable=SC2086
		vss $cmd -b -r -n
		assert_output "$dev device $((8 << 20)) $((2 << 20)) $((6 << 20)) 1"
		# shellcheck disable=SC2086
		vss $cmd -J
		assert_success
		assert_equal "$(jq -c . <<<"$output")" "{\"storage\":[{\"area\":\"$dev\",\"type\":\"device\",\"size\":$((8 << 20)),\"used\":$((2 << 20)),\"free\":$((6 << 20)),\"shadows\":1}]}"
		[[ $output != *policy* ]] || fail "JSON with the footer: $output"
	done
	# -o: the footer stays with a table for people.
	vss storage list -o AREA,FREE,USED
	assert_success
	assert_output "$(scols_table "AREA:0:l FREE:6:r USED:6:r" "$dev|6M|2M")

$footer"
	vss storage list -o TYPE -b
	assert_output "$(scols_table "TYPE:6:l" "device")

$footer"
	vss storage list -o +TYPE
	assert_output "$(scols_table "$cols TYPE:6:l" "$row|device")

$footer"
	vss storage list -o FREE -b -n
	assert_output "$((6 << 20))"
	before=$(fp)
	vss storage list "$dev"
	assert_failure 2
	assert_output ""
	assert_equal "${stderr_lines[0]}" "vss: storage list: unexpected argument '$dev'"
	assert_equal "$(fp)" "$before"
}

@test "-o help lists each listing's columns (exit 0); an unknown or empty column is exit 2 with its message, nothing printed, nothing changed" {
	mkvol a 8
	new_set "${PFX}a"
	declare -A columns=(
		["list volumes"]="NAME DEVICE MAJ:MIN SIZE FSTYPE UUID MOUNTPOINT MANAGED BACKING ACTIVE DM-UUID"
		["list sets"]="SET ID CREATED LABEL CONTEXT VOLUMES SHADOWS STATE FREEZE-US COW-SIZE COW-USED KEEP"
		["list shadows"]="SET LABEL CREATED VOLUME DEVICE ORIGIN PROVIDER SIZE COW-SIZE COW-USED USE% AREA STATE WHY MOUNTPOINT"
		[show]="SET LABEL CREATED VOLUME DEVICE ORIGIN PROVIDER SIZE COW-SIZE COW-USED USE% AREA STATE WHY MOUNTPOINT"
		["storage list"]="AREA TYPE SIZE USED FREE SHADOWS"
		["list storage"]="AREA TYPE SIZE USED FREE SHADOWS"
		["list writers"]="NAME TYPE ENABLED STATE EVENT SET CHANGED TIMINGS FAILED-EVENT FAILED-RETRYABLE FAILED-REASON FAILED-AT COMMAND LAST-FAILURE"
	)
	declare -A table=(["list volumes"]=volumes ["list sets"]=sets ["list shadows"]=shadows [show]=shadows
		["storage list"]=storage ["list storage"]=storage ["list writers"]=writers)
	before=$(fp)
	for cmd in "${!columns[@]}"; do
		read -r -a words <<<"$cmd"
		operand=()
		[ "$cmd" = show ] && operand=("$SET")
		vss "${words[@]}" -o help "${operand[@]}"
		[ "$status" = 0 ] || fail "$cmd -o help exited $status: $stderr"
		assert_equal "$stderr" ""
		assert_equal "${lines[0]}" "Columns of ${table[$cmd]} (-o NAME,NAME or -o +NAME to add to the default):"
		# Each column on a line of its own, with a word of help.
		assert_equal "$(sed 1d <<<"$output" | awk 'NF >= 2 {print $1}' | tr '\n' ' ')" "${columns[$cmd]} "
		vss "${words[@]}" --output help
		assert_success
		first=${columns[$cmd]%% *}
		for bad in BOGUS "$first,BOGUS" "+BOGUS"; do
			vss "${words[@]}" -o "$bad" "${operand[@]}"
			[ "$status" = 2 ] || fail "$cmd -o $bad exited $status"
			assert_output ""
			assert_equal "$stderr" "vss: $cmd: -o: unknown column 'BOGUS' (-o help lists them)
$(usage_of "$cmd")"
		done
		vss "${words[@]}" -J --output "$first,,BOGUS" "${operand[@]}"
		assert_failure 2
		assert_output ""
		assert_equal "${stderr_lines[0]}" "vss: $cmd: -o: an empty column name"
		vss "${words[@]}" -o "${operand[@]}"
		assert_failure 2
		assert_output ""
	done
	assert_equal "$(fp)" "$before"
}

@test "monitor --once: exit 0 while every shadow is valid; exit 6 naming each invalid one, with the count; 0 again once they are gone" {
	mkvol a 16
	mkvol b 16
	new_set --cow-size 1M "${PFX}a"
	bad1=$SET
	new_set "${PFX}b"
	good=$SET
	vss monitor --once
	assert_success
	assert_output ""
	assert_equal "$stderr" ""

	# 4M of new data over a: far more than its 1M of COW.
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=4 oflag=direct status=none
	run dmsetup status "vss-${bad1:0:8}-${PFX}a"
	assert_output --regexp ' Invalid$'
	inv="invalid: its COW storage overflowed (or failed): it no longer holds the data of its instant"
	before=$(fp)
	vss monitor --once
	assert_failure 6
	assert_output ""
	assert_stderr "vss: warning: set ${bad1:0:8}, shadow of ${PFX}a: $inv
vss: monitor: 1 shadow or pool needs attention (see the warnings above)"
	assert_equal "$(fp)" "$before"
	# Every look says it, not only the first.
	vss monitor --once
	assert_failure 6

	# Two: the count says so.
	new_set --cow-size 1M "${PFX}a"
	bad2=$SET
	dd if=/dev/urandom of="${VOLDEV[a]}" bs=1M count=4 seek=4 oflag=direct status=none
	vss monitor --once
	assert_failure 6
	assert_output ""
	assert_stderr "vss: warning: set ${bad1:0:8}, shadow of ${PFX}a: $inv
vss: warning: set ${bad2:0:8}, shadow of ${PFX}a: $inv
vss: monitor: 2 shadows or pools need attention (see the warnings above)"
	vss list shadows -n -r -o SET,STATE
	assert_output "${bad1:0:8} invalid
${good:0:8} valid
${bad2:0:8} invalid"

	vss delete-set "$bad1" "$bad2"
	assert_success
	vss monitor --once
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	run set_ids
	assert_output "$good"
}

@test "prune with no retention rule: exit 0, says so naming the configuration file, deletes nothing; -J prints no sets, -q nothing" {
	mkvol a 8
	new_set "${PFX}a"
	new_set "${PFX}a"
	# A configuration file without keep_*: it is the one named.
	conf "warn_at = 70%"
	before=$(fp)
	vss prune
	assert_success
	assert_output "nothing to prune: no retention rule (keep_* in $VSS_CONFIG, or --keep-last and the like)"
	assert_equal "$stderr" ""
	vss prune --yes
	assert_success
	assert_output "nothing to prune: no retention rule (keep_* in $VSS_CONFIG, or --keep-last and the like)"
	vss prune -J
	assert_success
	assert_equal "$(jq -c . <<<"$output")" '{"sets":[]}'
	vss -q prune
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(fp)" "$before"
	# No file at all: the default path is named.
	unset VSS_CONFIG
	vss prune --dry-run
	assert_success
	assert_output "nothing to prune: no retention rule (keep_* in /etc/vss/vss.conf, or --keep-last and the like)"
	assert_equal "$(fp)" "$before"
}

@test "delete-set on a terminal asks: no (or nothing) changes nothing, exit 1; y deletes; -y is not asked; --all names every set" {
	mkvol a 8
	new_set --label "${PFX}x" "${PFX}a"
	s1=$SET
	new_set "${PFX}a"
	s2=$SET
	before=$(fp)
	on_terminal delete-set "$s1"
	asked "^Delete 1 shadow copy set: ${s1:0:8} \(${PFX}x\)\? Their shadows are lost\. \[y/N\]\$"
	keys n Enter
	exited 1
	screen_joined | grep -qx "vss: delete-set: not confirmed; nothing changed" || fail "$(screen_joined)"
	assert_equal "$(fp)" "$before"

	# --all: every set named; Enter alone is no.
	on_terminal delete-set --all
	asked "^Delete 2 shadow copy sets: ${s1:0:8} \(${PFX}x\), ${s2:0:8}\? Their shadows are lost\. \[y/N\]\$"
	keys Enter
	exited 1
	screen_joined | grep -qx "vss: delete-set: not confirmed; nothing changed" || fail "$(screen_joined)"
	assert_equal "$(fp)" "$before"

	on_terminal delete-set "${PFX}x"
	asked "^Delete 1 shadow copy set: ${s1:0:8} \(${PFX}x\)\? Their shadows are lost\. \[y/N\]\$"
	keys y Enter
	exited 0
	screen_joined | grep -qx "deleted $s1" || fail "$(screen_joined)"
	run set_ids
	assert_output "$s2"

	# -y: not asked, on a terminal too.
	on_terminal delete-set -y "$s2"
	exited 0
	screen_joined | grep -qx "deleted $s2" || fail "$(screen_joined)"
	if screen_joined | grep -q 'y/N'; then fail "asked: $(screen_joined)"; fi
	run set_ids
	assert_output ""
}

@test "prune on a terminal asks (with -J too), naming the sets it would delete: no changes nothing; y deletes; -y, -n and nothing to prune are not asked" {
	mkvol a 8
	conf "keep_last = 1"
	new_set "${PFX}a"; s1=$SET
	new_set "${PFX}a"; s2=$SET
	new_set "${PFX}a"; s3=$SET
	before=$(fp)
	on_terminal prune
	asked "^Delete 2 shadow copy sets that the retention rules do not keep: ${s1:0:8}, ${s2:0:8}\? Their shadows are lost\. \[y/N\]\$"
	keys n Enter
	exited 1
	screen_joined | grep -qx "vss: prune: not confirmed; nothing changed" || fail "$(screen_joined)"
	assert_equal "$(fp)" "$before"

	# -J too: the question goes to the terminal, not into the JSON.
	on_terminal prune -J
	asked "^Delete 2 shadow copy sets that the retention rules do not keep: ${s1:0:8}, ${s2:0:8}\? Their shadows are lost\. \[y/N\]\$"
	keys n Enter
	exited 1
	screen_joined | grep -qx "vss: prune: not confirmed; nothing changed" || fail "$(screen_joined)"
	assert_equal "$(fp)" "$before"

	on_terminal prune --dry-run
	exited 0
	run screen_joined
	assert_line "would delete $s1"
	assert_line "would delete $s2"
	refute_output --partial 'y/N'
	assert_equal "$(fp)" "$before"

	on_terminal prune
	asked "^Delete 2 shadow copy sets that the retention rules do not keep: ${s1:0:8}, ${s2:0:8}\? Their shadows are lost\. \[y/N\]\$"
	keys y Enter
	exited 0
	screen_joined | grep -qx "deleted $s1" || fail "$(screen_joined)"
	screen_joined | grep -qx "deleted $s2" || fail "$(screen_joined)"
	run set_ids
	assert_output "$s3"

	# Nothing to prune: said, not asked.
	on_terminal prune
	exited 0
	run screen_joined
	assert_line "nothing to prune: the retention rules keep every set"
	refute_output --partial 'y/N'

	new_set "${PFX}a"; s4=$SET
	on_terminal prune -y
	exited 0
	run screen_joined
	assert_line "deleted $s3"
	refute_output --partial 'y/N'
	run set_ids
	assert_output "$s4"
}

@test "short options: create-set -l -p -L -c -w -J make the set the long forms make (-J: its list sets row); delete-set -y -f -a; prune -y -n -J; monitor -i; volume import -T; storage add -m" {
	mkvol a 64
	mkfs.ext4 -q -F "${VOLDEV[a]}"
	vss create-set --label "${PFX}long" --provider cow --cow-size 8M --chunk-size 16K --writers none --json "${PFX}a"
	assert_success
	long_json=$output
	vss create-set -l "${PFX}short" -p cow -L 8M -c 16K -w none -J "${PFX}a"
	assert_success
	short_json=$output
	# -J prints the new set as list sets --json does: its row, keys exactly.
	long=$(jq -r '.sets[0].id' <<<"$long_json") short=$(jq -r '.sets[0].id' <<<"$short_json")
	[[ $long =~ ^$UUID_RE$ && $short =~ ^$UUID_RE$ && $long != "$short" ]] || fail "two sets? $long $short"
	assert_equal "$(json_keys "$short_json" sets)" "context,created,freeze-us,id,label,state,volumes"
	assert_equal "$(jq -c '.sets[] | [.label, .context, .volumes, .state]' <<<"$short_json")" "[\"${PFX}short\",\"persistent\",[\"${PFX}a\"],\"valid\"]"
	assert_equal "$(jq -c '.sets[] | [.label, .context, .volumes, .state]' <<<"$long_json")" "[\"${PFX}long\",\"persistent\",[\"${PFX}a\"],\"valid\"]"
	# As list sets then shows them.
	vss list sets -J "$long" "$short"
	assert_success
	assert_equal "$(jq -c '.sets[0]' <<<"$output")" "$(jq -c '.sets[0]' <<<"$long_json")"
	assert_equal "$(jq -c '.sets[1]' <<<"$output")" "$(jq -c '.sets[0]' <<<"$short_json")"
	# Their shadows: everything but the set's own id, label and device the same.
	vss list shadows -J "$long"
	long_sh=$output
	vss list shadows -J "$short"
	short_sh=$output
	assert_equal "$(jq -c '.shadows[] | [.label, .provider, ."cow-size", .state]' <<<"$short_sh")" "[\"${PFX}short\",\"cow\",$((8 << 20)),\"valid\"]"
	norm='.shadows | map(del(.set, .label, .device, ."cow-used"))'
	assert_equal "$(jq -c "$norm" <<<"$short_sh")" "$(jq -c "$norm" <<<"$long_sh")"
	for s in "$long" "$short"; do
		# 16K chunks (32 sectors) on an 8M COW.
		run dmsetup table "vss-${s:0:8}-${PFX}a"
		assert_output --regexp " P 32\$"
		assert_equal "$(blockdev --getsize64 "/dev/mapper/vss-${s:0:8}-${PFX}a-cow")" $((8 << 20))
	done

	# prune -n -J: the set that would go, as JSON; nothing changes.
	before=$(fp)
	vss prune -n -J --keep-last 1
	assert_success
	assert_equal "$(jq -r '[.sets[].id] | join(" ")' <<<"$output")" "$long"
	assert_equal "$(fp)" "$before"
	# monitor -i: its interval (only checked, with --once).
	vss monitor --once -i 2
	assert_success
	vss monitor --once -i 0
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "vss: monitor: --interval 0: must be a duration in seconds from 1 to 3600"
	assert_equal "$(fp)" "$before"

	# delete-set -a without -f: an exposed set stops the lot.
	mp=$BATS_TEST_TMPDIR/mp
	mkdir "$mp"
	vss expose "$short/${PFX}a" "$mp"
	[ "$status" = 0 ] || fail "expose: $stderr"
	before=$(fp)
	vss delete-set -y -a
	assert_failure 1
	assert_stderr "vss: delete-set: ${short:0:8}: exposed on $mp; unexpose it first or use --force"
	assert_equal "$(fp)" "$before"
	vss delete-set -y -f -a
	assert_success
	assert_line "deleted $long"
	assert_line "deleted $short"
	if mountpoint -q "$mp"; then fail "$mp is still mounted"; fi
	run set_ids
	assert_output ""

	# prune -y -J: deletes, and says which as JSON.
	new_set "${PFX}a"; p1=$SET
	new_set "${PFX}a"; p2=$SET
	vss prune -y -J --keep-last 1
	assert_success
	assert_equal "$(jq -r '[.sets[].id] | join(" ")' <<<"$output")" "$p1"
	run set_ids
	assert_output "$p2"

	# volume import -T: a thin volume of that size.
	pooldev=$(mkloop 64)
	vss volume import -T 16M "$pooldev" "${PFX}t"
	assert_success
	settle
	vss list volumes -n -r -b -o NAME,SIZE "${PFX}t"
	assert_output "${PFX}t $((16 << 20))"
	assert_equal "$(blockdev --getsize64 "/dev/mapper/${PFX}t")" $((16 << 20))
	run dmsetup table "${PFX}t"
	assert_output --regexp "^0 32768 thin "
	vss volume remove "${PFX}t"
	assert_success

	# storage add -m: at most that much of the device.
	dev=$(mkloop 32)
	vss storage add -m 8M "$dev"
	assert_success
	vss storage list -J
	assert_equal "$(jq -c --arg d "$dev" '.storage[] | select(.area == $d) | [.type, .size, .used]' <<<"$output")" "[\"device\",$((8 << 20)),0]"
}
