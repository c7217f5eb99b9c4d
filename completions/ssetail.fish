# fish completion for ssetail. Installed as share/fish/vendor_completions.d/ssetail.fish.

# The options of `ssetail --help`, one per line (adding an option is adding its line):
#   SHORT/LONG or LONG, then `=` when it takes a value, `=?` when the value is optional
#   | `file` when the value is a file name
#   | description
set -g __ssetail_options \
    'h/help||Print the help and exit' \
    'V/version||Print the version and commit and exit' \
    "q/quiet||Do not echo the command's output" \
    'linger=?||Keep serving after the command ends (--linger=SECS: for that long)' \
    'no-summary||Print no summary of errors and warnings at the end' \
    'sections=||Section markers: auto, none, or a list of github,gitlab,buildkite' \
    'p/port=||TCP port; 0 picks a free one' \
    'b/bind=||Listen address, IPv4 or IPv6' \
    'max-clients=||Concurrent SSE clients; more get 503' \
    'heartbeat=||Seconds between pings on idle streams' \
    'title=||Page title (default: the CI job, else the command line)' \
    'source-url=||Link file:line in Problems to TEMPLATE ({file}, {line})' \
    'source-root=|file|Strip this workspace directory from absolute paths (repeatable)' \
    'history=||Events kept for replay' \
    'history-bytes=||Byte cap of the replay history (64M, 1G, ...)' \
    'save=|file|Keep the record of the run in FILE (JSON lines)' \
    'record-max=||Byte cap of the record (64M, 1G, ...)' \
    'no-record||Keep no record: memory history only' \
    'view=|file|Serve a record written by --save (or FILE.gz)' \
    'compare=|file|Compare the run with a record written by --save (or FILE.gz)' \
    'publish=||Also publish the run to Redis Streams (redis://HOST:PORT/PREFIX)' \
    "publish-ttl=||Seconds a finished run's keys are kept in Redis" \
    'relay=||Serve every run published to this Redis (redis://HOST:PORT/PREFIX)' \
    'relay-idle=||With --relay: seconds an ended run stays open after its last viewer' \
    'token-file=|file|Require the secret in this file (or env SSETAIL_TOKEN)' \
    'cors=||Allow this origin (repeatable)' \
    'pty||Run the command on two pseudo-terminals (stdout, stderr)' \
    'cols=||Terminal width with --pty' \
    'rows=||Terminal height with --pty'

# The spellings (-p, --port) of the options that take a separate value.
function __ssetail_value_options
    for spec in (string match -r -- '^[^|]*[^?|]=\|' $__ssetail_options | string replace -r -- '=\|$' '')
        for name in (string split / -- $spec)
            if test (string length -- $name) = 1
                echo -- -$name
            else
                echo -- --$name
            end
        end
    end
end

# COMMAND and what follows it on the command line, if COMMAND has started: after `--`, or
# at the first word that is neither an option nor an option's value.
function __ssetail_command_words
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l value_options (__ssetail_value_options)
    while set -q tokens[1]
        switch $tokens[1]
            case --
                set -e tokens[1]
                printf '%s\n' $tokens (commandline -ct)
                return 0
            case '-*'
                contains -- $tokens[1] $value_options; and set -e tokens[1]
            case '*'
                printf '%s\n' $tokens (commandline -ct)
                return 0
        end
        set -e tokens[1]
    end
    return 1
end

function __ssetail_no_command
    not __ssetail_command_words >/dev/null
end

# Before COMMAND, where the word is not the value of the option before it.
function __ssetail_command_name_wanted
    __ssetail_no_command; or return 1
    string match -q -- '-*' (commandline -ct); and return 1
    set -l previous (commandline -opc)[-1]
    not contains -- $previous (__ssetail_value_options)
end

# Before COMMAND: the options, and command names (the `--` may be left out).
for option in $__ssetail_options
    set -l fields (string split '|' -- $option)
    set -l names (string split / -- (string replace -r -- '=\??$' '' $fields[1]))
    set -l args -c ssetail -n __ssetail_no_command -d $fields[3]
    if set -q names[2]
        set -a args -s $names[1] -l $names[2]
    else if test (string length -- $names[1]) = 1
        set -a args -s $names[1]
    else
        set -a args -l $names[1]
    end
    if string match -qr -- '[^?]=$' $fields[1]
        if test "$fields[2]" = file
            set -a args -r -F
        else
            set -a args -x
        end
    else if string match -q -- '*=?' $fields[1]
        set -a args -f # --opt=VALUE: nothing to offer
    end
    complete $args
end
complete -c ssetail -n __ssetail_command_name_wanted -f -a '(__fish_complete_command)'

# From COMMAND on: COMMAND's own completion.
complete -c ssetail -n 'not __ssetail_no_command' -x \
    -a '(__fish_complete_subcommand --commandline (__ssetail_command_words))'
