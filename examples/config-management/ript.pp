# Puppet: install the rule files, then load them with ript whenever the
# kernel differs from them.
#
# The rule files are staged first, in /etc/ript.staged: exactly the files of
# $source (purge deletes the others), checked there as a whole (a broken
# file, or a partition name two files use) before anything is installed.
# When they don't compile, the check fails with ript's errors in the
# report, and Puppet skips what requires it: /etc/ript (what the boot unit
# loads) and the kernel stay as they were.
#
# The apply's `unless` runs first: `ript rules diff --exit-code` and `ript
# clean diff --exit-code` exit 0 when the kernel is in sync (then nothing
# runs), 1 when there is something to load or to remove, and 2 on any
# error, which makes `command` run and fail with ript's errors in the
# report. `ript apply` exits 0 on success and 2 on any error (nothing is
# applied then).

class ript (
  String $source = 'puppet:///modules/ript/rules',
) {
  file { '/etc/ript.staged':
    ensure  => directory,
    source  => $source,
    recurse => true,
    purge   => true,
    force   => true,
    owner   => 'root',
    group   => 'root',
    mode    => '0644',
  }

  # Runs only when the staged files don't compile (`unless` fails), to fail
  # with their errors.
  exec { 'ript rules generate /etc/ript.staged':
    command   => 'ript rules generate --quiet --color never /etc/ript.staged',
    unless    => 'ript rules generate --quiet /etc/ript.staged',
    provider  => shell,
    path      => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'],
    logoutput => on_failure,
    require   => File['/etc/ript.staged'],
  }

  file { '/etc/ript':
    ensure  => directory,
    source  => '/etc/ript.staged',
    recurse => true,
    purge   => true,
    force   => true,
    owner   => 'root',
    group   => 'root',
    mode    => '0644',
    require => Exec['ript rules generate /etc/ript.staged'],
  }

  exec { 'ript apply /etc/ript':
    command   => 'ript apply --color never /etc/ript',
    unless    => 'ript rules diff --exit-code --quiet /etc/ript && ript clean diff --exit-code --quiet /etc/ript',
    provider  => shell,
    path      => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'],
    logoutput => on_failure,
    subscribe => File['/etc/ript'],
  }
}
