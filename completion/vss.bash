# bash completion for vss: vss itself says what may come next (the same
# command table and completion as its shell).
_vss()
{
	local IFS=$'\n'

	COMPREPLY=($("${COMP_WORDS[0]}" __complete "$((COMP_CWORD - 1))" "${COMP_WORDS[@]:1}" 2>/dev/null))
	# A directory goes on being completed; anything else ends the word.
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]]; then
		compopt -o nospace 2>/dev/null
	fi
} &&
	complete -F _vss vss
