#!/usr/bin/env bats
# man/vss.8 stays true to the command table.

load ../lib/common

# The command words of the table, from `vss help` (words before the arguments).
table_commands() {
	"$VSS" help | awk '/^Commands:/ {on = 1; next} on && /^$/ {exit}
		on && /^  [^ ]/ { sub(/^  /, ""); sub(/  .*/, "")
			w = ""; for (i = 1; i <= NF; i++) { if ($i !~ /^[a-z-]+$/) break; w = w (w ? " " : "") $i } print w }'
}

# The commands documented as ".It Cm WORDS ..." in the COMMANDS section.
man_commands() {
	awk '/^\.Sh COMMANDS/ {on = 1; next} /^\.Sh / {on = 0}
		on && /^\.It Cm / { w = ""; for (i = 3; i <= NF; i++) { if ($i ~ /^(Ar|Op|Fl|Oo|Ns|Cm)$/ || $i !~ /^[a-z-]+$/) break; w = w (w ? " " : "") $i } print w }' \
		"$VSS_SRCDIR/man/vss.8"
}

@test "the command table is not empty" {
	run table_commands
	assert_success
	assert_line "volume import"
}

@test "every command of the table is documented in vss(8)" {
	missing=$(comm -23 <(table_commands | sort -u) <(man_commands | sort -u))
	assert_equal "$missing" ""
}

@test "every command documented in vss(8) exists" {
	extra=$(comm -13 <(table_commands | sort -u) <(man_commands | sort -u))
	assert_equal "$extra" ""
}

@test "vss(8) is valid mdoc" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	run mandoc -Tlint -Wwarning "$VSS_SRCDIR/man/vss.8"
	assert_success
	assert_output ""
}

@test "the exit codes of vss(8) are the code's (cli/cli.h), no more, no fewer" {
	code=$(sed -n 's/^[[:space:]]*VSS_EXIT_[A-Z]* = \([0-9]*\),.*/\1/p' "$VSS_SRCDIR/cli/cli.h" | sort -n)
	[ -n "$code" ] || fail "no VSS_EXIT_ values found in cli/cli.h"
	man=$(awk '/^\.Sh EXIT STATUS/ {on = 1; next} /^\.Sh / {on = 0}
		on && /^\.It / { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) { print $i; break } }' \
		"$VSS_SRCDIR/man/vss.8" | sort -n)
	assert_equal "$man" "$code"
}
