function __ript_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ript_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __ript_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ript_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __ript_parse_tokens -S
    set -l unparsed_tokens (__ript_tokens -pc)
    switch $unparsed_tokens[1]
    case 'ript'
        __ript_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'rules'
            __ript_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'generate'
                __ript_parse_subcommand 1 'no-cache' 'family=' 'q/quiet' 'color=' 'format=' 'version' 'h/help'
            case 'diff'
                __ript_parse_subcommand 1 'no-cache' 'exit-code' 'format=' 'q/quiet' 'color=' 'wait=' 'family=' 'version' 'h/help'
            case 'apply'
                __ript_parse_subcommand 1 'no-cache' 'wait=' 'family=' 'confirm=' 'format=' 'detailed-exit-codes' 'q/quiet' 'color=' 'version' 'h/help'
            case 'save'
                __ript_parse_subcommand 0 'wait=' 'family=' 'version' 'h/help'
            case 'flush'
                __ript_parse_subcommand 0 'wait=' 'family=' 'confirm=' 'q/quiet' 'color=' 'version' 'h/help'
            end
        case 'clean'
            __ript_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'diff'
                __ript_parse_subcommand 1 'no-cache' 'exit-code' 'format=' 'q/quiet' 'color=' 'wait=' 'family=' 'version' 'h/help'
            case 'apply'
                __ript_parse_subcommand 1 'no-cache' 'wait=' 'family=' 'confirm=' 'format=' 'detailed-exit-codes' 'q/quiet' 'color=' 'version' 'h/help'
            end
        case 'apply'
            __ript_parse_subcommand 1 'no-cache' 'wait=' 'family=' 'confirm=' 'format=' 'detailed-exit-codes' 'q/quiet' 'color=' 'version' 'h/help'
        case 'confirm'
            __ript_parse_subcommand 0 'version' 'h/help'
        case 'help'
            __ript_parse_subcommand -r 1 'version'
        end
    end
end

function __ript_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __ript_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __ript_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __ript_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__ript_tokens -p)
    if test -z "$(__ript_tokens -t)"
        set -l index (count (__ript_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'ript' -f
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript" -eq 1' -fa 'rules' -d 'Compile rule files and compare them with the kernel.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript" -eq 1' -fa 'clean' -d 'Find and remove stale ript chains and their pointers.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript" -eq 1' -fa 'apply' -d 'Load the partitions and remove stale chains, in the same commits.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript" -eq 1' -fa 'confirm' -d 'Keep the changes of a \'ript apply --confirm\' waiting for confirmation.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript rules" -eq 1' -fa 'generate' -d 'Print the chains the rule files compile to, without touching the kernel.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript rules" -eq 1' -fa 'diff' -d 'Print what \'rules apply\' would change in the kernel; nothing when it is up to date.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript rules" -eq 1' -fa 'apply' -d 'Load the partitions into the kernel: new chains, then pointers to them. Never flushes.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript rules" -eq 1' -fa 'save' -d 'Print every loaded rule in iptables-restore format (iptables-legacy-save, ip6tables-legacy-save).'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript rules" -eq 1' -fa 'flush' -d 'Remove everything ript owns: its hooks, hook chains and partition chains. Nothing else.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript rules generate" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'swift\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules generate" no-cache' -l 'no-cache' -d 'Parse every rule file, ignoring and not updating the compile cache ($RIPT_CACHE_DIR, /var/cache/ript for root, else ~/.cache/ript).'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules generate" family' -l 'family' -d 'Address families: 4 (iptables), 6 (ip6tables) or both.' -rfka '4 6 both'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules generate" q quiet' -l 'quiet' -s 'q' -d 'Print nothing on standard output; errors and warnings still go to standard error, and the exit status is unchanged.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules generate" color' -l 'color' -d 'Colour: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never.' -rfka 'auto always never'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules generate" format' -l 'format' -d 'Output format: commands (iptables and ip6tables command lines), restore (iptables-restore input; needs --family 4 or 6) or json (schema/ript.schema.json).' -rfka 'commands restore json'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules generate" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules generate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript rules diff" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'swift\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules diff" no-cache' -l 'no-cache' -d 'Parse every rule file, ignoring and not updating the compile cache ($RIPT_CACHE_DIR, /var/cache/ript for root, else ~/.cache/ript).'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules diff" exit-code' -l 'exit-code' -d 'Exit 1 when there is something to do, 0 when the kernel is in sync (2 is always an error).'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules diff" format' -l 'format' -d 'Output format: commands (iptables and ip6tables command lines), json (schema/ript.schema.json), or restore (iptables-restore --noflush input; needs --family 4 or 6).' -rfka 'commands json restore'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules diff" q quiet' -l 'quiet' -s 'q' -d 'Print nothing on standard output; errors and warnings still go to standard error, and the exit status is unchanged.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules diff" color' -l 'color' -d 'Colour: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never.' -rfka 'auto always never'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules diff" wait' -l 'wait' -d 'Seconds to wait for the xtables lock held by another program.' -rfka ''
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules diff" family' -l 'family' -d 'Address families: 4 (iptables), 6 (ip6tables) or both.' -rfka '4 6 both'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules diff" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules diff" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript rules apply" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'swift\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules apply" no-cache' -l 'no-cache' -d 'Parse every rule file, ignoring and not updating the compile cache ($RIPT_CACHE_DIR, /var/cache/ript for root, else ~/.cache/ript).'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules apply" wait' -l 'wait' -d 'Seconds to wait for the xtables lock held by another program.' -rfka ''
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules apply" family' -l 'family' -d 'Address families: 4 (iptables), 6 (ip6tables) or both.' -rfka '4 6 both'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules apply" confirm' -l 'confirm' -d 'Roll the changes back after this many seconds unless they are confirmed first, with \'ript confirm\' from another shell or a key pressed here (when standard input is a terminal). SIGHUP (unless ignored, as under nohup), SIGINT and SIGTERM roll back at once. Only ript\'s chains and its jumps, and the filter policies ript owns (where its marker chain partition-p was or is), are rolled back, exactly as they were. Exits 0 when confirmed (1 with --detailed-exit-codes when something changed), 2 when rolled back, 3 when the rollback failed.' -rfka ''
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules apply" format' -l 'format' -d 'Output format of what was changed: commands (iptables and ip6tables command lines) or json (schema/ript.schema.json).' -rfka 'commands json'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules apply" detailed-exit-codes' -l 'detailed-exit-codes' -d 'Exit 1 when the kernel was changed, 0 when there was nothing to change (2 is always an error). For config management: without it, success is always 0.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules apply" q quiet' -l 'quiet' -s 'q' -d 'Print nothing on standard output; errors and warnings still go to standard error, and the exit status is unchanged.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules apply" color' -l 'color' -d 'Colour: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never.' -rfka 'auto always never'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules apply" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules apply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules save" wait' -l 'wait' -d 'Seconds to wait for the xtables lock held by another program.' -rfka ''
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules save" family' -l 'family' -d 'Address families: 4 (iptables), 6 (ip6tables) or both.' -rfka '4 6 both'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules save" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules save" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules flush" wait' -l 'wait' -d 'Seconds to wait for the xtables lock held by another program.' -rfka ''
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules flush" family' -l 'family' -d 'Address families: 4 (iptables), 6 (ip6tables) or both.' -rfka '4 6 both'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules flush" confirm' -l 'confirm' -d 'Roll the changes back after this many seconds unless they are confirmed first, with \'ript confirm\' from another shell or a key pressed here (when standard input is a terminal). SIGHUP (unless ignored, as under nohup), SIGINT and SIGTERM roll back at once. Only ript\'s chains and its jumps, and the filter policies ript owns (where its marker chain partition-p was or is), are rolled back, exactly as they were. Exits 0 when confirmed (1 with --detailed-exit-codes when something changed), 2 when rolled back, 3 when the rollback failed.' -rfka ''
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules flush" q quiet' -l 'quiet' -s 'q' -d 'Print nothing on standard output; errors and warnings still go to standard error, and the exit status is unchanged.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules flush" color' -l 'color' -d 'Colour: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never.' -rfka 'auto always never'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules flush" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript rules flush" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript clean" -eq 1' -fa 'diff' -d 'Print the stale chains and pointers \'clean apply\' would remove.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript clean" -eq 1' -fa 'apply' -d 'Remove stale chains and the pointers to them.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript clean diff" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'swift\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean diff" no-cache' -l 'no-cache' -d 'Parse every rule file, ignoring and not updating the compile cache ($RIPT_CACHE_DIR, /var/cache/ript for root, else ~/.cache/ript).'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean diff" exit-code' -l 'exit-code' -d 'Exit 1 when there is something to do, 0 when the kernel is in sync (2 is always an error).'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean diff" format' -l 'format' -d 'Output format: commands (iptables and ip6tables command lines), json (schema/ript.schema.json), or restore (iptables-restore --noflush input; needs --family 4 or 6).' -rfka 'commands json restore'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean diff" q quiet' -l 'quiet' -s 'q' -d 'Print nothing on standard output; errors and warnings still go to standard error, and the exit status is unchanged.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean diff" color' -l 'color' -d 'Colour: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never.' -rfka 'auto always never'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean diff" wait' -l 'wait' -d 'Seconds to wait for the xtables lock held by another program.' -rfka ''
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean diff" family' -l 'family' -d 'Address families: 4 (iptables), 6 (ip6tables) or both.' -rfka '4 6 both'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean diff" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean diff" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript clean apply" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'swift\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean apply" no-cache' -l 'no-cache' -d 'Parse every rule file, ignoring and not updating the compile cache ($RIPT_CACHE_DIR, /var/cache/ript for root, else ~/.cache/ript).'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean apply" wait' -l 'wait' -d 'Seconds to wait for the xtables lock held by another program.' -rfka ''
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean apply" family' -l 'family' -d 'Address families: 4 (iptables), 6 (ip6tables) or both.' -rfka '4 6 both'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean apply" confirm' -l 'confirm' -d 'Roll the changes back after this many seconds unless they are confirmed first, with \'ript confirm\' from another shell or a key pressed here (when standard input is a terminal). SIGHUP (unless ignored, as under nohup), SIGINT and SIGTERM roll back at once. Only ript\'s chains and its jumps, and the filter policies ript owns (where its marker chain partition-p was or is), are rolled back, exactly as they were. Exits 0 when confirmed (1 with --detailed-exit-codes when something changed), 2 when rolled back, 3 when the rollback failed.' -rfka ''
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean apply" format' -l 'format' -d 'Output format of what was changed: commands (iptables and ip6tables command lines) or json (schema/ript.schema.json).' -rfka 'commands json'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean apply" detailed-exit-codes' -l 'detailed-exit-codes' -d 'Exit 1 when the kernel was changed, 0 when there was nothing to change (2 is always an error). For config management: without it, success is always 0.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean apply" q quiet' -l 'quiet' -s 'q' -d 'Print nothing on standard output; errors and warnings still go to standard error, and the exit status is unchanged.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean apply" color' -l 'color' -d 'Colour: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never.' -rfka 'auto always never'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean apply" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript clean apply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_positional "ript apply" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'swift\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript apply" no-cache' -l 'no-cache' -d 'Parse every rule file, ignoring and not updating the compile cache ($RIPT_CACHE_DIR, /var/cache/ript for root, else ~/.cache/ript).'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript apply" wait' -l 'wait' -d 'Seconds to wait for the xtables lock held by another program.' -rfka ''
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript apply" family' -l 'family' -d 'Address families: 4 (iptables), 6 (ip6tables) or both.' -rfka '4 6 both'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript apply" confirm' -l 'confirm' -d 'Roll the changes back after this many seconds unless they are confirmed first, with \'ript confirm\' from another shell or a key pressed here (when standard input is a terminal). SIGHUP (unless ignored, as under nohup), SIGINT and SIGTERM roll back at once. Only ript\'s chains and its jumps, and the filter policies ript owns (where its marker chain partition-p was or is), are rolled back, exactly as they were. Exits 0 when confirmed (1 with --detailed-exit-codes when something changed), 2 when rolled back, 3 when the rollback failed.' -rfka ''
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript apply" format' -l 'format' -d 'Output format of what was changed: commands (iptables and ip6tables command lines) or json (schema/ript.schema.json).' -rfka 'commands json'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript apply" detailed-exit-codes' -l 'detailed-exit-codes' -d 'Exit 1 when the kernel was changed, 0 when there was nothing to change (2 is always an error). For config management: without it, success is always 0.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript apply" q quiet' -l 'quiet' -s 'q' -d 'Print nothing on standard output; errors and warnings still go to standard error, and the exit status is unchanged.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript apply" color' -l 'color' -d 'Colour: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never.' -rfka 'auto always never'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript apply" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript apply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript confirm" version' -l 'version' -d 'Show the version.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript confirm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ript' -n '__ript_should_offer_completions_for_flags_or_options "ript help" version' -l 'version' -d 'Show the version.'
