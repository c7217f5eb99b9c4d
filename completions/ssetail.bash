# bash completion for ssetail                                  -*- shell-script -*-
# Installed as share/bash-completion/completions/ssetail (loaded on demand by bash-completion).

# The options of `ssetail --help`, one per line: its spellings, then its argument:
#   -     none (a flag)
#   file  a file name (completed)
#   word  anything else (nothing offered)
# Adding an option is adding its line here.
_ssetail_options='
-h --help             -
-V --version          -
-q --quiet            -
--linger              -
--no-summary          -
--sections            word
-p --port             word
-b --bind             word
--max-clients         word
--heartbeat           word
--title               word
--source-url          word
--source-root         file
--history             word
--history-bytes       word
--save                file
--record-max          word
--no-record           -
--view                file
--compare             file
--publish             word
--publish-ttl         word
--relay               word
--relay-idle          word
--token-file          file
--cors                word
--pty                 -
--cols                word
--rows                word
'

# The argument kind of option $1 (-, file or word); nothing if it is not one of ssetail's.
_ssetail_kind() {
  local name
  local -a fields
  while read -r -a fields; do
    [[ ${#fields[@]} -ge 2 ]] || continue
    for name in "${fields[@]:0:${#fields[@]}-1}"; do
      if [[ $name == "$1" ]]; then
        printf '%s\n' "${fields[-1]}"
        return
      fi
    done
  done <<<"$_ssetail_options"
}

_ssetail() {
  # COMP_WORDS as bash split it: `--opt=value` is three words, `--opt`, `=` and `value`.
  local cword=$COMP_CWORD
  local cur=${COMP_WORDS[cword]} prev=${COMP_WORDS[cword - 1]:-}
  local i word kind start=0
  COMPREPLY=()

  # COMMAND starts after `--`, or at the first word that is neither an option nor an
  # option's argument.
  for ((i = 1; i < cword; i++)); do
    word=${COMP_WORDS[i]}
    case $word in
      --)
        start=$((i + 1))
        break
        ;;
      -*)
        if [[ ${COMP_WORDS[i + 1]:-} == = ]]; then
          ((i += 2)) # --opt=value
        else
          kind=$(_ssetail_kind "$word")
          [[ $kind == file || $kind == word ]] && ((i++)) # --opt value
        fi
        ;;
      *)
        start=$i
        break
        ;;
    esac
  done

  if ((start > 0)); then
    if declare -F _command_offset >/dev/null; then
      _command_offset "$start" # bash-completion: COMMAND's own completion
    elif ((cword == start)); then
      mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
    else
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
    return 0
  fi

  # The argument of an option: `--opt value`, `--opt=value` or `--opt=`.
  local option=
  if [[ $cur == = && $prev == -* ]]; then
    option=$prev cur=
  elif [[ $prev == = && ${COMP_WORDS[cword - 2]:-} == -* ]]; then
    option=${COMP_WORDS[cword - 2]}
  elif [[ $prev == -* ]]; then
    option=$prev
  fi
  case $(_ssetail_kind "$option") in
    file)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return 0
      ;;
    word) return 0 ;;
  esac

  if [[ $cur == -* ]]; then
    local -a names=()
    local -a fields
    while read -r -a fields; do
      [[ ${#fields[@]} -ge 2 ]] && names+=("${fields[@]:0:${#fields[@]}-1}")
    done <<<"$_ssetail_options"
    mapfile -t COMPREPLY < <(compgen -W "-- ${names[*]}" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u) # COMMAND, without `--`
  fi
  return 0
}

complete -F _ssetail ssetail
