#!/bin/bash
# Checks that the man pages in man/ document exactly the commands and flags
# of a built berth binary.
#
#   man/check.sh BERTH_BINARY [MAN_DIR]
#
# The command tree is read from `berth completion bash` (which is generated
# from the CLI11 definitions), falling back to walking `berth ... --help`.
# Every command path gets a page (berth-image-prune.1.md for "image prune";
# a group's subcommand may share the top-level command's page: "image ls" ->
# berth-images, "image rm" -> berth-rmi, "system info" -> berth-info). Then:
#   - every subcommand (and alias) is named as **name** in its parent's page;
#   - every flag is documented in an OPTIONS heading (#### **--flag**, **-f**)
#     of the command's page;
#   - every flag documented in a heading exists on a command using that page.
# --help/-h are CLI11's own and not required. CHECK_MAN_USE_HELP=1 forces the
# --help walk. Each problem is printed on one
# line; the exit status is 1 if there is any, 2 on a usage error.
set -u -o pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 BERTH_BINARY [MAN_DIR]" >&2
    exit 2
fi
berth=$1
man_dir=${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
if [[ ! -x $berth ]]; then
    echo "check.sh: $berth is not an executable" >&2
    exit 2
fi
if [[ ! -d $man_dir ]]; then
    echo "check.sh: $man_dir is not a directory" >&2
    exit 2
fi

declare -A node_words=()    # "berth", "berth image ls", ... -> "sub sub --flag -f ..."

# ---- the command tree -------------------------------------------------------

from_completion() {
    local script line path words
    script=$("$berth" completion bash 2>/dev/null) || return 1
    # The second case statement: "PATH") words="SUBCOMMANDS FLAGS" ;;
    while IFS= read -r line; do
        if [[ $line =~ ^[[:space:]]*\"([^\"]*)\"\)[[:space:]]+words=\"([^\"]*)\" ]]; then
            path=${BASH_REMATCH[1]}
            words=${BASH_REMATCH[2]}
            node_words["berth${path:+ $path}"]=$words
        fi
    done <<<"$script"
    [[ ${#node_words[@]} -gt 0 ]]
}

# Parses CLI11's help text of `berth PATH --help` into help_entries and
# help_children: "Options:" entries start with flags ("-a,--all TEXT"),
# "Subcommands:" entries with names ("ls, list   List images"; the first name
# is the command, the others aliases). Fails unless the usage line names PATH:
# CLI11 shows the parent's help for an unknown subcommand.
help_entries=''
help_children=()
help_words() {
    local path=$1 text section='' line entry names name first=1
    help_entries=''
    help_children=()
    # shellcheck disable=SC2086
    text=$("$berth" $path --help 2>/dev/null </dev/null) || return 1
    [[ $text == *"Usage: berth${path:+ $path} "* ]] || return 1
    while IFS= read -r line; do
        case $line in
            Options:*|OPTIONS:*) section=options; continue ;;
            Subcommands:*|SUBCOMMANDS:*) section=commands; continue ;;
            Positionals:*|POSITIONALS:*) section=''; continue ;;
        esac
        # Entries are indented by two spaces; wrapped descriptions by more.
        [[ $line =~ ^\ \ ([^[:space:]].*) ]] || continue
        entry=${BASH_REMATCH[1]}
        entry=${entry%%  *}
        if [[ $section == options ]]; then
            entry=${entry%% *}
            help_entries+=" ${entry//,/ }"
        elif [[ $section == commands ]]; then
            IFS=', ' read -r -a names <<<"$entry"
            first=1
            for name in "${names[@]}"; do
                help_entries+=" $name"
                [[ $first == 1 ]] && help_children+=("$name")
                first=0
            done
        fi
    done <<<"$text"
}

from_help() {
    local queue=("") path child
    while [[ ${#queue[@]} -gt 0 ]]; do
        path=${queue[0]}
        queue=("${queue[@]:1}")
        help_words "$path" || return 1
        node_words["berth${path:+ $path}"]=$help_entries
        for child in "${help_children[@]}"; do
            queue+=("${path:+$path }$child")
        done
    done
}

if [[ -n ${CHECK_MAN_USE_HELP:-} ]] || ! from_completion; then
    [[ -n ${CHECK_MAN_USE_HELP:-} ]] || echo "check.sh: 'berth completion bash' gave no command tree; walking --help" >&2
    node_words=()
    if ! from_help; then
        echo "check.sh: cannot read the command tree from $berth" >&2
        exit 2
    fi
fi

# ---- pages ------------------------------------------------------------------

problems=()
problem() { problems+=("$*"); }

# The page documenting a command path, or "" if there is none.
page_for() {
    local path=$1 last candidates=() c
    if [[ -z $path ]]; then
        candidates=(berth)
    else
        last=${path##* }
        candidates=("berth-${path// /-}" "berth-$last")
        case $last in
            ls|list) candidates+=(berth-images) ;;
            rm) candidates+=(berth-rmi) ;;
        esac
    fi
    for c in "${candidates[@]}"; do
        if [[ -f $man_dir/$c.1.md ]]; then
            echo "$c"
            return
        fi
    done
}

# Does an OPTIONS heading of PAGE document FLAG?
heading_has() {
    grep -E '^#{2,4} ' "$man_dir/$1.1.md" | grep -qF -- "**$2**"
}

declare -A page_flags=()   # page -> flags of every command it documents

for key in "${!node_words[@]}"; do
    path=${key#berth}
    path=${path# }
    page=$(page_for "$path")
    if [[ -z $page ]]; then
        problem "$key: no man page (expected man/berth-${path// /-}.1.md)"
        continue
    fi
    page_flags[$page]+=""
    for w in ${node_words[$key]}; do
        case $w in
            --help|-h) continue ;;
            -*)
                page_flags[$page]+=" $w"
                heading_has "$page" "$w" || problem "$page.1.md: flag $w of '$key' is not documented (#### **$w**)"
                ;;
            *)
                child="${path:+$path }$w"
                grep -qF -- "**$w**" "$man_dir/$page.1.md" \
                    || problem "$page.1.md: subcommand 'berth $child' is not listed (**$w**)"
                ;;
        esac
    done
done

# Flags documented but not accepted by any command using the page.
for page in "${!page_flags[@]}"; do
    while IFS= read -r flag; do
        [[ -z $flag || $flag == --help || $flag == -h ]] && continue
        [[ " ${page_flags[$page]} " == *" $flag "* ]] \
            || problem "$page.1.md: documents $flag, which no command using this page accepts"
    done < <(grep -E '^#{2,4} ' "$man_dir/$page.1.md" | grep -oE '\*\*--?[A-Za-z0-9][A-Za-z0-9-]*\*\*' | tr -d '*' | sort -u)
done

# Pages for commands that do not exist.
for file in "$man_dir"/berth*.1.md; do
    page=$(basename "$file" .1.md)
    [[ -v page_flags[$page] ]] && continue
    used=0
    for key in "${!node_words[@]}"; do
        path=${key#berth}
        [[ $(page_for "${path# }") == "$page" ]] && { used=1; break; }
    done
    [[ $used == 1 ]] || problem "$page.1.md: documents a command that $berth does not have"
done

# Pages the build would not install.
if [[ -f $man_dir/meson.build ]]; then
    for file in "$man_dir"/berth*.1.md; do
        page=$(basename "$file" .1.md)
        grep -qF -- "'$page'" "$man_dir/meson.build" || problem "$page.1.md: not in man_pages of meson.build"
    done
fi

if [[ ${#problems[@]} -gt 0 ]]; then
    printf '%s\n' "${problems[@]}" | sort
    echo "check.sh: ${#problems[@]} problem(s) between $man_dir and $berth" >&2
    exit 1
fi
echo "check.sh: man pages match the ${#node_words[@]} commands of $berth"
exit 0
