#!/usr/bin/env bats
# scripts/file-deps on fake build trees of tiny C files whose calls are
# known: a loop of two engine files, each other file one floor up, calls
# against the program's layers and the engine's, and automake's object
# names (a dash in a file's own name too). Builds nothing of vss.

load ../lib/common

setup() {
	FILE_DEPS=$VSS_SRCDIR/scripts/file-deps
	S=$BATS_TEST_TMPDIR/src B=$BATS_TEST_TMPDIR/build
	mkdir -p "$S" "$B"
	# as automake writes it for a build next to its sources
	printf 'top_srcdir = ../src\n' >"$B/Makefile"
}

# unit SRC OBJ CODE: writes SRC in the sources, compiles it to OBJ in the build.
unit() {
	mkdir -p "$S/$(dirname "$1")" "$B/$(dirname "$2")"
	printf '%s\n' "$3" >"$S/$1"
	cc -c -o "$B/$2" "$S/$1"
}

# The loop engine/set/set-make.c <-> engine/set/ring.c; under it
# engine/base/base.c, above it tui/keys.c, then cli/main.c: four floors.
four_floors() {
	unit engine/base/base.c engine/base/libvss_a-base.o 'int base_count; void base(void) { base_count++; }'
	unit engine/set/ring.c engine/set/libvss_a-ring.o 'extern int base_count; void base(void); void set_make_x(void);
void ring(void) { if (base_count) set_make_x(); base(); }'
	unit engine/set/set-make.c engine/set/libvss_a-set-make.o 'void ring(void);
void set_make_x(void) {}
void set_make(void) { ring(); }'
	unit tui/keys.c tui/vss-keys.o 'void set_make(void); void tui_keys(void) { set_make(); }'
	unit cli/main.c cli/vss-main.o 'void tui_keys(void); int main(void) { tui_keys(); return 0; }'
}

@test "file-deps: the loops, the calls between cli/ and tui/, the floors, the layers and a deepest chain" {
	four_floors
	run --separate-stderr "$FILE_DEPS" "$B"
	assert_success
	assert_stderr ""
	assert_output - <<-EOF
		files: 5 (engine/ 3, config/ 0, cmd/ 0, cli/ 1, tui/ 1), dependencies between them: 5
		loops among all files:
		loop (2 files): engine/set/ring.c engine/set/set-make.c
		loops among engine/ files:
		loop (2 files): engine/set/ring.c engine/set/set-make.c
		loops among tui/ files: none
		loops between cli/ and tui/: none
		calls from cli/ to tui/ (1): cli/main.c -> tui/keys.c
		calls from tui/ to cli/ (0): none
		floors: 4
		deepest chain: cli/main.c -> tui/keys.c -> [engine/set/set-make.c .. engine/set/ring.c, loop of 2 files] -> engine/base/base.c
		layers: engine < config < cmd < cli, tui < .
		files in no layer (0): none
		calls to a higher layer (0): none
		calls across one layer (1): cli/main.c -> tui/keys.c
		layers of engine/: base < dm < records < providers, writers < set < recover < verbs
		files in no layer of engine/ (0): none
		calls to a higher layer of engine/ (0): none
		calls across one layer of engine/ (0): none
		floors of engine/: 2
		deepest chain of engine/: [engine/set/ring.c, loop of 2 files] -> engine/base/base.c
	EOF
}

@test "file-deps: calls to a higher layer, across one, and files in none; the engine's own layers" {
	unit main.c vss-main.o 'void cli_main(void); int main(void) { cli_main(); return 0; }'
	unit cli/main.c cli/vss-main.o 'void cmd_run(void); void cli_main(void) { cmd_run(); }'
	unit cmd/run.c cmd/vss-run.o 'void cli_main(void); void top(void); void cmd_run(void) { cli_main(); top(); }'
	unit tui/main.c tui/vss-main.o 'void cli_main(void); void tui_main(void) { cli_main(); }'
	unit engine/verbs/top.c engine/verbs/libvss_a-top.o 'void cow(void); void top(void) { cow(); }'
	unit engine/base/low.c engine/base/libvss_a-low.o 'void top(void); void low(void) { top(); }'
	unit engine/providers/cow/cow.c engine/providers/cow/libvss_a-cow.o 'void thin(void); void table(void); void cow(void) { thin(); table(); }'
	unit engine/providers/thin/thin.c engine/providers/thin/libvss_a-thin.o 'void thin(void) {}'
	unit engine/providers/table.c engine/providers/libvss_a-table.o 'void table(void) {}'
	unit engine/writers/w.c engine/writers/libvss_a-w.o 'void table(void); void w(void) { table(); }'
	unit engine/odd.c engine/libvss_a-odd.o 'void odd(void) {}'
	run --separate-stderr "$FILE_DEPS" "$B"
	assert_success
	assert_line "files in no layer (0): none"
	assert_line "calls to a higher layer (1): cmd/run.c -> cli/main.c"
	assert_line "calls across one layer (1): tui/main.c -> cli/main.c"
	assert_line "files in no layer of engine/ (1): engine/odd.c"
	assert_line "calls to a higher layer of engine/ (1): engine/base/low.c -> engine/verbs/top.c"
	assert_line "calls across one layer of engine/ (2): engine/providers/cow/cow.c -> engine/providers/thin/thin.c, engine/writers/w.c -> engine/providers/table.c"
}

@test "file-deps -g: each file and what it depends on" {
	four_floors
	run --separate-stderr "$FILE_DEPS" -g "$B"
	assert_success
	assert_equal "${lines[0]}" "cli/main.c: tui/keys.c"
	assert_equal "${lines[1]}" "engine/base/base.c:"
	assert_equal "${lines[2]}" "engine/set/ring.c: engine/base/base.c engine/set/set-make.c"
	assert_equal "${lines[3]}" "engine/set/set-make.c: engine/set/ring.c"
	assert_equal "${lines[4]}" "tui/keys.c: engine/set/set-make.c"
	assert_equal "${lines[5]}" "files: 5 (engine/ 3, config/ 0, cmd/ 0, cli/ 1, tui/ 1), dependencies between them: 5"
}

@test "file-deps: a loop between cli/ and tui/, and one among tui/ files" {
	unit cli/main.c cli/vss-main.o 'void tui_main(void); void cli_hint(void) {} int main(void) { tui_main(); return 0; }'
	unit tui/main.c tui/vss-main.o 'void cli_hint(void); void tui_keys(void); void tui_main(void) { cli_hint(); tui_keys(); }'
	unit tui/keys.c tui/vss-keys.o 'void tui_main(void); void tui_keys(void) { tui_main(); }'
	run --separate-stderr "$FILE_DEPS" "$B"
	assert_success
	assert_line "loops among engine/ files: none"
	assert_line "loops among tui/ files:"
	assert_line "loop (2 files): tui/keys.c tui/main.c"
	assert_line "loops between cli/ and tui/:"
	assert_line "loop (3 files): cli/main.c tui/keys.c tui/main.c"
	assert_line "calls from tui/ to cli/ (1): tui/main.c -> cli/main.c"
	assert_line "floors: 1"
	assert_line "deepest chain: [cli/main.c, loop of 3 files]"
}

@test "file-deps: objects of tests/ and of gone files are left out, the latter named" {
	four_floors
	unit tests/unit/test-base.c tests/unit/test-base.o 'void base(void); int main(void) { base(); return 0; }'
	unit engine/base/gone.c engine/base/libvss_a-gone.o 'void base(void); void gone(void) { base(); }'
	rm "$S/engine/base/gone.c"
	run --separate-stderr "$FILE_DEPS" "$B"
	assert_success
	assert_stderr "file-deps: engine/base/libvss_a-gone.o: no C file for it in $S (a stale object? left out)"
	assert_line "files: 5 (engine/ 3, config/ 0, cmd/ 0, cli/ 1, tui/ 1), dependencies between them: 5"
	assert_line "floors: 4"
}

@test "file-deps: usage errors and nothing to measure exit 2 with one line" {
	run --separate-stderr "$FILE_DEPS"
	assert_failure 2
	assert_stderr "usage: scripts/file-deps [-g] BUILD_DIR"
	run --separate-stderr "$FILE_DEPS" "$B" "$B"
	assert_failure 2
	assert_stderr "usage: scripts/file-deps [-g] BUILD_DIR"
	run --separate-stderr "$FILE_DEPS" -x "$B"
	assert_failure 2
	assert_stderr "file-deps: -x: no such option (usage: scripts/file-deps [-g] BUILD_DIR)"
	run --separate-stderr "$FILE_DEPS" "$BATS_TEST_TMPDIR/nope"
	assert_failure 2
	assert_stderr "file-deps: $BATS_TEST_TMPDIR/nope: no such build directory"
	run --separate-stderr "$FILE_DEPS" "$B/Makefile"
	assert_failure 2
	assert_stderr "file-deps: $B/Makefile: not a directory"
	run --separate-stderr "$FILE_DEPS" "$B"
	assert_failure 2
	assert_stderr "file-deps: $B: no object files in engine/ config/ cmd/ cli/ tui/ or at its top (not built?)"
	assert_output ""
}

@test "file-deps on this build: no loop among engine/ or tui/ files, no call between cli/ and tui/, none up or across a layer" {
	B=$(dirname "$VSS")
	[ -f "$B/engine/base/libvss_a-ctx.o" ] || skip "$B holds no object of vss's engine (VSS is not a build's)"
	run --separate-stderr "$FILE_DEPS" "$B"
	assert_success
	assert_line "loops among engine/ files: none"
	assert_line "loops among tui/ files: none"
	assert_line "loops between cli/ and tui/: none"
	assert_line "calls from cli/ to tui/ (0): none"
	assert_line "calls from tui/ to cli/ (0): none"
	assert_line "files in no layer (0): none"
	assert_line "calls to a higher layer (0): none"
	assert_line "calls across one layer (0): none"
	assert_line "files in no layer of engine/ (0): none"
	assert_line "calls to a higher layer of engine/ (0): none"
	assert_line "calls across one layer of engine/ (0): none"
}

@test "only engine/dm/dm.c talks to libdevmapper: it alone includes libdevmapper.h, and its object alone calls dm_ functions" {
	B=$(dirname "$VSS")
	[ -f "$B/engine/dm/libvss_a-dm.o" ] || skip "$B holds no object of vss's engine (VSS is not a build's)"
	run grep -rl --include='*.[ch]' 'libdevmapper\.h' "$VSS_SRCDIR/engine" "$VSS_SRCDIR/cmd" "$VSS_SRCDIR/cli" "$VSS_SRCDIR/tui" "$VSS_SRCDIR/config" "$VSS_SRCDIR/main.c"
	assert_success
	assert_output "$VSS_SRCDIR/engine/dm/dm.c"
	# every object of the program that needs a libdevmapper symbol (dm_*);
	# one whose source is gone (a build dir reused across a move) is left out
	run bash -c 'cd "$1" && find engine cmd cli tui config -name "*.o" -print0 | xargs -0 nm -A -u |
		awk "\$NF ~ /^dm_/ { sub(/:.*/, \"\", \$1); print \$1 }" | sort -u |
		while read -r o; do
			f=${o##*/} f=${f#*-}
			[ ! -f "$2/${o%/*}/${f%.o}.c" ] || echo "$o"
		done' _ "$B" "$VSS_SRCDIR"
	assert_success
	assert_output "engine/dm/libvss_a-dm.o"
}
