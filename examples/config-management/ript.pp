# Puppet: install the rule files, then load them with ript whenever the
# kernel differs from them.
#
# `unless` runs first: `ript rules diff --exit-code` and `ript clean diff
# --exit-code` exit 0 when the kernel is in sync (then nothing runs), 1 when
# there is something to load or to remove, and 2 on any error, which makes
# `command` run and fail with ript's errors in the report. `ript apply`
# exits 0 on success and 2 on any error (nothing is applied then).

class ript (
  String $source = 'puppet:///modules/ript/rules',
) {
  file { '/etc/ript':
    ensure  => directory,
    source  => $source,
    recurse => true,
    purge   => true,
    owner   => 'root',
    group   => 'root',
    mode    => '0644',
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
