#!/usr/bin/env bash
# Builds the .deb of a configured build directory and checks it as a user would meet it:
#   bash tests/package/check_deb.sh BUILD_DIR
# cpack -G DEB, lintian (any E: or W: fails), then from the unpacked package: the binary's
# --version, the man page (man -l, groff -ww), the completions (present, valid syntax,
# the bash one offering exactly the options of --help), copyright and changelog.
# Installs lintian, dpkg-dev, man-db and groff-base when missing (as root, as in CI).
# Exits non-zero if any check fails.
set -uo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/CPackConfig.cmake" ]; then
  echo "usage: $0 BUILD_DIR   (a configured ssetail build directory)" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
source_dir=$(cd "$(dirname "$0")/../.." && pwd)

# --- tools ---------------------------------------------------------------------------------
missing=()
for p in lintian dpkg-dev man-db groff-base; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null || { echo "cannot install ${missing[*]}" >&2; exit 2; }
fi

failures=()
results=()
pass() { results+=("ok    $1"); }
fail() { results+=("FAIL  $1"); failures+=("$1"); echo "FAIL: $1" >&2; }

# --- the package ---------------------------------------------------------------------------
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
deb="$build/ssetail_${version}_$(dpkg --print-architecture).deb"
rm -f "$deb"
echo "== cmake --build $build --target ssetail && cpack -G DEB"
if cmake --build "$build" --target ssetail >/dev/null &&
  (cd "$build" && cpack -G DEB >cpack.log 2>&1) && [ -f "$deb" ]; then
  pass "cpack made $(basename "$deb")"
else
  fail "cpack did not make $(basename "$deb") (see $build/cpack.log)"
  cat "$build/cpack.log" 2>/dev/null >&2
  printf '%s\n' "${results[@]}"
  exit 1
fi

echo "== lintian"
lintian_out=$(lintian --display-info "$deb" 2>&1 | grep -v '^running with root privileges is not recommended!$')
[ -n "$lintian_out" ] && printf '%s\n' "$lintian_out"
bad=$(grep -c '^[EW]: ' <<<"$lintian_out")
if [ "$bad" -eq 0 ]; then
  pass "lintian: no error or warning"
else
  fail "lintian: $bad error or warning lines"
fi

depends=$(dpkg-deb -f "$deb" Depends)
if grep -q 'libc6' <<<"$depends"; then
  pass "Depends computed from the binary: $depends"
else
  fail "Depends lacks libc6 (dpkg-shlibdeps did not run?): '$depends'"
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"

# --- the binary ----------------------------------------------------------------------------
bin="$root/usr/bin/ssetail"
out=$("$bin" --version 2>&1)
if [[ $out =~ ^ssetail\ ${version//./\\.}\ \(commit\ ([0-9a-f]{4,}|unknown)\)$ ]]; then
  pass "usr/bin/ssetail --version: $out"
else
  fail "usr/bin/ssetail --version printed '$out', not 'ssetail $version (commit ...)'"
fi
if file -b "$bin" | grep -q ', stripped'; then
  pass "usr/bin/ssetail is stripped"
else
  fail "usr/bin/ssetail is not stripped: $(file -b "$bin")"
fi

# --- the man page --------------------------------------------------------------------------
page="$root/usr/share/man/man1/ssetail.1.gz"
if [ -f "$page" ]; then
  rendered=$(MANWIDTH=80 MANPAGER=cat PAGER=cat man -l "$page" 2>&1)
  warnings=$(zcat "$page" | groff -ww -z -man 2>&1)
  man_warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  if [ -n "$warnings$man_warnings" ]; then
    fail "man page warnings: $warnings $man_warnings"
  elif ! grep -q '^SSETAIL(1)' <<<"$rendered" || ! grep -q '^NAME' <<<"$rendered"; then
    fail "man -l does not render the page"
  else
    pass "man page renders with man -l, no groff -ww warning ($(wc -l <<<"$rendered") lines)"
  fi
  for section in SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' EVENTS 'HTTP INTERFACE' SECURITY \
    ENVIRONMENT EXAMPLES 'SEE ALSO'; do
    grep -q "^$section\$" <<<"$rendered" || fail "man page lacks the section $section"
  done
  # Every option of --help is in the man page.
  for option in $("$bin" --help | sed -n 's/^ *\(-[A-Za-z],\)\?\(--[a-z][a-z-]*\).*/\2/p'); do
    grep -q -- "$option" <<<"$rendered" || fail "man page lacks $option"
  done
else
  fail "no usr/share/man/man1/ssetail.1.gz"
fi

# --- completions ---------------------------------------------------------------------------
bash_completion="$root/usr/share/bash-completion/completions/ssetail"
zsh_completion="$root/usr/share/zsh/vendor-completions/_ssetail"
fish_completion="$root/usr/share/fish/vendor_completions.d/ssetail.fish"
for file in "$bash_completion" "$zsh_completion" "$fish_completion"; do
  [ -f "$file" ] || fail "no ${file#"$root"/}"
done
if [ -f "$bash_completion" ] && bash -n "$bash_completion"; then
  # What `ssetail --<TAB>` offers must be exactly the long options of --help.
  offered=$(bash -c 'source "$1"; COMP_WORDS=(ssetail --); COMP_CWORD=1; _ssetail
                     printf "%s\n" "${COMPREPLY[@]}"' _ "$bash_completion" | grep -vx -- '--' | sort)
  documented=$("$bin" --help | sed -n 's/^ *\(-[A-Za-z],\)\?\(--[a-z][a-z-]*\).*/\2/p' | sort)
  after_dashes=$(bash -c 'source "$1"; COMP_WORDS=(ssetail -p 0 -- ech); COMP_CWORD=4; _ssetail
                          printf "%s\n" "${COMPREPLY[@]}"' _ "$bash_completion")
  if [ "$offered" != "$documented" ]; then
    fail "bash completion offers other options than --help: $(diff <(echo "$documented") \
      <(echo "$offered") | grep '^[<>]' | tr '\n' ' ')"
  elif ! grep -qx echo <<<"$after_dashes"; then
    fail "bash completion does not complete a command after --"
  else
    pass "bash completion: the $(wc -l <<<"$offered") long options of --help; commands after --"
  fi
else
  fail "bash completion: syntax error"
fi
if command -v zsh >/dev/null; then
  zsh -n "$zsh_completion" && pass "zsh completion: zsh -n" || fail "zsh completion: zsh -n"
fi
if command -v fish >/dev/null; then
  fish -n "$fish_completion" && pass "fish completion: fish -n" || fail "fish completion: fish -n"
fi

# --- documentation -------------------------------------------------------------------------
doc="$root/usr/share/doc/ssetail"
for file in copyright changelog.gz README.md LICENSE; do
  [ -f "$doc/$file" ] || fail "no usr/share/doc/ssetail/$file"
done
if [ -f "$doc/copyright" ] &&
  head -1 "$doc/copyright" | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/'; then
  pass "usr/share/doc/ssetail: copyright (DEP-5), changelog.gz, README.md, LICENSE"
else
  fail "usr/share/doc/ssetail/copyright is not in the DEP-5 format"
fi
cmp -s "$doc/LICENSE" "$source_dir/LICENSE" || fail "usr/share/doc/ssetail/LICENSE differs from LICENSE"

# --- summary -------------------------------------------------------------------------------
echo "== $(basename "$deb"): $(dpkg-deb -f "$deb" Installed-Size) KiB installed"
dpkg-deb -c "$deb" | awk '{print "   " $6}' | grep -v '/$'
printf '%s\n' "${results[@]}"
if [ ${#failures[@]} -gt 0 ]; then
  echo "${#failures[@]} check(s) failed"
  exit 1
fi
echo "all checks passed"
