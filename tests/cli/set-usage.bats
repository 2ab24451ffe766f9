#!/usr/bin/env bats
# Usage errors of the set and storage commands: caught before the
# configuration is read, before root and device-mapper are checked, before
# the state directory is looked at. Each: exit 2, the message naming the
# option or operand and why, the command's usage line, nothing on stdout,
# nothing touched. Needs neither root nor device-mapper.

load ../lib/common

CREATE_USAGE='Usage: vss create-set [--label TEXT] [--context persistent|auto-release] [--provider auto|chain|cow|thin] [--cow-size SIZE|N%] [--chunk-size SIZE] [--writers NAME[,NAME...]|all|none] [--json] VOLUME...'
DELETE_USAGE='Usage: vss delete-set [--yes] [--force] SET... | --oldest | --older-than AGE | --all'
COW_WHY='not a size (512M, 2G)'
PCT_WHY='a percentage of the origin must be from 1% to 100%'
CHUNK_WHY='must be a power of two from 4K to 512K'

setup() {
	export VSS_STATE_DIR=$BATS_TEST_TMPDIR/state VSS_RUN_DIR=$BATS_TEST_TMPDIR/run
	mkdir -p "$VSS_STATE_DIR"
	unset VSS_LOCK_TIMEOUT
	# A configuration file that does not exist: a usage error must come
	# before it is read, or this would be the error reported.
	export VSS_CONFIG=$BATS_TEST_TMPDIR/never-read.conf
}

# untouched: the state directory is as empty as it was made; no run directory.
untouched() {
	assert_equal "$(find "$VSS_STATE_DIR" -mindepth 1)" ""
	[ ! -e "$VSS_RUN_DIR" ] || fail "$VSS_RUN_DIR was made"
	[ ! -e "$VSS_CONFIG" ] || fail "$VSS_CONFIG was made"
}

# usage_error MESSAGE USAGE ARGS...: vss ARGS exits 2 with exactly the two
# lines "vss: MESSAGE" and USAGE on stderr, prints nothing, touches nothing.
usage_error() {
	local msg=$1 usage=$2
	shift 2
	vss "$@"
	assert_equal "$status" 2
	assert_equal "$stderr" "vss: $msg"$'\n'"$usage"
	assert_output ""
	untouched
}

# one_line_error MESSAGE ARGS...: vss ARGS exits 2 with the one line
# "vss: MESSAGE" (no usage line: no command was found), prints nothing,
# touches nothing.
one_line_error() {
	local msg=$1
	shift
	vss "$@"
	assert_equal "$status" 2
	assert_stderr "vss: $msg"
	assert_output ""
	untouched
}

@test "create-set: no volume" {
	usage_error "create-set: no volume given" "$CREATE_USAGE" create-set
	usage_error "create-set: no volume given" "$CREATE_USAGE" create-set --json --cow-size 5%
}

@test "create-set: --cow-size values that are neither a size nor a percentage" {
	for v in abc -5 10XB '' 99999999999999999999; do
		usage_error "create-set: --cow-size $v: $COW_WHY" "$CREATE_USAGE" create-set --cow-size "$v" vol
	done
	usage_error "create-set: --cow-size 0: must be more than 0" "$CREATE_USAGE" create-set --cow-size 0 vol
	for v in 101% 0% 5%% 1.5%; do
		usage_error "create-set: --cow-size $v: $PCT_WHY" "$CREATE_USAGE" create-set --cow-size "$v" vol
	done
	# After the operand too: options may follow operands.
	usage_error "create-set: --cow-size 12Q: $COW_WHY" "$CREATE_USAGE" create-set vol --cow-size 12Q
	usage_error "create-set: option --cow-size needs a value" "$CREATE_USAGE" create-set vol --cow-size
}

@test "create-set: --chunk-size values that are not sizes, or not a power of two from 4K to 512K" {
	for v in abc 4KX -4K 1.K '' 99999999999999999999 0 3000 12K 2K 1M; do
		usage_error "create-set: --chunk-size $v: $CHUNK_WHY" "$CREATE_USAGE" create-set --chunk-size "$v" vol
	done
	usage_error "create-set: option --chunk-size needs a value" "$CREATE_USAGE" create-set vol --chunk-size
}

@test "create-set: --context other than persistent or auto-release" {
	for v in sometimes Persistent auto_release autorelease ''; do
		usage_error "create-set: --context $v: must be persistent or auto-release" "$CREATE_USAGE" \
			create-set --context "$v" vol
	done
	usage_error "create-set: option --context needs a value" "$CREATE_USAGE" create-set vol --context
}

@test "create-set: --label with a forbidden character, too long, empty" {
	usage_error "create-set: --label 'a/b': contains '/': use letters, digits, spaces and . _ + - : @ , =" \
		"$CREATE_USAGE" create-set --label a/b vol
	usage_error "create-set: --label 'x;y': contains ';': use letters, digits, spaces and . _ + - : @ , =" \
		"$CREATE_USAGE" create-set --label 'x;y' vol
	long=$(printf 'l%.0s' {1..129})
	usage_error "create-set: --label '$long': is longer than 128 characters" "$CREATE_USAGE" \
		create-set --label "$long" vol
	usage_error "create-set: --label ' x': begins or ends with a space" "$CREATE_USAGE" \
		create-set --label ' x' vol
	usage_error "create-set: --label '': is empty" "$CREATE_USAGE" create-set --label '' vol
	usage_error "create-set: option --label needs a value" "$CREATE_USAGE" create-set vol --label
}

@test "create-set: unknown options, a volume named twice" {
	usage_error "create-set: unknown option --frobnicate" "$CREATE_USAGE" create-set --frobnicate cow vol
	usage_error "create-set: --provider zfs: no such provider (there are auto, chain, cow and thin)" "$CREATE_USAGE" create-set --provider zfs vol
	usage_error "create-set: option --c is ambiguous: --context, --cow-size, --chunk-size" "$CREATE_USAGE" create-set --c x vol
	usage_error "create-set: unknown option -x" "$CREATE_USAGE" create-set -x vol
	one_line_error "create-set: vol: named twice" create-set vol other vol
	one_line_error "create-set: a b: invalid volume name: contains the byte 0x20: use only letters, digits and . _ + -" \
		create-set vol 'a b'
	one_line_error "create-set: vss-x: invalid volume name: begins with 'vss-', which vss keeps for its own devices" \
		create-set vss-x
}

@test "delete-set: no operand, and sets with a selector or two selectors" {
	usage_error "delete-set: no set given" "$DELETE_USAGE" delete-set
	usage_error "delete-set: no set given" "$DELETE_USAGE" delete-set --force
	why="delete-set: give sets, or one of --oldest, --older-than, --all"
	usage_error "$why" "$DELETE_USAGE" delete-set 1234abcd --all
	usage_error "$why" "$DELETE_USAGE" delete-set --all 1234abcd
	usage_error "$why" "$DELETE_USAGE" delete-set --oldest 1234abcd
	usage_error "$why" "$DELETE_USAGE" delete-set --older-than 7d 1234abcd
	usage_error "$why" "$DELETE_USAGE" delete-set --all --oldest
	usage_error "$why" "$DELETE_USAGE" delete-set --all --older-than 1h
}

@test "delete-set: --older-than values that are not ages, or beyond a century" {
	for v in abc 200y 7days 1.5d -1 '' d; do
		usage_error "delete-set: --older-than $v: not an age (90, 30m, 12h, 7d, 2w)" "$DELETE_USAGE" \
			delete-set --older-than "$v"
	done
	for v in 5218w 36526d 876601h 3155760001 99999999999999999999; do
		usage_error "delete-set: --older-than $v: more than a hundred years" "$DELETE_USAGE" \
			delete-set --older-than "$v"
	done
	for v in 0 0d 0w; do
		usage_error "delete-set: --older-than $v: must be more than 0 (every set: --all)" \
			"$DELETE_USAGE" delete-set --older-than "$v"
	done
	usage_error "delete-set: option --older-than needs a value" "$DELETE_USAGE" delete-set --older-than
}

@test "expose and unexpose: no operand, too many" {
	usage_error "expose: no set given" "Usage: vss expose SET[/VOLUME] [MOUNTPOINT]" expose
	usage_error "expose: too many arguments" "Usage: vss expose SET[/VOLUME] [MOUNTPOINT]" expose s /mnt/x /mnt/y
	usage_error "expose: unknown option --ro" "Usage: vss expose SET[/VOLUME] [MOUNTPOINT]" expose --ro s
	usage_error "expose: mnt/x: the mountpoint must be an absolute path" \
		"Usage: vss expose SET[/VOLUME] [MOUNTPOINT]" expose s mnt/x
	usage_error "expose: the mountpoint may not hold control characters" \
		"Usage: vss expose SET[/VOLUME] [MOUNTPOINT]" expose s $'/mnt/a\nb'
	usage_error "unexpose: no set given" "Usage: vss unexpose SET[/VOLUME]" unexpose
	usage_error "unexpose: too many arguments" "Usage: vss unexpose SET[/VOLUME]" unexpose s t
	usage_error "unexpose: unknown option --force" "Usage: vss unexpose SET[/VOLUME]" unexpose --force s
}

@test "storage add: no device, two, a --max that is not a size" {
	u="Usage: vss storage add [--max SIZE] DEVICE|DIRECTORY"
	usage_error "storage add: no device or directory given" "$u" storage add
	usage_error "storage add: no device or directory given" "$u" storage add --max 1G
	usage_error "storage add: one area at a time" "$u" storage add /dev/x /dev/y
	for v in abc -1 10XB 5% '' 99999999999999999999; do
		usage_error "storage add: --max $v: not a size" "$u" storage add --max "$v" /dev/x
	done
	usage_error "storage add: --max 0: must be more than 0" "$u" storage add --max 0 /dev/x
	usage_error "storage add: option --max needs a value" "$u" storage add /dev/x --max
}

@test "storage remove: no operand, two; storage: no subcommand, an unknown one" {
	usage_error "storage remove: no storage area given" "Usage: vss storage remove AREA" storage remove
	usage_error "storage remove: one area at a time" "Usage: vss storage remove AREA" storage remove /a /b
	usage_error "storage remove: unknown option --force" "Usage: vss storage remove AREA" storage remove --force /a
	one_line_error "storage: needs one of: add, remove, list" storage
	one_line_error "storage explode: unknown command; storage takes: add, remove, list" storage explode
	one_line_error "storage explode: unknown command; storage takes: add, remove, list" storage explode /dev/x
	usage_error "storage list: unexpected argument 'x'" "Usage: vss storage list [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json]" storage list x
}

@test "show: no set, two; list sets: an operand" {
	usage_error "show: no set given" "Usage: vss show [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] SET" show
	usage_error "show: no set given" "Usage: vss show [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] SET" show --json
	usage_error "show: one set at a time" "Usage: vss show [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] SET" show s t
	usage_error "list sets: -o: unknown column 'x' (-o help lists them)" "Usage: vss list sets [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] [SET...]" list sets -o x
	usage_error "list sets: -o: unknown column 'VOLUME' (-o help lists them)" "Usage: vss list sets [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] [SET...]" list sets --json -o +VOLUME
	usage_error "list sets: unknown option --all" "Usage: vss list sets [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] [SET...]" list sets --all
	usage_error "list shadows: unknown option -x" "Usage: vss list shadows [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json] [SET...]" list shadows -x
	usage_error "list storage: unexpected argument 'x'" "Usage: vss list storage [--output COLUMNS] [--noheadings] [--raw] [--bytes] [--json]" list storage x
}

@test "recover: an operand, an option" {
	usage_error "recover: unexpected argument 'now'" "Usage: vss recover" recover now
	usage_error "recover: unknown option --force" "Usage: vss recover" recover --force
}

@test "create-set: --writers that is not a list of names, or none alone, or given twice" {
	for v in "" , ",a" "a," "a,,b" "a,none" "none,a"; do
		usage_error "create-set: --writers $v: a list of writer names, or all or none alone" "$CREATE_USAGE" \
			create-set --writers "$v" vol
	done
	usage_error "create-set: --writers is given twice" "$CREATE_USAGE" create-set --writers a --writers b vol
	usage_error "create-set: --writers is given twice" "$CREATE_USAGE" create-set --writers none --writers none vol
}
