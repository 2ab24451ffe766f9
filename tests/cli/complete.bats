#!/usr/bin/env bats
# Completion without device-mapper: the DEVICE operands of volume import
# and storage add (the free block devices of this machine, as the test
# lists them itself; never a regular file), short options, the bash
# function's words with ':' in them, and Tab at vsstui's prompts.

load ../lib/common
load ../lib/tmux

setup() {
	export VSS_STATE_DIR=$BATS_TEST_TMPDIR/state VSS_RUN_DIR=$BATS_TEST_TMPDIR/run
	export VSS_CONFIG=$BATS_TEST_TMPDIR/vss.conf HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME" "$VSS_STATE_DIR"
	printf '[writer alpha]\ncommand = /bin/true\ntimeout = 60\n[writer beta]\ncommand = /bin/true\ntimeout = 60\n' >"$VSS_CONFIG"
	chmod 0644 "$VSS_CONFIG"
	# A directory of every kind of entry: a regular file, a directory.
	D=$BATS_TEST_TMPDIR/d
	mkdir -p "$D/sub"
	: >"$D/img"
	LOOP='' MNT=''
}

teardown() {
	tmux_stop
	[ -z "$MNT" ] || umount "$MNT" 2>/dev/null || true
	[ -z "$LOOP" ] || losetup -d "$LOOP" 2>/dev/null || true
}

# majmin PATH: the device's number, as sysfs names it ("7:0").
majmin() {
	local d
	d=$(stat -L -c '%t:%T' "$1") || return 1
	echo "$((16#${d%:*})):$((16#${d#*:}))"
}

# held MAJ:MIN: mounted, swap, under a holder, or a disk with such a partition.
held() {
	local sys=/sys/dev/block/$1 p s
	findmnt -rn -o MAJ:MIN | grep -qx "$1" && return 0
	while read -r s _; do
		[ -b "$s" ] && [ "$(majmin "$s")" = "$1" ] && return 0
	done < <(tail -n +2 /proc/swaps)
	[ -d "$sys" ] || return 1
	[ -z "$(ls -A "$sys/holders" 2>/dev/null)" ] || return 0
	for p in "$sys"/*/partition; do
		[ -e "$p" ] && held "$(cat "${p%/partition}/dev")" && return 0
	done
	return 1
}

# free_devices PREFIX: what vss should offer for a DEVICE, found here by
# the test: the block device nodes of /dev and the links of /dev/mapper,
# each device once (a dm device by its /dev/mapper name), beginning with
# PREFIX; left out are the empty ones (size 0: a loop device with nothing
# attached), the read-only, vss's own (dm uuid VSS-...) and those held.
free_devices() {
	local f d sys seen=' '
	for f in /dev/mapper/* /dev/*; do
		[ -b "$f" ] || continue
		[[ $f == /dev/mapper/* ]] || [ ! -L "$f" ] || continue
		d=$(majmin "$f") || continue
		[[ $seen != *" $d "* ]] || continue
		seen+="$d "
		[[ $f == "$1"* ]] || continue
		sys=/sys/dev/block/$d
		if [ -d "$sys" ]; then
			[ "$(cat "$sys/size")" != 0 ] || continue
			[ "$(cat "$sys/ro")" != 1 ] || continue
			[[ $(cat "$sys/dm/uuid" 2>/dev/null) != VSS-* ]] || continue
		fi
		held "$d" || echo "$f"
	done | LC_ALL=C sort
}

# offers_devices PREFIX WORD...: `vss __complete WORD...` prints exactly
# free_devices PREFIX. Other suites may make and remove devices meanwhile:
# the comparison counts only when the list was the same before and after.
offers_devices() {
	local prefix=$1 before after
	shift
	for _ in 1 2 3 4 5; do
		before=$(free_devices "$prefix")
		run "$VSS" __complete "$@"
		after=$(free_devices "$prefix")
		[ "$before" = "$after" ] && break
	done
	assert_success
	assert_equal "$output" "$before"
}

# attach_loop: a loop device of 8 MiB with ext4 on it, in $LOOP.
attach_loop() {
	[ "$(id -u)" = 0 ] || skip "needs root to attach a loop device"
	truncate -s 8M "$BATS_TEST_TMPDIR/loop.img"
	mkfs.ext4 -q "$BATS_TEST_TMPDIR/loop.img" 2>/dev/null || skip "no mkfs.ext4"
	LOOP=$(losetup -f --show "$BATS_TEST_TMPDIR/loop.img" 2>/dev/null) || skip "cannot attach a loop device here"
}

@test "volume import's DEVICE and storage add's: the free block devices, as listed here; NAME: nothing" {
	offers_devices /dev/ 2 volume import /dev/
	offers_devices /dev/l 2 volume import /dev/l
	offers_devices /dev/mapper/ 2 volume import /dev/mapper/
	offers_devices /dev/ 2 storage add /dev/
	offers_devices /dev/ 3 storage add -- /dev/
	offers_devices /dev/ 4 volume import --thin 1G /dev/
	# A short option's value is no operand.
	offers_devices /dev/ 4 storage add -m 1G /dev/
	run "$VSS" __complete 3 storage add -m /dev/
	assert_output ""
	# volume import DEVICE NAME: the name is new.
	run "$VSS" __complete 3 volume import /dev/sdb ""
	assert_output ""
	# Past what the devices begin with, a path; never a character device.
	run "$VSS" __complete 2 volume import /dev/nul
	assert_output ""
}

@test "a regular file of the current directory is never a DEVICE; a word begun with / or . completes as a path" {
	cd "$D"
	# An empty word: the devices, or, where there is none, directories.
	expected=$(free_devices "")
	[ -n "$expected" ] || expected=sub/
	run "$VSS" __complete 2 volume import ""
	assert_output "$expected"
	run "$VSS" __complete 2 storage add ""
	assert_output "$expected"
	run "$VSS" __complete 2 volume import i
	assert_output ""
	run "$VSS" __complete 2 volume import ./
	assert_output ./sub/
	run "$VSS" __complete 2 storage add "$D/"
	assert_output "$D/sub/"
	# The other commands that take a path still take files.
	run "$VSS" __complete 1 check-config ./i
	assert_output ./img
}

@test "a loop device with something attached is offered; mounted, it is not; detached, it is not" {
	attach_loop
	run "$VSS" __complete 2 volume import "$LOOP"
	assert_output "$LOOP"
	offers_devices /dev/ 2 volume import /dev/
	assert_line "$LOOP"
	# A path of one's own to it is followed, as /dev/disk/by-id's are.
	ln -s "$LOOP" "$D/disk"
	run "$VSS" __complete 2 volume import "$D/"
	assert_output "$D/disk
$D/sub/"
	MNT=$BATS_TEST_TMPDIR/mnt
	mkdir -p "$MNT"
	mount "$LOOP" "$MNT" 2>/dev/null || skip "cannot mount here"
	run "$VSS" __complete 2 volume import "$LOOP"
	assert_output ""
	run "$VSS" __complete 2 storage add "$D/"
	assert_output "$D/sub/"
	umount "$MNT"
	MNT=
	run "$VSS" __complete 2 volume import "$LOOP"
	assert_output "$LOOP"
	losetup -d "$LOOP"
	run "$VSS" __complete 2 volume import "$LOOP"
	LOOP=
	assert_output ""
}

# complete_line WORDS: the bash function's answer for the line
# `$VSS WORDS`, the cursor at its end, COMP_WORDS cut as bash cuts them at
# COMP_WORDBREAKS.
complete_line() {
	run bash -c '
		source "$1/completion/vss.bash"
		COMP_LINE="$2 $3" COMP_POINT=$((${#2} + 1 + ${#3}))
		# bash: blanks part the words, and each of : = is a word of its own.
		read -ra COMP_WORDS <<<"$(sed -e "s/\([:=]\)/ \1 /g" <<<"$COMP_LINE")"
		[[ $3 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_vss
		printf "%s\n" "${COMPREPLY[@]}"' _ "$VSS_SRCDIR" "$VSS" "$1"
	assert_success
}

@test "the bash function: a word with ':' in it (/dev/disk/by-path/pci-0000:00:...) is one word to vss" {
	mkdir -p "$D/by-path/pci-0000:00:1f.2-ata-1"
	# bash puts back only what follows the last ':'.
	complete_line "storage add $D/by-path/pci-0000:00"
	assert_output "00:1f.2-ata-1/"
	complete_line "storage add $D/by-path/pci-0000:"
	assert_output "00:1f.2-ata-1/"
	complete_line "writer verify "
	assert_output "alpha
beta"
	complete_line "create-set --writers al"
	assert_output "all
alpha"
}

# tui_start: vsstui in tmux, its screen drawn.
tui_start() {
	T=$BATS_TEST_TMPDIR/vsstui
	ln -sf "$VSS" "$T"
	tmux_start "$T"
	wait_last '^ F1 help'
}

@test "vsstui: ':' asks for a vss command; Tab completes its words as the shell does, and lists them when it cannot choose" {
	tui_start
	keys :
	wait_last '^vss>$'
	keys cre Tab
	wait_last '^vss> create-set$'
	keys --con Tab
	wait_last '^vss> create-set --context$'
	keys a Tab
	wait_last '^vss> create-set --context auto-release$'
	keys C-u 'writer verify ' Tab
	wait_screen '^alpha +beta *$'
	wait_last '^vss> writer verify$'
	keys b Tab
	wait_last '^vss> writer verify beta$'
	run screen
	refute_line --regexp '^alpha +beta'
	keys Enter
	wait_screen 'vss writer verify beta: done$'
	# What a job cannot do is said, and nothing runs.
	keys : 'list writers' Enter
	wait_last '^ list writers: it only prints, and the dashboard shows no output; use vss list writers$'
	keys : 'set' Enter
	wait_last '^ set: a command of the shell or of a script'
	keys : 'monitor' Enter
	wait_last '^ monitor: it runs until stopped; here, monitor --once'
	keys : 'lsit' Enter
	wait_last '^ lsit: unknown command'
	# A command that asks on a terminal is asked here (its job has none):
	# no runs nothing; yes runs it with --yes.
	keys : 'volume remove nosuch' Enter
	wait_last "^Run 'volume remove nosuch'\\? What it deletes or overwrites is lost"
	keys n
	wait_last '^ not done$'
	# Esc cancels.
	keys : 'writer verify' Escape
	wait_last '^ F1 help'
	run screen
	assert_equal "$(grep -c 'running: vss' <<<"$output")" 1
	keys q
	wait_screen '^EXITED 0$'
}

@test "vsstui: c's questions complete the volumes and the writers as create-set's" {
	tui_start
	keys c
	wait_last '^Create a set of volumes:'
	keys C-u Enter
	wait_last '^Label'
	keys Enter
	wait_last '^Writers \(all, none or NAME,NAME\): all$'
	keys C-u a Tab
	wait_last '^Writers \(all, none or NAME,NAME\): al$'
	keys Tab
	wait_screen '^all +alpha *$'
	keys 'l,b' Tab
	wait_last '^Writers \(all, none or NAME,NAME\): all,beta$'
	keys Escape
	wait_last '^ create-set: cancelled$'
	# The label is free text: Tab adds nothing there.
	keys c Enter
	wait_last '^Label'
	keys Tab x
	wait_last '^Label \(empty: none\): x$'
	keys Escape
	wait_last '^ create-set: cancelled$'
	keys q
	wait_screen '^EXITED 0$'
}

@test "vsstui's help lists ':'" {
	tui_start
	keys '?'
	wait_screen '^ vsstui: keys'
	run screen
	assert_line --regexp '^  : +run a vss command typed whole \(Tab completes its words\)$'
}

@test "-o completes the listing's own columns: after a comma, in the case typed, none chosen twice; help first alone" {
	run "$VSS" __complete 3 list writers -o ""
	assert_success
	assert_equal "$output" "$("$VSS" list writers -o help | awk 'NR > 1 {print $1}' | LC_ALL=C sort; echo help)"
	run "$VSS" __complete 3 list writers -o NAME,T
	assert_output "NAME,TIMINGS
NAME,TYPE"
	run "$VSS" __complete 3 list writers --output name,type,n
	assert_output ""
	run "$VSS" __complete 3 list writers --output name,ty
	assert_output "name,type"
	run "$VSS" __complete 4 list sets -n -o +KE
	assert_output "+KEEP"
	# Each listing its own: show's are a shadow's.
	run "$VSS" __complete 2 show -o USE
	assert_output "USE%"
}
