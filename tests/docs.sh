#!/usr/bin/env bash
# The documentation against the code, no systemd needed: the man pages are clean for groff and
# mandoc; every option of kwctl's and kwd's option tables is in their man page's OPTIONS (and
# kwctl's in its completion and --help); every verdict of verdict.c and every name of
# policy/limits.conf is in kwctl(1); the bash completion completes commands, options and their
# values (with bash-completion loaded and without it); kwctl --help is short and points at kwctl(1).
#   tests/docs.sh [BUILD_DIR]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
. "$top/tests/lib.sh"

kwctl1=$top/man/kwctl.1
kwd8=$top/man/kwd.8
completion=$top/completions/kwctl
commands='audit show stats submit'

# ---- the pages are clean ----

for page in "$kwctl1" "$kwd8"; do
        name=${page##*/}
        check "$name: groff -man -ww finds nothing" \
                '[ -z "$(groff -man -ww -z "$page" 2>&1)" ]' 'groff -man -ww -z "$page"'
        check "$name: mandoc -Tlint finds no warning" \
                '[ -z "$(mandoc -Tlint -W warning "$page" 2>&1)" ]' 'mandoc -Tlint -W warning "$page"'
        # An option cut by hyphenation at a line's end cannot be searched for or pasted.
        check "$name: rendered without hyphenation" \
                '! groff -man -Tutf8 -P-cbou "$page" 2>/dev/null | grep -q "‐$"' \
                'groff -man -Tutf8 -P-cbou "$page" 2>/dev/null | grep "‐$"'
done

# section PAGE NAME: the roff source of the page's section NAME (.SH or .SS), up to the next.
section() {
        awk -v name="$2" '/^\.S[HS] / { t = $0; sub(/^\.S[HS] +"?/, "", t); sub(/"$/, "", t); on = (t == name); next } on' "$1"
}
# tags PAGE NAME: the tag lines of that section's .TP paragraphs (the line after each .TP or .TQ).
tags() { section "$1" "$2" | awk 'after { print; after = 0 } /^\.T[PQ]/ { after = 1 }'; }
# has_option TEXT NAME: TEXT names --NAME (in roff, \-\-NAME), not just a longer option starting so.
has_option() { sed 's/\\-/-/g' <<<"$1" | grep -qE -- "--$2([^a-z0-9-]|\$)"; }

# options_of FILE: the long options of the getopt_long table in FILE's options[], one a line.
options_of() {
        awk '/options\[\] = \{/ { on = 1; next } on && /^[[:space:]]*\};/ { on = 0 } on' "$1" |
                sed -n 's/^[[:space:]]*{ *"\([a-z0-9-]*\)".*/\1/p'
}
# short_options_of FILE: the letters of getopt_long's short option string.
short_options_of() { sed -n 's/.*getopt_long([^"]*"\([^"]*\)".*/\1/p' "$1" | tr -d ':' | fold -w1; }

kwctl_options=$(options_of "$top/orchestrator/kwctl.c")
kwctl_short=$(short_options_of "$top/orchestrator/kwctl.c")
kwd_options=$(options_of "$top/orchestrator/kwd.c")
kwd_short=$(short_options_of "$top/orchestrator/kwd.c")
# Guards against a parser that finds nothing, and so checks nothing.
check "kwctl.c's option table read (at least --help, --policy, --json)" \
        'grep -qx help <<<"$kwctl_options" && grep -qx policy <<<"$kwctl_options" && grep -qx json <<<"$kwctl_options" && grep -qx h <<<"$kwctl_short"' \
        'echo "$kwctl_options" $kwctl_short'
check "kwd.c's option table read (at least --help, --policy, --redis-url-file)" \
        'grep -qx help <<<"$kwd_options" && grep -qx redis-url-file <<<"$kwd_options" && grep -qx h <<<"$kwd_short"' \
        'echo "$kwd_options" $kwd_short'

# ---- every option documented ----

kwctl_tags=$(tags "$kwctl1" OPTIONS)
kwd_tags=$(tags "$kwd8" OPTIONS)
missing=() missing_short=() missing_kwd=()
for o in $kwctl_options; do has_option "$kwctl_tags" "$o" || missing+=("--$o"); done
for o in $kwctl_short; do grep -qE -- "\\\\-$o([^a-z]|\$)" <<<"$kwctl_tags" || missing_short+=("-$o"); done
for o in $kwd_options; do has_option "$kwd_tags" "$o" || missing_kwd+=("--$o"); done
for o in $kwd_short; do grep -qE -- "\\\\-$o([^a-z]|\$)" <<<"$kwd_tags" || missing_kwd+=("-$o"); done
check "kwctl(1) OPTIONS: each of kwctl.c's $(wc -w <<<"$kwctl_options") long options" '[ ${#missing[@]} = 0 ]' \
        'echo "not in OPTIONS: ${missing[*]}"'
check "kwctl(1) OPTIONS: each short option ($(echo $kwctl_short))" '[ ${#missing_short[@]} = 0 ]' \
        'echo "not in OPTIONS: ${missing_short[*]}"'
check "kwd(8) OPTIONS: each of kwd.c's $(wc -w <<<"$kwd_options") options" '[ ${#missing_kwd[@]} = 0 ]' \
        'echo "not in OPTIONS: ${missing_kwd[*]}"'
synopsis=$(section "$kwctl1" SYNOPSIS) described=$(tags "$kwctl1" COMMANDS)
missing=()
for c in $commands; do grep -qw "$c" <<<"$synopsis" && grep -qw "$c" <<<"$described" || missing+=("$c"); done
check "kwctl(1): each command in SYNOPSIS and COMMANDS ($commands)" '[ ${#missing[@]} = 0 ]' 'echo "missing: ${missing[*]}"'

# ---- verdicts and limits ----

verdicts=$(sed -n 's/^[[:space:]]*\[VERDICT_[A-Z_]*\] = "\([a-z_]*\)",.*/\1/p' "$top/orchestrator/verdict.c")
n_verdicts=$(grep -c '^[[:space:]]*VERDICT_[A-Z_]*,' "$top/orchestrator/verdict.h")
check "verdict.c's names read: as many as verdict.h's enum ($n_verdicts)" \
        '[ "$(wc -w <<<"$verdicts")" = "$n_verdicts" ] && [ "$n_verdicts" -ge 10 ]' 'echo $verdicts'
verdict_tags=$(tags "$kwctl1" Verdicts)
missing=()
for v in $verdicts; do grep -qx "\.B $v" <<<"$verdict_tags" || missing+=("$v"); done
check "kwctl(1) Verdicts: each of verdict.c's $(wc -w <<<"$verdicts")" '[ ${#missing[@]} = 0 ]' 'echo "missing: ${missing[*]}"'

# KEY SECTION VALUE, one a line, of limits.conf.
limits=$(awk '/^\[/ { s = $1; gsub(/[][]/, "", s) } /^[a-z_]+ *=/ { v = $0; sub(/^[a-z_]+ *= */, "", v); sub(/ *#.*/, "", v);
        print $1, s, v }' "$top/policy/limits.conf")
check "limits.conf read: [run], [job] and [daemon] names" \
        'grep -q "^time_ms run [0-9]" <<<"$limits" && grep -q " job " <<<"$limits" && grep -q " daemon " <<<"$limits"' \
        'echo "$limits"'
policy_text=$(section "$kwctl1" "THE POLICY")
job_limits=$(section "$kwctl1" "THE JOB" | awk 'after { print; after = 0 } /^\.TP/ { after = 1 }')
missing=() wrong=() missing_job=()
while read -r key sect value; do
        grep -qx "\.BR\? $key\( .*\)\?" <<<"$policy_text" || { missing+=("$key"); continue; }
        # A value the policy ships is told as "(VALUE" on the line after the name.
        if [ "$sect" != daemon ] && [ "$key" != syscalls ]; then
                shipped=$(awk -v k="$key" 'found { print; exit } $0 == ".B " k { found = 1 }' <<<"$policy_text")
                [[ $shipped == "($value"[\),:]* ]] || wrong+=("$key: $value, told ${shipped:-nothing}")
        fi
        # What a job's "limits" may lower: [run]'s names but syscalls, each described in THE JOB.
        if [ "$sect" = run ] && [ "$key" != syscalls ]; then
                grep -qx "\.B $key" <<<"$job_limits" || missing_job+=("$key")
        fi
done <<<"$limits"
check "kwctl(1) THE POLICY: each of limits.conf's $(wc -l <<<"$limits") names" '[ ${#missing[@]} = 0 ]' \
        'echo "missing: ${missing[*]}"'
check "kwctl(1) THE POLICY: the shipped values of [run] and [job] as limits.conf has them" '[ ${#wrong[@]} = 0 ]' \
        'printf "%s\n" "${wrong[@]}"'
check "kwctl(1) THE JOB: each [run] limit a job may lower" '[ ${#missing_job[@]} = 0 ]' 'echo "missing: ${missing_job[*]}"'

# ---- the completion ----

languages=$(ls "$top/policy/languages" | sed -n 's/\.conf$//p' | sort | xargs)
# complete MODE LINE: what completing the end of LINE offers, sorted, on one line, in a bash without
# a startup file: MODE "bc" with bash-completion loaded, "plain" without. The words are split as
# readline splits them (at blanks, and around "=", as COMP_WORDBREAKS says). With POLICY_DIR set,
# $KW_POLICY_DIR is that; with LANGUAGE_DIRS (DIR:DIR...), the completion's directories of languages
# without --policy are those.
complete_line() {
        env -u KW_POLICY_DIR ${POLICY_DIR:+KW_POLICY_DIR=$POLICY_DIR} ${LANGUAGE_DIRS:+LANGUAGE_DIRS=$LANGUAGE_DIRS} \
                bash --norc --noprofile -c '
                mode=$1 line=$2 completion=$3
                [ "$mode" = bc ] && . /usr/share/bash-completion/bash_completion
                . "$completion"
                [ -n "${LANGUAGE_DIRS:-}" ] && IFS=: read -ra _kwctl_language_dirs <<<"$LANGUAGE_DIRS"
                COMP_LINE=$line COMP_POINT=${#line} COMP_WORDS=()
                for w in $line; do
                        if [[ $w == *=* ]]; then
                                COMP_WORDS+=("${w%%=*}" "=")
                                [[ -n ${w#*=} ]] && COMP_WORDS+=("${w#*=}")
                        else
                                COMP_WORDS+=("$w")
                        fi
                done
                [[ $line == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMPREPLY=()
                _kwctl kwctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
                printf "%s\n" "${COMPREPLY[@]}" | grep . | sort -u | xargs
        ' complete "$1" "$2" "$completion" 2>&1
}

# A policy of the operator's over the packaged one: /etc's go.conf adds a language, its empty
# java.conf and its rust.conf linked to /dev/null remove two.
mkdir -p "$work/etc-languages" "$work/usr-languages"
cp "$top"/policy/languages/*.conf "$work/usr-languages/"
echo '[language]' >"$work/etc-languages/go.conf"
: >"$work/etc-languages/java.conf"
ln -s /dev/null "$work/etc-languages/rust.conf"
overlaid=$( (ls "$top/policy/languages" | sed -n 's/\.conf$//p' | grep -vx 'java\|rust'; echo go) | sort | xargs)

cd "$top" || exit 1
for mode in bc plain; do
        [ "$mode" = bc ] && m="(with bash-completion)" || m="(without bash-completion)"
        check "completion $m: kwctl su<TAB> is submit" '[ "$(complete_line $mode "kwctl su")" = submit ]' \
                'complete_line $mode "kwctl su"'
        check "completion $m: kwctl <TAB> is the commands" '[ "$(complete_line $mode "kwctl ")" = "$commands" ]' \
                'complete_line $mode "kwctl "'
        check "completion $m: kwctl audit --ver<TAB> is --verdict" \
                '[ "$(complete_line $mode "kwctl audit --ver")" = --verdict ]' 'complete_line $mode "kwctl audit --ver"'
        check "completion $m: kwctl audit --verdict <TAB> is verdict.c's verdicts" \
                '[ "$(complete_line $mode "kwctl audit --verdict ")" = "$(xargs -n1 <<<"$verdicts" | sort | xargs)" ]' \
                'complete_line $mode "kwctl audit --verdict "'
        check "completion $m: kwctl audit --verdict=time<TAB> is time_limit_exceeded" \
                '[ "$(complete_line $mode "kwctl audit --verdict=time")" = time_limit_exceeded ]' \
                'complete_line $mode "kwctl audit --verdict=time"'
        check "completion $m: kwctl submit --json=<TAB> is pretty short" \
                '[ "$(complete_line $mode "kwctl submit --json=")" = "pretty short" ]' 'complete_line $mode "kwctl submit --json="'
        check "completion $m: kwctl stats --format=<TAB> is json openmetrics prometheus" \
                '[ "$(complete_line $mode "kwctl stats --format=")" = "json openmetrics prometheus" ]' \
                'complete_line $mode "kwctl stats --format="'
        check "completion $m: kwctl --policy policy audit --language <TAB> is policy/'s languages" \
                '[ "$(complete_line $mode "kwctl --policy policy audit --language ")" = "$languages" ]' \
                'complete_line $mode "kwctl --policy policy audit --language "'
        check "completion $m: kwctl --policy=policy/ audit --language=j<TAB> is java javascript" \
                '[ "$(complete_line $mode "kwctl --policy=policy/ audit --language=j")" = "java javascript" ]' \
                'complete_line $mode "kwctl --policy=policy/ audit --language=j"'
        check "completion $m: \$KW_POLICY_DIR's languages without --policy" \
                '[ "$(POLICY_DIR=$top/policy complete_line $mode "kwctl audit --language ")" = "$languages" ]' \
                'POLICY_DIR=$top/policy complete_line $mode "kwctl audit --language "'
        check "completion $m: without --policy, /etc/kw/languages over the packaged ones" \
                '[ "$(LANGUAGE_DIRS=$work/etc-languages:$work/usr-languages complete_line $mode "kwctl audit --language ")" = "$overlaid" ]' \
                'LANGUAGE_DIRS=$work/etc-languages:$work/usr-languages complete_line $mode "kwctl audit --language "'
        check "completion $m: kwctl submit examples/hello-py<TAB> is the job file" \
                '[ "$(complete_line $mode "kwctl submit examples/hello-py")" = examples/hello-python.json ]' \
                'complete_line $mode "kwctl submit examples/hello-py"'
        check "completion $m: kwctl submit <TAB> offers - and directories, not other files" \
                'c=$(complete_line $mode "kwctl submit "); [[ " $c " == *" - "* && " $c " == *" policy "* && " $c " != *" README.md "* ]]' \
                'complete_line $mode "kwctl submit "'
        check "completion $m: kwctl --policy po<TAB> is the directory policy" \
                '[ "$(complete_line $mode "kwctl --policy po")" = policy ]' 'complete_line $mode "kwctl --policy po"'
        # Every option of kwctl.c's table is offered for some command (or before one).
        offered=$(for c in "" submit stats audit show; do complete_line $mode "kwctl $c${c:+ }-"; done)
        missing=()
        for o in $kwctl_options; do has_option "$offered" "$o" || missing+=("--$o"); done
        for o in $kwctl_short; do grep -qE -- "(^| )-$o( |\$)" <<<"$offered" || missing+=("-$o"); done
        check "completion $m: each option of kwctl.c's table is offered" '[ ${#missing[@]} = 0 ]' \
                'echo "not offered: ${missing[*]}"'
done

# The same through readline itself: an interactive bash on a pty, where TAB completes the line typed
# and Enter runs it, kwctl being a function that prints its arguments. Waits for that line (or 20 s
# at most, a hang), not for a time.
readline_complete() {
        python3 - "$completion" "$@" <<'PY'
import os, pty, select, sys, time
completion, lines = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"],
               dict(os.environ, PS1="$ ", TERM="dumb", INPUTRC="/dev/null"))
setup = (". /usr/share/bash-completion/bash_completion; . '%s'; kwctl() { echo \"LINE<$*>\"; }\n" % completion)
os.write(fd, setup.encode())
out, deadline = b"", time.time() + 20
for line in lines:
    os.write(fd, line.encode() + b"\t\n")
for line in lines:
    while out.count(b"\nLINE<") < lines.index(line) + 1 and time.time() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
os.write(fd, b"exit\n")
for l in out.decode(errors="replace").splitlines():
    if l.startswith("LINE<"):
        print(l[5:-1].rstrip())
PY
}
typed=("kwctl su" "kwctl audit --verdict=time_l" "kwctl submit --js" "kwctl --policy pol" "kwctl stats --format=o"
       "kwctl submit examples/hello-py")
expected=$(printf '%s\n' "submit" "audit --verdict=time_limit_exceeded" "submit --json=" "--policy policy/" \
        "stats --format=openmetrics" "submit examples/hello-python.json")
got=$(readline_complete "${typed[@]}")
check "completion through readline: ${typed[*]/%/<TAB>}" '[ "$got" = "$expected" ]' 'diff <(echo "$expected") <(echo "$got")'

# ---- kwctl --help ----

help=$("$kwctl" --help); rc=$?
check "kwctl --help exits 0" '[ "$rc" = 0 ]' 'echo "exit $rc"'
check "kwctl --help is at most 25 lines" '[ "$(wc -l <<<"$help")" -le 25 ]' 'echo "$(wc -l <<<"$help") lines"'
check "kwctl --help points at kwctl(1)" 'grep -qF "kwctl(1)" <<<"$help"' 'echo "$help"'
missing=()
for o in $kwctl_options; do has_option "$help" "$o" || missing+=("--$o"); done
for c in $commands; do grep -qw "$c" <<<"$help" || missing+=("$c"); done
check "kwctl --help names every command and option" '[ ${#missing[@]} = 0 ]' 'echo "missing: ${missing[*]}"'

summary docs
