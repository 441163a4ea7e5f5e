# bash completion for sfn. Commands come from 'sfn --help' and each
# command's options from 'sfn COMMAND --help', so they never drift.
_sfn()
{
	local cur=${COMP_WORDS[COMP_CWORD]} cmd opts
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(sfn --help 2>/dev/null |
			awk '/^commands:/{f=1;next} f&&/^  [a-z]/{print $1} f&&/^$/{f=0}')
			--help --version" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}
	if [[ $cur == -* ]]; then
		# The usage lines, and each option line's own option: not an
		# option another command's text mentions.
		opts=$(sfn "$cmd" --help 2>/dev/null |
			awk 'NR==1,/^$/{print; next}
			match($0, /^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*/){print substr($0, RSTART, RLENGTH)}' |
			grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _sfn sfn
